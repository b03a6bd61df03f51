// Throughput of the vortex reservoir (reservoir/vortex_nodes.hpp) in device-steps per second
// against the number of input sequences run as one batch: the Torrejon 2017 junction at 300 K,
// float32, dt = 50 ps, theta = 20 ns (400 steps per node), 2000 node inputs per sequence (a
// recording of 5 frames of 400 virtual nodes), the envelope traced once per node. Timed: the
// engine's stepping (NodeResponses::engine_seconds) and, as end_to_end, the whole run() call
// (schedule building, trace unpacking). `vortex_schedule` is the bare engine with the same held
// current schedule and no trace, for comparison with oscillator_bench's vortex (no inputs).
//
// Usage: reservoir_bench [google benchmark flags]
#include <benchmark/benchmark.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <vector>

#include "spinnet/engine/run.hpp"
#include "spinnet/models/vortex.hpp"
#include "spinnet/reservoir/vortex_nodes.hpp"

namespace {

constexpr std::size_t nodes_per_sequence = 2000;

std::vector<std::vector<float>> node_inputs(std::size_t sequences) {
  std::vector<std::vector<float>> inputs(sequences, std::vector<float>(nodes_per_sequence));
  for (std::size_t j = 0; j < sequences; ++j)
    for (std::size_t k = 0; k < nodes_per_sequence; ++k) inputs[j][k] = static_cast<float>(std::sin(0.37 * k + 1.3 * j));
  return inputs;
}

void reservoir(benchmark::State& state) {
  const auto sequences = static_cast<std::size_t>(state.range(0));
  spinnet::VortexNodeOptions options;
  options.warmup = 0;
  options.batch_devices = std::max<std::size_t>(16, sequences);
  const spinnet::VortexNodes nodes(options);
  const auto inputs = node_inputs(sequences);
  double steps = 0, engine = 0, wall = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    const spinnet::NodeResponses r = nodes.run(inputs, 0, {}, {});
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    state.SetIterationTime(r.engine_seconds);
    steps += r.device_steps, engine += r.engine_seconds, wall += seconds;
    state.SetLabel(r.backend);
  }
  state.counters["device_steps_per_second"] = steps / engine;
  state.counters["end_to_end_device_steps_per_second"] = steps / wall;
  state.counters["sequences"] = static_cast<double>(sequences);
}

void vortex_schedule(benchmark::State& state) {
  const auto devices = static_cast<std::size_t>(state.range(0));
  spinnet::ModelProblem<spinnet::VortexModel> problem;
  problem.devices.assign(devices, spinnet::torrejon2017_parameters());
  problem.drive.schedule.kind = spinnet::ScheduleKind::held;
  problem.drive.schedule.interval = 20e-9;
  const auto inputs = node_inputs(devices);
  problem.drive.schedule.values.assign(nodes_per_sequence, std::vector<double>(devices));
  for (std::size_t k = 0; k < nodes_per_sequence; ++k)
    for (std::size_t d = 0; d < devices; ++d) problem.drive.schedule.values[k][d] = 0.3e-3 * inputs[d][k];
  problem.control.dt = 50e-12;
  problem.control.steps = nodes_per_sequence * 400;
  problem.control.seed = 1;
  double steps = 0;
  for (auto _ : state) {
    const auto result = spinnet::run_model(problem, {});
    state.SetIterationTime(result.wall_seconds);
    steps += static_cast<double>(problem.control.steps) * static_cast<double>(devices);
    state.SetLabel(result.backend);
  }
  state.counters["device_steps_per_second"] = benchmark::Counter(steps, benchmark::Counter::kIsRate);
  state.counters["devices"] = static_cast<double>(devices);
}

}  // namespace

BENCHMARK(reservoir)->Arg(16)->Arg(128)->Arg(1024)->UseManualTime()->Unit(benchmark::kSecond)->Iterations(1);
BENCHMARK(vortex_schedule)->Arg(16)->Arg(128)->Arg(1024)->UseManualTime()->Unit(benchmark::kSecond)->Iterations(1);
BENCHMARK_MAIN();
