// Throughput of the macrospin engine, in device-steps per second, against batch size, for
// {cpu, cuda} x {float32, float64} x {T = 0, T = 300 K}. CUDA cases are registered only where
// spinnet::cuda_available() (a CUDA build and a visible GPU).
//
// What the timing includes. Each iteration is one run_macrospin call; the time reported to Google
// Benchmark (manual time) is MacrospinResult::wall_seconds, which the engine measures around the
// stepping only:
//   included: the CPU stepping loops (with their per-chunk load/store of the SIMD blocks); on CUDA,
//             cudaMalloc, the host->device copies of every array, all kernel launches with their
//             synchronizations, the device->host copies and cudaFree.
//   excluded: building the MacrospinProblem (once per benchmark, outside the loop), building the
//             structure-of-arrays batch (MacrospinHostBatch) and extracting the result vectors.
// The counter end_to_end_device_steps_per_second times the whole run_macrospin call instead, so
// the difference between the two shows what the excluded host work costs. The counter
// device_steps_per_cpu_second divides by the CPU time of the whole process (all threads) during the
// call: on a shared machine, where wall time depends on what else runs, it estimates the
// throughput per fully used core (lower bound: it also counts host setup and OpenMP spin-waits).
//
// A run integrates `batch` devices for `steps` steps; steps scale as 1/batch so that every case
// does a similar amount of work (see steps_for). Counted are real devices only: the CPU pads a
// batch to whole SIMD blocks (16 float32 or 8 float64 lanes), so batch 1 and 10 pay for padding.
//
// Usage: macrospin_bench [google benchmark flags] [--spinnet_work_scale=X]
//   --spinnet_work_scale scales every case's step count (0.1 for a quick look; steps stay >= 10).
//   Example: macrospin_bench --benchmark_filter='cpu/float32/thermal'
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "bench_devices.hpp"
#include "spinnet/core/constants.hpp"
#include "spinnet/engine/engine.hpp"
#include "spinnet/core/errors.hpp"

