// Temporal convergence of the deterministic integrator (T = 0, float64).
//
// Analytic result: Heun's method (the explicit trapezoidal rule) is a second-order Runge-Kutta
// method: the global error at a fixed time is C dt^2 + O(dt^3) (E. Hairer, S. P. Norsett and
// G. Wanner, "Solving Ordinary Differential Equations I", 2nd ed., Springer (1993), sec. II.1).
// The exact flow stays on the unit sphere, so a step's local error O(dt^3) bounds how far it leaves
// the sphere; projecting m back after every step therefore moves it by O(dt^3) and the projected
// scheme stays second order. With the stochastic field off, the engine's stochastic Heun is exactly
// this method.
//
// Every term of the right-hand side is switched on (tilted field, tilted uniaxial anisotropy,
// demagnetization with three different factors, damping-like and field-like spin torque through a
// tilted polarizer with lambda != 0), so that no term escapes the check. The final m after 0.2 ns
// at dt = 0.2, 0.1, 0.05, 0.025 ps is compared with a reference at dt = 0.2/128 ps; the observed
// order log2(e(dt) / e(dt/2)) must lie in [1.8, 2.2] for each halving. The coarse dt is chosen so
// that w dt <= 0.04 for the largest effective field met (asymptotic regime: the O(dt^3) term changes
// the order by about w dt); the reference error is (1/16)^2 of the finest tested error and shifts
// the last order by at most 0.01; float64 rounding (about 1e-13 after 1e5 steps) is more than five
// orders below the smallest tested error (3e-7).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "physics_fixtures.hpp"

namespace spinnet::physics_test {
namespace {

using TemporalConvergence = PhysicsTest;

/// A junction with every interaction on, varied with k.
MacrospinParameters<double> busy_junction(int k) {
  MacrospinParameters<double> p = quiet_junction();
  p.alpha = 0.02 + 0.03 * k;
  p.Ms = 8e5 + 5e4 * k;
  p.Hk = 5e4 + 1e4 * k;
  p.ux = 0.3, p.uy = 0.1 * k, p.uz = 1;
  p.Nx = 0.1, p.Ny = 0.2, p.Nz = 0.7;
  p.Hx = 3e4, p.Hy = 1e4 * (k - 1), p.Hz = 8e4;
  p.px = 1, p.py = 0.2 * k, p.pz = 1;
  p.polarization = 0.5;
  p.lambda = 0.3;
  p.beta = 0.2;
  p.current = -0.5e-3 * (1 + 0.2 * k);
  p.m0x = 1, p.m0y = 0.5 - 0.2 * k, p.m0z = 0.3;
  return p;
}

TEST_P(TemporalConvergence, SecondOrderInTheTimeStep) {
  const int device_count = GetParam().batch ? 5 : 1;
  const double duration = 0.2e-9;
  const double coarse_dt = 0.2e-12;
  auto final_states = [&](double dt) {
    MacrospinProblem problem;
    for (int k = 0; k < device_count; ++k) problem.devices.push_back(busy_junction(k));
    problem.dt = dt;
    problem.steps = static_cast<std::uint64_t>(std::llround(duration / dt));
    problem.precision = Precision::float64;
    const MacrospinResult r = run(problem);
    std::vector<Vec3<double>> m;
    for (int k = 0; k < device_count; ++k) m.push_back({r.final_mx[k], r.final_my[k], r.final_mz[k]});
    return m;
  };
  const std::vector<Vec3<double>> reference = final_states(coarse_dt / 128);
  std::vector<std::vector<Vec3<double>>> runs;
  for (int level = 0; level < 4; ++level) runs.push_back(final_states(coarse_dt / (1 << level)));

  for (int k = 0; k < device_count; ++k) {
    SCOPED_TRACE("device " + std::to_string(k));
    std::vector<double> error;
    for (const auto& run_states : runs) {
      const Vec3<double> d = run_states[k] - reference[k];
      error.push_back(std::sqrt(dot(d, d)));
    }
    std::printf("  device %d: |m(dt) - m_ref| at dt = 0.2, 0.1, 0.05, 0.025 ps: %.3e %.3e %.3e %.3e\n", k, error[0],
                error[1], error[2], error[3]);
    ASSERT_GT(error[3], 1e-9) << "finest error must stay far above float64 rounding";
    for (int level = 0; level + 1 < 4; ++level) {
      const double order = std::log2(error[level] / error[level + 1]);
      expect_close("observed order, dt = " + std::to_string(0.2 / (1 << level)) + " ps -> half", order, 2.0, 0.2);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(physics, TemporalConvergence, ::testing::ValuesIn(engine_cases()), case_name);

}  // namespace
}  // namespace spinnet::physics_test
