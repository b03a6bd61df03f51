// Throughput of the reduced oscillator models (universal auto-oscillator, vortex Thiele model,
// coupled networks of 2-4 auto-oscillators) in device-steps per second against batch size, float32
// and float64, T = 300 K, on every available backend. The auto-oscillator is the workhorse of large
// networks. For networks, device_steps_per_second counts oscillators (as the CLI does) and
// network_steps_per_second counts networks; `devices` is the number of oscillators. Timed:
// ModelResult::wall_seconds (the stepping, and on CUDA the copies and launches); excluded: building
// the problem and results.
//
// Usage: oscillator_bench [google benchmark flags], e.g. --benchmark_filter='auto_oscillator/cpu/float32'
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "bench_devices.hpp"
#include "spinnet/models/auto_oscillator.hpp"
#include "spinnet/models/oscillator_network.hpp"
#include "spinnet/engine/run.hpp"
#include "spinnet/models/vortex.hpp"

namespace {

using spinnet::Backend;
using spinnet::Precision;

constexpr std::uint64_t batch_sizes[] = {1'000, 10'000, 100'000, 1'000'000};

/// `batch` engine devices (networks for a network model) of `oscillators` oscillators each.
template <class Model, class Make>
void run(benchmark::State& state, Make make, Backend backend, Precision precision, std::uint64_t batch,
         double dt, int oscillators = 1) {
  spinnet::ModelProblem<Model> problem;
  for (std::uint64_t i = 0; i < batch; ++i) problem.devices.push_back(make(i));
  const std::uint64_t work =
      (backend == Backend::cuda ? 20'000'000'000ull : 100'000'000ull) / static_cast<std::uint64_t>(oscillators);
  problem.control.dt = dt;
  problem.control.steps = std::max<std::uint64_t>(100, work / batch);
  problem.control.seed = 1;
  problem.control.precision = precision;
  spinnet::RunOptions options;
  options.backend = backend;
  double steps = 0;
  for (auto _ : state) {
    const auto result = spinnet::run_model(problem, options);
    state.SetIterationTime(result.wall_seconds);
    steps += static_cast<double>(problem.control.steps) * static_cast<double>(batch);
    state.SetLabel(result.backend);
  }
  state.counters["device_steps_per_second"] = benchmark::Counter(steps * oscillators, benchmark::Counter::kIsRate);
  state.counters["devices"] = static_cast<double>(batch) * oscillators;
  if (oscillators > 1) state.counters["network_steps_per_second"] = benchmark::Counter(steps, benchmark::Counter::kIsRate);
}

void register_all() {
  for (Backend backend : {Backend::cpu, Backend::cuda}) {
    if (backend == Backend::cuda && !spinnet::cuda_available()) continue;
    for (Precision precision : {Precision::float32, Precision::float64}) {
      for (std::uint64_t batch : batch_sizes) {
        const std::string suffix = "/" + spinnet::to_string(backend) + "/" + spinnet::to_string(precision) +
                                   "/thermal/batch:" + std::to_string(batch);
        benchmark::RegisterBenchmark(("auto_oscillator" + suffix).c_str(), [=](benchmark::State& s) {
          run<spinnet::AutoOscillatorModel>(s, spinnet::bench::auto_oscillator, backend, precision, batch, 2e-12);
        })->UseManualTime()->Unit(benchmark::kMillisecond);
        benchmark::RegisterBenchmark(("vortex" + suffix).c_str(), [=](benchmark::State& s) {
          run<spinnet::VortexModel>(
              s, [](std::uint64_t) { return spinnet::torrejon2017_parameters(); }, backend, precision, batch, 1e-11);
        })->UseManualTime()->Unit(benchmark::kMillisecond);
        // Networks: `batch` oscillators in batch / M networks.
        benchmark::RegisterBenchmark(("network2" + suffix).c_str(), [=](benchmark::State& s) {
          run<spinnet::OscillatorNetworkModel<2>>(s, spinnet::bench::oscillator_network<2>, backend, precision, batch / 2, 2e-12, 2);
        })->UseManualTime()->Unit(benchmark::kMillisecond);
        benchmark::RegisterBenchmark(("network3" + suffix).c_str(), [=](benchmark::State& s) {
          run<spinnet::OscillatorNetworkModel<3>>(s, spinnet::bench::oscillator_network<3>, backend, precision, batch / 3, 2e-12, 3);
        })->UseManualTime()->Unit(benchmark::kMillisecond);
        benchmark::RegisterBenchmark(("network4" + suffix).c_str(), [=](benchmark::State& s) {
          run<spinnet::OscillatorNetworkModel<4>>(s, spinnet::bench::oscillator_network<4>, backend, precision, batch / 4, 2e-12, 4);
        })->UseManualTime()->Unit(benchmark::kMillisecond);
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
