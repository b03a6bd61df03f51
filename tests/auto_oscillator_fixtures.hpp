// Shared pieces of the auto-oscillator validation tests (tests/test_auto_oscillator.cpp): the
// analytic theory of one oscillator of the universal model, a reference oscillator in SI units,
// the {cpu, cuda} fixture, and trace access.
//
// The theory is that of A. Slavin and V. Tiberkevich, IEEE Trans. Magn. 45, 1875 (2009) (below:
// "ST09"), for the model of include/spinnet/models/auto_oscillator.hpp:
//   dc/dt = -i w(p) c - G+(p) c + G-(p) c + F(t) + f_n(t),  p = |c|^2,
//   w = w0 + N p,  G+ = G_G (1 + Q p),  G- = sigma I (1 - p),  zeta = I / I_th = sigma I / G_G.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <thread>
#include <utility>
#include <vector>

#include "physics_fixtures.hpp"
#include "spinnet/models/auto_oscillator.hpp"
#include "spinnet/core/constants.hpp"
#include "spinnet/engine/run.hpp"

namespace spinnet::auto_oscillator_test {

using physics_test::EngineCase;

/// What the theory says about one free-running oscillator (T = 0 unless stated).
struct OscillatorTheory {
  double zeta;     // supercriticality I / I_th
  double p0;       // stationary power, G+(p0) = G-(p0): (zeta - 1) / (zeta + Q) above threshold, 0 below
  double Gamma_p;  // power restoring rate p0 (dG+/dp - dG-/dp) at p0 = G_G (zeta - 1); small
                   // deviations of p relax as exp(-2 Gamma_p t)
  double omega;    // generation frequency w0 + N p0, rad/s
  double nu;       // dimensionless nonlinear frequency shift N p0 / Gamma_p
  double G_plus;   // positive damping G+(p0), 1/s
};

inline OscillatorTheory theory_of(const AutoOscillatorParameters& d) {
  OscillatorTheory t{};
  const double N = constants::two_pi * d.nonlinear_shift;
  t.zeta = d.current / d.threshold_current;
  t.p0 = t.zeta > 1 ? (t.zeta - 1) / (t.zeta + d.nonlinear_damping) : 0.0;
  t.Gamma_p = d.damping_rate * (t.zeta - 1);
  t.omega = constants::two_pi * d.frequency + N * t.p0;
  t.nu = t.zeta > 1 ? N * t.p0 / t.Gamma_p : 0.0;
  t.G_plus = d.damping_rate * (1 + d.nonlinear_damping * t.p0);
  return t;
}

/// Thermal linewidth, FWHM of the generation line in rad/s (J.-V. Kim, V. Tiberkevich and
/// A. N. Slavin, PRL 100, 017207 (2008); ST09 section on the generation linewidth):
/// G+(p0) (kB T / E(p0)) (1 + nu^2) with E(p0) = E0 p0. It is the low-temperature limit, valid when
/// it is much smaller than Gamma_p (V. S. Tiberkevich, A. N. Slavin and J.-V. Kim, PRB 78, 092401
/// (2008)): the line is then Lorentzian and linear in T.
inline double linewidth_fwhm(const AutoOscillatorParameters& d) {
  const OscillatorTheory t = theory_of(d);
  return t.G_plus * constants::boltzmann * d.temperature / (d.energy * t.p0) * (1 + t.nu * t.nu);
}

/// Half-width of the phase-locking band to a drive F e^{-i w_e t}, rad/s (ST09 section on phase
/// locking; the generalized Adler equation d psi/dt = Delta - Delta_L sin(psi - arctan nu)):
/// Delta_L = sqrt(1 + nu^2) |F| / sqrt(p0), valid for |F| << Gamma_p sqrt(p0).
inline double locking_half_width(const AutoOscillatorParameters& d, double drive_amplitude) {
  const OscillatorTheory t = theory_of(d);
  return std::sqrt(1 + t.nu * t.nu) * drive_amplitude / std::sqrt(t.p0);
}

/// A reference oscillator: G_G = 1e9 1/s, Q = 1, I_th = 1 mA, I = 2 mA (zeta = 2: p0 = 1/3,
/// Gamma_p = 1e9 1/s, G+(p0) = 4/3 1e9 1/s), no frequency shift, T = 0, starting on its stationary
/// orbit. Tests set the frequency, the shift and what they check.
inline AutoOscillatorParameters reference_oscillator() {
  AutoOscillatorParameters d{};
  d.frequency = 1e9;
  d.nonlinear_shift = 0;
  d.damping_rate = 1e9;
  d.nonlinear_damping = 1;
  d.threshold_current = 1e-3;
  d.current = 2e-3;
  d.temperature = 0;
  d.energy = 1e-18;
  d.signal_scale = 1;
  d.c0_re = std::sqrt(1.0 / 3.0);
  d.c0_im = 0;
  return d;
}

/// Sets the oscillator's frequency shift and w0 so that its generation frequency is
/// `generation_frequency` (Hz) and its nu is `nu` (above threshold).
inline void set_frequency_and_nu(AutoOscillatorParameters& d, double generation_frequency, double nu) {
  const OscillatorTheory t = theory_of(d);
  const double N = nu * t.Gamma_p / t.p0;  // rad/s
  d.nonlinear_shift = N / constants::two_pi;
  d.frequency = generation_frequency - N * t.p0 / constants::two_pi;
}

/// Cases that run one batch on each backend (tests whose measurement needs many devices at once).
inline std::vector<EngineCase> backend_cases() { return {{Backend::cpu, true}, {Backend::cuda, true}}; }

/// Fixture of the {cpu, cuda} x {one device per run, a batch} grid: CUDA cases skip where this
/// build or machine has no CUDA device, and are required where one is.
class AutoOscillatorTest : public ::testing::TestWithParam<EngineCase> {
 protected:
  using Problem = ModelProblem<AutoOscillatorModel>;
  using Result = ModelResult<AutoOscillatorModel>;

