// Single-thread cost of the CPU lane loop, by thread CPU time: for comparing code versions on a
// machine that others are using, where the wall-clock figures of macrospin_bench and
// oscillator_bench are meaningless. Runs src/engine/batch_cpu.hpp's cpu_advance (what run_model calls)
// on one thread over 1024 devices (64 blocks of 16 lanes), float32, T = 300 K, no inputs, and
// prints the best of 7 runs in ns per device-step (per oscillator for networks) and the 2-thread
// rate that implies. For the code of commit f01213e the implied rates were within 3-7% of the
// Google Benchmark figures measured on the idle machine (bench/RESULTS.md).
//
// Usage: lane_cpu_time
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "engine/batch_cpu.hpp"
#include "engine/host_batch.hpp"
#include "bench_devices.hpp"
#include "spinnet/models/auto_oscillator.hpp"
#include "spinnet/core/constants.hpp"
#include "spinnet/models/macrospin.hpp"
#include "spinnet/models/oscillator_network.hpp"
#include "spinnet/models/vortex.hpp"

namespace {

using namespace spinnet;

double thread_seconds() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

template <class Model, class Make>
void measure(const char* name, Make make, double dt, std::uint64_t steps, int oscillators = 1) {
  constexpr std::size_t devices = 1024;
  RunControl control;
  control.dt = dt;
  control.steps = steps;
  control.seed = 1;
  using Coefficients = typename Model::template Coefficients<float>;
  using State = typename Model::template State<float>;
  detail::HostBatch<Model, float> batch(
      devices, control, DriveInput{},
      [&](std::size_t i) -> Coefficients { return make_coefficients<float>(make(i), dt); },
      [&](std::size_t i) -> State { return Model::template initial_state<float>(make(i)); });
  double best = 1e300;
  for (std::uint64_t run = 0; run < 7; ++run) {
    const double start = thread_seconds();
    detail::cpu_advance(batch.view, run * steps, (run + 1) * steps, true, 1);
    best = std::min(best, thread_seconds() - start);
  }
  const double per_step = best / (static_cast<double>(devices * steps) * oscillators);
  std::printf("%-16s %7.3f ns per device-step on one thread -> %.3g device-steps/s on 2 threads\n", name,
              per_step * 1e9, 2 / per_step);
}

}  // namespace

int main() {
  measure<AutoOscillatorModel>("auto_oscillator", bench::auto_oscillator, 2e-12, 20000);
  measure<MacrospinModel>("macrospin", [](std::size_t) { return bench::reference_junction(300); }, 0.5e-12, 5000);
  measure<VortexModel>("vortex", [](std::size_t) { return torrejon2017_parameters(); }, 1e-11, 5000);
  measure<OscillatorNetworkModel<2>>("network2", bench::oscillator_network<2>, 2e-12, 10000, 2);
  measure<OscillatorNetworkModel<3>>("network3", bench::oscillator_network<3>, 2e-12, 10000, 3);
  measure<OscillatorNetworkModel<4>>("network4", bench::oscillator_network<4>, 2e-12, 2000, 4);
  return 0;
}
