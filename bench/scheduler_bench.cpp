// Scheduling overhead: a study of 10^6 single-device work items (one sweep point, 10^6 instances
// of a thermal auto-oscillator) run through the scheduler (batches, checkpoint files, results.h5,
// result.json statistics) against the raw engine (run_model on the same 10^6 devices as one
// batch). Both timed from start to results, wall clock; the figure of merit is
// scheduler_seconds / engine_seconds - 1 (issue 4: <= 10 %). The scheduler benchmark also reports
// overhead_vs_stepping: its time outside the engine's stepping over the stepping time, in the same
// runs.
//
// Config expansion (reading a JSON of 10^6 devices) is timed separately (config_read): it is the
// config reader's cost, paid once before either path.
//
// Usage: scheduler_bench [google benchmark flags]; SPINNET_BENCH_DIR sets the run directory
// (default: a directory under /tmp, removed afterwards).
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>

#include "spinnet/engine/run.hpp"
#include "spinnet/study/scheduler.hpp"

namespace {

using Clock = std::chrono::steady_clock;

spinnet::json study_document(std::uint64_t devices, std::uint64_t steps) {
  spinnet::json document = spinnet::json::parse(R"({
    "name": "scheduler_bench", "model": "auto_oscillator", "seed": 5, "precision": "float32",
    "devices": {"count": 1, "frequency_GHz": 5.0, "nonlinear_shift_GHz": -2.0, "damping_rate_per_ns": 0.3,
                "nonlinear_damping_Q": 2.0, "threshold_current_mA": 1.0, "current_mA": 1.5,
                "temperature_K": 300, "energy_aJ": 2, "signal_scale_mV": 1.0},
    "integration": {"dt_ps": 2, "transient_ns": 0.2},
    "observables": {"trace": {"every_ps": 0, "devices": []}}
  })");
  document["devices"]["count"] = devices;
  document["integration"]["duration_ns"] = static_cast<double>(steps) * 2e-3;
  return document;
}

/// The study as 10^6 work items: the devices of a config read with count = N, laid out as N
/// instances of one device (what "instances": N gives once the config reader supports it).
spinnet::RunConfig study(std::uint64_t devices, std::uint64_t steps) {
  spinnet::RunConfig config = spinnet::read_run_config(study_document(devices, steps), "bench");
  config.sweep.instances = devices;
  config.sweep.devices_per_instance = 1;
  return config;
}

std::string bench_directory() {
  const char* given = std::getenv("SPINNET_BENCH_DIR");
  return given ? given : (std::filesystem::temp_directory_path() / "spinnet-scheduler-bench").string();
}

void engine(benchmark::State& state) {
  const auto devices = static_cast<std::uint64_t>(state.range(0)), steps = static_cast<std::uint64_t>(state.range(1));
  const spinnet::RunConfig config = study(devices, steps);
  spinnet::ModelProblem<spinnet::AutoOscillatorModel> problem;
  problem.devices = config.auto_oscillator;
  problem.drive = config.drive;
  problem.control = config.control;
  spinnet::RunOptions options;
  options.backend = spinnet::Backend::cpu;
  for (auto _ : state) {
    const auto start = Clock::now();
    const auto result = spinnet::run_model(problem, options);
    benchmark::DoNotOptimize(result.sums.data());
    state.SetIterationTime(std::chrono::duration<double>(Clock::now() - start).count());
  }
  state.counters["device_steps_per_second"] =
      benchmark::Counter(static_cast<double>(devices * steps) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
}

void scheduler(benchmark::State& state) {
  const auto devices = static_cast<std::uint64_t>(state.range(0)), steps = static_cast<std::uint64_t>(state.range(1));
  const spinnet::json document = study_document(devices, steps);
  const spinnet::RunConfig config = study(devices, steps);
  spinnet::StudyOptions options;
  options.run.backend = spinnet::Backend::cpu;
  const std::string directory = bench_directory();
  std::size_t batches = 0;
  double total = 0, engine = 0;
  for (auto _ : state) {
    std::filesystem::create_directories(directory);
    const auto start = Clock::now();
    const auto outcome = spinnet::run_study(document, "bench.json", config, directory, options);
    state.SetIterationTime(std::chrono::duration<double>(Clock::now() - start).count());
    batches = outcome.batches_total;
    total += outcome.wall_seconds;
    engine += outcome.engine_seconds;
    std::filesystem::remove_all(directory);
  }
  state.counters["device_steps_per_second"] =
      benchmark::Counter(static_cast<double>(devices * steps) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
  state.counters["batches"] = static_cast<double>(batches);
  // Within the same runs: time outside the engine's stepping (slicing, batch set-up, records,
  // fsync, assembly, results.h5, statistics) over the stepping time. Less sensitive to a busy
  // machine than comparing with the separate engine benchmark.
  state.counters["overhead_vs_stepping"] = total / engine - 1;
}

void config_read(benchmark::State& state) {
  const auto devices = static_cast<std::uint64_t>(state.range(0));
  const spinnet::json document = study_document(devices, 1000);
  for (auto _ : state) {
    const auto config = spinnet::read_run_config(document, "bench");
    benchmark::DoNotOptimize(config.auto_oscillator.data());
  }
  state.counters["devices_per_second"] =
      benchmark::Counter(static_cast<double>(devices) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK(engine)->Args({1'000'000, 1000})->Args({1'000'000, 4000})->UseManualTime()->Iterations(2)->Unit(benchmark::kSecond);
BENCHMARK(scheduler)->Args({1'000'000, 1000})->Args({1'000'000, 4000})->UseManualTime()->Iterations(2)->Unit(benchmark::kSecond);
BENCHMARK(config_read)->Arg(1'000'000)->Iterations(1)->Unit(benchmark::kSecond);

BENCHMARK_MAIN();