  void SetUp() override {
    if (GetParam().backend == Backend::cuda && !cuda_available()) {
      GTEST_SKIP() << "no CUDA device visible (or built without CUDA)";
    }
  }

  /// Runs on the case's backend. On the CPU, with no more threads than SIMD blocks of devices:
  /// an OpenMP thread without a block only waits at each chunk's barrier, which on a loaded
  /// machine cost these small batches ten times their compute.
  Result run(const Problem& problem) const {
    RunOptions options;
    options.backend = GetParam().backend;
    const std::size_t lanes = problem.control.precision == Precision::float32 ? 16 : 8;  // 64-byte vectors
    const std::size_t blocks = (problem.devices.size() + lanes - 1) / lanes;
    options.threads = static_cast<int>(std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, blocks));
    return run_model(problem, options);
  }

  /// What a test reads back about one device.
  struct DeviceRecord {
    double mean_power;      // <p> over the averaged steps
    double mean_omega;      // mean phase velocity over the averaged steps, rad/s
    double final_power;     // p after the last step
    std::vector<double> t;  // trace times, s
    std::vector<double> power;  // traced p
  };

  /// Runs the problem's devices in one batch (batch cases) or each alone (one-device cases, with
  /// the global device id it has in the batch, so that both see the same noise), tracing every
  /// device every `trace_every` steps.
  std::vector<DeviceRecord> run_devices(Problem problem, std::uint64_t trace_every) const {
    std::vector<Problem> runs;
    if (GetParam().batch) {
      runs.push_back(problem);
    } else {
      for (std::size_t i = 0; i < problem.devices.size(); ++i) {
        Problem one = problem;
        one.devices = {problem.devices[i]};
        one.control.first_device_id = problem.control.first_device_id + static_cast<std::uint32_t>(i);
        if (problem.drive.schedule.kind != ScheduleKind::none) {
          for (auto& sample : one.drive.schedule.values) sample = {sample[i]};
        }
        runs.push_back(one);
      }
    }
    std::vector<DeviceRecord> records;
    for (Problem& one : runs) {
      trace_all(one, trace_every);
      const Result r = run(one);
      const std::size_t columns = one.devices.size();
      for (std::size_t k = 0; k < columns; ++k) {
        DeviceRecord d;
        d.mean_power = r.mean(k, &AutoOscillatorAccumulators::power);
        d.mean_omega = r.mean(k, &AutoOscillatorAccumulators::phase) / one.control.dt;
        d.final_power = r.final_state[k].re * r.final_state[k].re + r.final_state[k].im * r.final_state[k].im;
        d.t = r.trace_time;
        for (std::uint64_t s = 0; s < r.trace_samples; ++s) d.power.push_back(traced_power(r, columns, s, k));
        records.push_back(std::move(d));
      }
    }
    return records;
  }

  static void trace_all(Problem& problem, std::uint64_t every) {
    problem.control.trace_every = every;
    problem.control.trace_devices.clear();
    for (std::size_t i = 0; i < problem.devices.size(); ++i) {
      problem.control.trace_devices.push_back(static_cast<std::uint32_t>(i));
    }
  }

  static double traced_power(const Result& r, std::size_t columns, std::uint64_t s, std::size_t k) {
    const auto& c = r.trace_state[static_cast<std::size_t>(s) * columns + k];
    return c.re * c.re + c.im * c.im;
  }
};

}  // namespace spinnet::auto_oscillator_test
