// Larmor precession: an undamped moment in a uniform field, no anisotropy, no demagnetization, T = 0.
//
// Analytic result (L. D. Landau and E. M. Lifshitz, Phys. Z. Sowjetunion 8, 153 (1935); any text,
// e.g. J. M. D. Coey, "Magnetism and Magnetic Materials" (2010), sec. 3.2.1): with alpha = 0 the LL
// equation is dm/dt = -gamma0 m x H, a rigid rotation about H at angular frequency gamma0 H, so
//   f = gamma0 H / (2 pi)   (positive = counter-clockwise about +z for H along +z),
//   |m| = 1 and m.H (here m_z) are constants of the motion.
//
// What the integrator does to it (exactly, because the right-hand side is linear in m here): one
// Heun step is m -> (1 + dt L + dt^2 L^2 / 2) m with L m = -gamma0 m x H. On the component of m
// transverse to H it multiplies the complex amplitude by 1 + i theta - theta^2 / 2, theta =
// gamma0 |H| dt; the component along H is untouched; then m is renormalized. Hence
//   * phase per step  phi = atan2(theta, 1 - theta^2/2) = theta (1 + theta^2/6 - theta^4/20 + ...):
//     the Heun phase error of the frequency is at most theta^2 / 6 (relative);
//   * the transverse amplitude grows by (1 + theta^4/4)^(1/2) per step before renormalization,
//     so tan(Theta_n) = tan(Theta_0) (1 + theta^4/4)^(n/2): m_z is conserved up to this O(theta^4)
//     per-step amplitude error, which the test predicts and checks;
//   * the norm drifts by about sin^2(Theta) theta^4 / 8 per step before renormalization, far below
//     the 1e-6 set as problem.drift_limit, so the engine itself throws RunError if any single step
//     drifts by more than 1e-6.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "physics_fixtures.hpp"

namespace spinnet::physics_test {
namespace {

using LarmorPrecession = PhysicsTest;

struct LarmorDevice {
  double H;      // field along z, A/m (negative: along -z, clockwise precession)
  double tilt;   // initial angle between m and +z, rad
};

std::vector<LarmorDevice> larmor_devices(bool batch) {
  if (!batch) return {{1e5, 0.5}};
  // 13 devices (not a multiple of the SIMD width, so the padded lanes are exercised), fields of
  // both signs from 20 to 200 kA/m (25 to 250 mT), tilts from 10 to 160 degrees.
  std::vector<LarmorDevice> devices;
  for (int k = 0; k < 13; ++k) {
    const double H = (2e4 + 1.5e4 * k) * (k % 3 == 2 ? -1.0 : 1.0);
    const double tilt = (10.0 + 12.5 * k) * constants::pi / 180.0;
    devices.push_back({H, tilt});
  }
  return devices;
}

TEST_P(LarmorPrecession, FrequencyNormAndFieldProjection) {
  const std::vector<LarmorDevice> devices = larmor_devices(GetParam().batch);
  MacrospinProblem problem;
  for (std::size_t k = 0; k < devices.size(); ++k) {
    MacrospinParameters<double> p = quiet_junction();
    p.alpha = 0;  // undamped, through the API
    p.Hz = devices[k].H;
    const double azimuth = 0.7 * static_cast<double>(k);
    p.m0x = std::sin(devices[k].tilt) * std::cos(azimuth);
    p.m0y = std::sin(devices[k].tilt) * std::sin(azimuth);
    p.m0z = std::cos(devices[k].tilt);
    problem.devices.push_back(p);
  }
  problem.dt = 0.5e-12;
  problem.steps = 100000;
  problem.transient_steps = 0;
  problem.frequency_axis = {0, 0, 1};
  problem.drift_limit = 1e-6;  // the engine throws if | |m| - 1 | > 1e-6 after any single step
  problem.precision = Precision::float64;
  trace_all(problem, 1000);

  const MacrospinResult result = run(problem);  // throws RunError on a drift above 1e-6

  const std::size_t columns = devices.size();
  ASSERT_EQ(result.trace_samples, problem.steps / problem.trace_every);
  for (std::size_t k = 0; k < devices.size(); ++k) {
    SCOPED_TRACE("device " + std::to_string(k));
    std::printf("  device %zu: H = %+.3g A/m, tilt %.1f deg\n", k, devices[k].H, devices[k].tilt * 180 / constants::pi);
    const double H = devices[k].H;
    const double theta = gamma0 * std::abs(H) * problem.dt;
    const double f_larmor = gamma0 * H / constants::two_pi;

    // Frequency: analytic gamma0 H / 2 pi within the Heun phase error theta^2/6 (here 8e-7 to
    // 8e-5 relative), plus 1e-10 for the rounding of 1e5 summed phase increments.
    const double heun_phase_error = theta * theta / 6;
    expect_relative("f vs gamma0 H / 2 pi", result.frequency[k], f_larmor, heun_phase_error + 1e-10);
    // ... and exactly the phase the Heun map turns per step, to rounding (1e-10 relative): this pins
    // gamma0, the sign convention and the frequency estimator far below the Heun error itself.
    const double f_heun = std::copysign(std::atan2(theta, 1 - theta * theta / 2), H) / (constants::two_pi * problem.dt);
    expect_relative("f vs Heun map atan2(theta, 1 - theta^2/2)", result.frequency[k], f_heun, 1e-10);

    // m_z = m.H/|H| conserved up to the predicted O(theta^4) Heun amplitude drift; |m| = 1 to 1e-6
    // at every trace sample (and at the end).
    const double tan0 = std::tan(devices[k].tilt);
    const double mz0 = std::cos(devices[k].tilt);
    double worst_mz_drift = 0;
    double mz_heun_end = mz0;
    for (std::uint64_t s = 0; s < result.trace_samples; ++s) {
      const TracePoint m = trace_point(result, columns, s, k);
      const double n = static_cast<double>((s + 1) * problem.trace_every);
      const double tan_n = tan0 * std::exp(n / 2 * std::log1p(std::pow(theta, 4) / 4));
      const double mz_heun = std::copysign(1.0 / std::sqrt(1 + tan_n * tan_n), mz0);
      ASSERT_NEAR(std::sqrt(m.x * m.x + m.y * m.y + m.z * m.z), 1.0, 1e-6) << "sample " << s;
      // Analytic invariant, within the predicted Heun drift (bounded by its value at the end).
      ASSERT_LE(std::abs(m.z - mz0), std::abs(mz_heun - mz0) + 1e-10) << "sample " << s;
      // Predicted drift itself, to rounding (1e-10 absolute over 1e5 renormalizations).
      ASSERT_NEAR(m.z, mz_heun, 1e-10) << "sample " << s;
      worst_mz_drift = std::max(worst_mz_drift, std::abs(m.z - mz0));
      mz_heun_end = mz_heun;
    }
    std::printf("    m_z drift over 1e5 steps %.3e (Heun prediction %.3e)\n", worst_mz_drift,
                std::abs(mz_heun_end - mz0));
    const double norm = std::sqrt(result.final_mx[k] * result.final_mx[k] + result.final_my[k] * result.final_my[k] +
                                  result.final_mz[k] * result.final_mz[k]);
    expect_close("final |m|", norm, 1.0, 1e-6);
  }
}

INSTANTIATE_TEST_SUITE_P(physics, LarmorPrecession, ::testing::ValuesIn(engine_cases()), case_name);

}  // namespace
}  // namespace spinnet::physics_test