namespace {

using spinnet::Backend;
using spinnet::Precision;

constexpr std::uint64_t batch_sizes[] = {1, 10, 100, 1'000, 10'000, 100'000, 1'000'000};

double work_scale = 1.0;  // --spinnet_work_scale

struct Case {
  Backend backend;
  Precision precision;
  bool thermal;
  std::uint64_t batch;
};

double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

/// Steps per run. CPU: about 3e7 device-steps per run (a fraction of a second at the 1e8/s
/// target), between 100 steps (so the per-chunk block load/store is amortized at 1e6 devices) and
/// 1e6 (so batch 1, which still computes a whole SIMD block, stays short). CUDA: about 2e10
/// device-steps, between 2e4 and 1e5 steps; the engine launches chunks of max(1000, steps/100)
/// steps and synchronizes after each, and at 1e6 devices 2e4 steps (0.4 s at 5e10/s) leave the
/// ~0.3 GB of host<->device copies and the allocations a few percent of the time.
std::uint64_t steps_for(const Case& c) {
  const bool gpu = c.backend == Backend::cuda;
  const double work = gpu ? 2e10 : 3e7;
  const double lowest = gpu ? 2e4 : 100;
  const double highest = gpu ? 1e5 : 1e6;
  const double steps = std::clamp(work / static_cast<double>(c.batch), lowest, highest) * work_scale;
  return static_cast<std::uint64_t>(std::max(10.0, steps));
}

spinnet::MacrospinProblem make_problem(const Case& c) {
  spinnet::MacrospinProblem problem;
  problem.devices.assign(c.batch, spinnet::bench::reference_junction(c.thermal ? 300.0 : 0.0));
  problem.dt = 0.5e-12;
  problem.steps = steps_for(c);
  problem.transient_steps = 0;
  problem.seed = 20240611;
  problem.frequency_axis = {1, 0, 0};
  problem.precision = c.precision;
  return problem;
}

void run_case(benchmark::State& state, const Case c) {
  const spinnet::MacrospinProblem problem = make_problem(c);
  spinnet::RunOptions options;
  options.backend = c.backend;
  const double device_steps = static_cast<double>(c.batch) * static_cast<double>(problem.steps);
  double end_to_end_seconds = 0, cpu_seconds = 0;
  std::string backend;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = process_cpu_seconds();
    spinnet::MacrospinResult result;
    try {
      result = spinnet::run_macrospin(problem, options);
    } catch (const std::exception& error) {
      state.SkipWithError(error.what());
      break;
    }
    end_to_end_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    cpu_seconds += process_cpu_seconds() - cpu_start;
    state.SetIterationTime(result.wall_seconds);
    benchmark::DoNotOptimize(result.final_mx.data());
    backend = result.backend;
  }
  // Manual time is the time of record, so the rate counter divides by the summed wall_seconds.
  state.counters["device_steps_per_second"] =
      benchmark::Counter(device_steps, benchmark::Counter::kIsIterationInvariantRate);
  const double total_device_steps = device_steps * static_cast<double>(state.iterations());
  state.counters["end_to_end_device_steps_per_second"] =
      benchmark::Counter(end_to_end_seconds > 0 ? total_device_steps / end_to_end_seconds : 0.0);
  state.counters["device_steps_per_cpu_second"] =
      benchmark::Counter(cpu_seconds > 0 ? total_device_steps / cpu_seconds : 0.0);
  state.counters["devices"] = benchmark::Counter(static_cast<double>(c.batch));
  state.counters["steps"] = benchmark::Counter(static_cast<double>(problem.steps));
  state.SetLabel(backend);
}

std::string case_name(const Case& c) {
  return "macrospin/" + spinnet::to_string(c.backend) + "/" + spinnet::to_string(c.precision) + "/" +
         (c.thermal ? "thermal" : "athermal") + "/batch:" + std::to_string(c.batch);
}

/// Creates the CUDA context and loads the kernels before anything is timed.
void warm_up_cuda() {
  for (Precision precision : {Precision::float32, Precision::float64}) {
    for (bool thermal : {false, true}) {
      spinnet::MacrospinProblem problem = make_problem({Backend::cuda, precision, thermal, 1000});
      problem.steps = 10;
      spinnet::RunOptions options;
      options.backend = Backend::cuda;
      spinnet::run_macrospin(problem, options);
    }
  }
}

/// Removes --spinnet_work_scale=X from argv (before Google Benchmark sees it).
bool take_own_flags(int& argc, char** argv) {
  const char* prefix = "--spinnet_work_scale=";
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], prefix, std::strlen(prefix)) == 0) {
      char* end = nullptr;
      work_scale = std::strtod(argv[i] + std::strlen(prefix), &end);
      if (end == argv[i] + std::strlen(prefix) || *end != '\0' || !(work_scale > 0)) {
        std::fprintf(stderr, "macrospin_bench: %s: expected a positive number\n", argv[i]);
        return false;
      }
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (!take_own_flags(argc, argv)) return 2;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;

  std::vector<Backend> backends{Backend::cpu};
  if (spinnet::cuda_available()) {
    backends.push_back(Backend::cuda);
    try {
      warm_up_cuda();
    } catch (const std::exception& error) {
      std::fprintf(stderr, "macrospin_bench: CUDA warm-up failed: %s\n", error.what());
      return 1;
    }
  } else {
    std::fprintf(stderr, "macrospin_bench: no CUDA device visible (or a build without CUDA): CPU cases only\n");
  }
  for (Backend backend : backends) {
    for (Precision precision : {Precision::float32, Precision::float64}) {
      for (bool thermal : {false, true}) {
        for (std::uint64_t batch : batch_sizes) {
          const Case c{backend, precision, thermal, batch};
          benchmark::RegisterBenchmark(case_name(c).c_str(), run_case, c)
              ->UseManualTime()
              ->Unit(benchmark::kMillisecond);
        }
      }
    }
  }
  benchmark::AddCustomContext("spinnet_version", SPINNET_VERSION);
  benchmark::AddCustomContext("spinnet_work_scale", std::to_string(work_scale));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
