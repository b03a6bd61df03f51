#include <gtest/gtest.h>
#include <cstdio>
#include "spinnet/auto_oscillator.hpp"
#include "spinnet/run.hpp"
#include "spinnet/spectrum.hpp"
using namespace spinnet;
static void probe(bool thermal, bool tone, Precision prec, std::size_t n, std::uint64_t steps, int trace) {
  ModelProblem<AutoOscillatorModel> pr;
  for (std::size_t i = 0; i < n; ++i) {
    AutoOscillatorParameters p{};
    p.frequency = 1e9; p.nonlinear_shift = -1e9; p.damping_rate = 1e9; p.nonlinear_damping = 0;
    p.threshold_current = 1e-3; p.current = 2e-3; p.temperature = thermal ? 300 : 0; p.energy = 1e-18;
    p.signal_scale = 1; p.c0_re = 0.7; p.c0_im = 0;
    pr.devices.push_back(p);
  }
  if (tone) { ToneInput t; t.amplitude_x.assign(n, 1e7); t.frequency.assign(n, 1e8); t.phase.assign(n, 0); pr.drive.vector_tones.push_back(t); }
  pr.control.dt = 5e-11; pr.control.steps = steps; pr.control.precision = prec;
  if (trace) { pr.control.trace_every = trace; for (std::size_t i = 0; i < n; ++i) pr.control.trace_devices.push_back(i); }
  RunOptions o; o.backend = Backend::cpu;
  auto r = run_model(pr, o);
  std::printf("thermal %d tone %d prec %d n %zu: %.3g dev-steps/s, %.2f s (%s)\n", thermal, tone, (int)(prec==Precision::float64), n, r.device_steps_per_second, r.wall_seconds, r.backend.c_str());
}
TEST(Probe, Throughput) {
  probe(false, false, Precision::float32, 64, 200000, 0);
  probe(true, false, Precision::float32, 64, 200000, 0);
  probe(true, false, Precision::float32, 64, 200000, 10);
  probe(false, true, Precision::float32, 64, 200000, 0);
  probe(false, false, Precision::float64, 64, 100000, 0);
  probe(false, true, Precision::float64, 64, 100000, 0);
  probe(true, false, Precision::float64, 64, 100000, 0);
}
