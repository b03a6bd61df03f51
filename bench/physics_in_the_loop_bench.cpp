// Throughput of the physics-in-the-loop junction loop (src/rfnet/physics_in_the_loop.cpp): junction-steps
// per second against junctions per sample (chains x junctions), 64 input tones shared by all
// junctions of a sample, float32, T = 300 K and T = 0. Timed: PhysicsInTheLoopResult::wall_seconds
// (tone synthesis and junction steps; not the compact outputs).
//
// Usage: physics_in_the_loop_bench [google benchmark flags]
#include <benchmark/benchmark.h>

#include <vector>

#include "spinnet/rfnet/physics_in_the_loop.hpp"

namespace {

spinnet::SpinDiodeNetwork network(int chains, int junctions) {
  spinnet::SpinDiodeNetwork net;
  net.max_power = 1e-6;
  for (int i = 0; i < 64; ++i) net.input_frequency.push_back(3.0e9 + 50e6 * i);
  for (int j = 0; j < chains; ++j) {
    std::vector<double> row;
    for (int k = 0; k < junctions; ++k) row.push_back(3.0e9 + 3.15e9 * (k + 0.1 * j) / junctions);
    net.resonance.push_back(row);
  }
  net.bias.assign(chains, 0.0);
  net.K_SD = 391.4;
  return net;
}

void junction_loop(benchmark::State& state, double temperature) {
  const int chains = 10, junctions = static_cast<int>(state.range(0));
  const int samples = 4;
  const spinnet::SpinDiodeNetwork net = network(chains, junctions);
  std::vector<std::vector<double>> features(samples, std::vector<double>(64, 0.5));
  spinnet::PhysicsInTheLoopOptions options;
  options.temperature = temperature;
  options.transient = 2e-9;
  options.window = 8e-9;  // 10^4 steps
  double steps = 0, seconds = 0;
  for (auto _ : state) {
    const spinnet::PhysicsInTheLoopResult r = spinnet::evaluate_physics_in_the_loop(net, features, options);
    state.SetIterationTime(r.wall_seconds);
    seconds += r.wall_seconds;
    steps += r.junction_steps_per_second * r.wall_seconds;
  }
  state.counters["junction_steps_per_s"] = steps / seconds;
  state.counters["junctions_per_sample"] = chains * junctions;
}

}  // namespace

BENCHMARK_CAPTURE(junction_loop, T300K, 300.0)->Arg(16)->Arg(64)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(junction_loop, T0K, 0.0)->Arg(16)->Arg(64)->UseManualTime()->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
