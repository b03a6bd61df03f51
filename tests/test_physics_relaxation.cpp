// Damped relaxation of an isotropic moment (no anisotropy, N = 0, T = 0) toward a uniform field.
//
// Analytic result: with H_eff = H fixed, the explicit LL equation
//   dm/dt = -gamma0/(1+alpha^2) [m x H + alpha m x (m x H)]
// gives for the angle theta between m and H (the precession about H does not change theta)
//   dtheta/dt = -alpha gamma0 H sin(theta) / (1 + alpha^2),
// whose solution is
//   tan(theta/2) = tan(theta0/2) exp(-t/tau),   tau = (1 + alpha^2) / (alpha gamma0 H)
// (R. Kikuchi, J. Appl. Phys. 27, 1352 (1956); J. C. Mallinson, IEEE Trans. Magn. 23, 2003 (1987)).
// The test fits ln tan(theta/2) against t over the trace and compares -1/slope with tau.
//
// Tolerance: the issue asks for 1%. Near the field the motion is the linear complex rate
// z = -gamma0 H dt (alpha + i) / (1 + alpha^2) per step, which Heun replaces by ln(1 + z + z^2/2) =
// z - z^3/6 + O(z^4); the relative error of the decay rate is then (w dt)^2 (3 - alpha^2)/6 <=
// (w dt)^2 / 2 with w = gamma0 H / (1 + alpha^2); at large angles the error is of the same order.
// With dt = 0.5 ps and H <= 200 kA/m, (w dt)^2 / 2 <= 2.5e-4, so the test uses 1e-3 (four times the
// Heun bound, ten times tighter than the issue). The fit itself adds nothing: the exact solution is a
// straight line in these coordinates, and float64 resolves theta down to the 1e-7 cut used here.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "physics_fixtures.hpp"

namespace spinnet::physics_test {
namespace {

using DampedRelaxation = PhysicsTest;

struct RelaxationDevice {
  double alpha;
  double H;       // field magnitude, A/m
  double polar;   // field direction, rad
  double azimuth;
  double theta0;  // initial angle between m and H, rad
};

std::vector<RelaxationDevice> relaxation_devices(bool batch) {
  const double degree = constants::pi / 180;
  if (!batch) return {{0.1, 1e5, 0, 0, 170 * degree}};
  // 11 devices: damping from 0.05 to 1, fields from 50 to 200 kA/m along varied directions, initial
  // angles from 30 to 175 degrees.
  const double alphas[] = {0.05, 0.08, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.7, 0.85, 1.0};
  std::vector<RelaxationDevice> devices;
  for (int k = 0; k < 11; ++k) {
    devices.push_back({alphas[k], 5e4 + 1.5e4 * k, (20.0 + 15.0 * k) * degree, (40.0 * k) * degree,
                       (175.0 - 14.5 * k) * degree});
  }
  return devices;
}

/// Unit vector with polar angle `polar` and azimuth `azimuth`.
Vec3<double> direction(double polar, double azimuth) {
  return {std::sin(polar) * std::cos(azimuth), std::sin(polar) * std::sin(azimuth), std::cos(polar)};
}

TEST_P(DampedRelaxation, TimeConstantMatchesKikuchi) {
  const std::vector<RelaxationDevice> devices = relaxation_devices(GetParam().batch);
  MacrospinProblem problem;
  std::vector<Vec3<double>> field_axis;
  for (const RelaxationDevice& d : devices) {
    MacrospinParameters<double> p = quiet_junction();
    p.alpha = d.alpha;
    const Vec3<double> h = direction(d.polar, d.azimuth);
    p.Hx = d.H * h.x, p.Hy = d.H * h.y, p.Hz = d.H * h.z;
    // m0 at angle theta0 from h, in the plane of h and z (or of h and x when h is along z).
    const Vec3<double> reference = std::abs(h.z) > 0.9 ? Vec3<double>{1, 0, 0} : Vec3<double>{0, 0, 1};
    const Vec3<double> side = cross(h, reference);
    const double side_norm = std::sqrt(dot(side, side));
    const Vec3<double> e = (1 / side_norm) * side;
    const Vec3<double> m0 = std::cos(d.theta0) * h + std::sin(d.theta0) * e;
    p.m0x = m0.x, p.m0y = m0.y, p.m0z = m0.z;
    problem.devices.push_back(p);
    field_axis.push_back(h);
  }
  // 20 ns: eleven time constants of the slowest device (alpha = 0.05, 50 kA/m: tau = 1.8 ns).
  problem.dt = 0.5e-12;
  problem.steps = 40000;
  problem.precision = Precision::float64;
  trace_all(problem, 5);  // at least 18 samples per time constant (fastest: tau = 45 ps)

  const MacrospinResult result = run(problem);

  for (std::size_t k = 0; k < devices.size(); ++k) {
    SCOPED_TRACE("device " + std::to_string(k));
    const RelaxationDevice& d = devices[k];
    const double tau = (1 + d.alpha * d.alpha) / (d.alpha * gamma0 * d.H);
    std::printf("  device %zu: alpha %.2f, H = %.3g A/m, theta0 %.1f deg, tau %.4g ns\n", k, d.alpha, d.H,
                d.theta0 * 180 / constants::pi, tau * 1e9);
    // ln tan(theta/2) against t, from t = 0 down to theta = 1e-7 (float64 resolves theta there to
    // ~1e-9 relative).
    std::vector<double> t{0.0}, log_tan{std::log(std::tan(d.theta0 / 2))};
    for (std::uint64_t s = 0; s < result.trace_samples; ++s) {
      const TracePoint m = trace_point(result, devices.size(), s, k);
      const Vec3<double> mv{m.x, m.y, m.z};
      const Vec3<double> transverse = cross(mv, field_axis[k]);
      const double theta = std::atan2(std::sqrt(dot(transverse, transverse)), dot(mv, field_axis[k]));
      if (theta < 1e-7) break;
      t.push_back(m.t);
      log_tan.push_back(std::log(std::tan(theta / 2)));
    }
    ASSERT_GE(t.size(), 100u) << "too few trace samples before theta reached 1e-7";
    ASSERT_LT(log_tan.front() - log_tan.back(), 1e3);
    EXPECT_GT(log_tan.front() - log_tan.back(), 8.0) << "the fit should span at least 8 time constants";
    const Line line = fit_line(t, log_tan);
    const double omega_dt = gamma0 * d.H * problem.dt / (1 + d.alpha * d.alpha);
    const double heun_bound = omega_dt * omega_dt / 2;
    ASSERT_LT(heun_bound, 2.5e-4);  // the premise of the 1e-3 tolerance
    expect_relative("tau from fit vs (1+alpha^2)/(alpha gamma0 H)", -1 / line.slope, tau, 1e-3);
  }
}

INSTANTIATE_TEST_SUITE_P(physics, DampedRelaxation, ::testing::ValuesIn(engine_cases()), case_name);

}  // namespace
}  // namespace spinnet::physics_test
