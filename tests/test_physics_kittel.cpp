// Kittel resonance of a thin film (N = diag(0, 0, 1)), from the small-angle ringdown (T = 0).
//
// Analytic result (C. Kittel, Phys. Rev. 73, 155 (1948): for an ellipsoid with the field along its
// principal axis c, w = gamma0 sqrt((H + (Na - Nc) Ms)(H + (Nb - Nc) Ms)); its thin-film cases are
//   in-plane field H:                    f = gamma0/(2 pi) sqrt(H (H + Ms))
//   perpendicular field H > Ms:          f = gamma0/(2 pi) (H - Ms)
// Each device starts 1e-3 rad from its equilibrium (along H in both cases) and rings down with a
// small damping; the frequency is counted from the upward zero crossings of one transverse component
// of m in the trace: f = (crossings - 1) / (t_last - t_first). In the linear regime that component
// is exactly A exp(-s t) cos(w_d t + phi), so its zero crossings are spaced by exactly 1/f_d; the
// linear interpolation of a crossing between trace samples dt_s apart errs by at most about
// s dt_s^2 / 4 (the curvature at a zero comes from the decay only), 1e-17 s here, negligible
// against the 20 ns span.
//
// Error budget, per device (the tolerance is twice its sum, and at most 5e-4 here, ten times tighter
// than the 0.5%):
//   * damping: with Gilbert damping the linearized LL equation (stiffness fields H1, H2; H1 = H,
//     H2 = H + Ms in plane; H1 = H2 = H - Ms perpendicular) has
//       w_d^2 = gamma0^2 H1 H2 / (1 + alpha^2) - (alpha gamma0 (H1 + H2) / (2 (1 + alpha^2)))^2,
//     so |f_d / f_Kittel - 1| is computed exactly (alpha = 0.002: below 5e-5);
//   * Heun phase error: (w dt)^2 / 6 per unit phase (see test_physics_larmor.cpp), below 1.5e-4 at
//     dt = 0.25 ps;
//   * finite amplitude: the frequency shift of a precession of amplitude theta0 = 1e-3 is of order
//     theta0^2 (1 + Ms / H1) (for the perpendicular case exactly Ms theta0^2 / (2 (H - Ms))), below
//     1e-4 for every device here.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "physics_fixtures.hpp"

namespace spinnet::physics_test {
namespace {

using KittelResonance = PhysicsTest;

constexpr double ringdown_alpha = 0.002;
constexpr double ringdown_amplitude = 1e-3;  // rad

struct FilmDevice {
  double Ms;       // A/m
  double H;        // field magnitude, A/m
  double azimuth;  // in-plane field: its direction in the film plane; perpendicular: tilt direction
};

/// Frequency of the upward zero crossings of a sampled signal: (crossings - 1) / (t_last - t_first),
/// each crossing located by linear interpolation between the two samples around it.
double crossing_frequency(const std::vector<double>& t, const std::vector<double>& signal) {
  std::vector<double> crossings;
  for (std::size_t s = 0; s + 1 < signal.size(); ++s) {
    if (signal[s] < 0 && signal[s + 1] >= 0) {
      crossings.push_back(t[s] + (t[s + 1] - t[s]) * (-signal[s]) / (signal[s + 1] - signal[s]));
    }
  }
  if (crossings.size() < 2) return 0;
  return static_cast<double>(crossings.size() - 1) / (crossings.back() - crossings.front());
}

/// Damped eigenfrequency of the linearized LL equation with stiffness fields H1, H2 (see above).
double damped_frequency(double H1, double H2) {
  const double a2 = ringdown_alpha * ringdown_alpha;
  const double w2 = gamma0 * gamma0 * H1 * H2 / (1 + a2) -
                    std::pow(ringdown_alpha * gamma0 * (H1 + H2) / (2 * (1 + a2)), 2);
  return std::sqrt(w2) / constants::two_pi;
}

struct Ringdown {
  MacrospinProblem problem;
  std::vector<Vec3<double>> tilt_axis;
};

Ringdown make_ringdown(const std::vector<FilmDevice>& devices, bool in_plane) {
  Ringdown r;
  for (const FilmDevice& d : devices) {
    MacrospinParameters<double> p = quiet_junction();
    p.alpha = ringdown_alpha;
    p.Ms = d.Ms;
    p.Nx = 0, p.Ny = 0, p.Nz = 1;
    Vec3<double> h, e;
    if (in_plane) {
      h = {std::cos(d.azimuth), std::sin(d.azimuth), 0};
      e = {-std::sin(d.azimuth), std::cos(d.azimuth), 0};  // in-plane, transverse to H
    } else {
      h = {0, 0, 1};
      e = {std::cos(d.azimuth), std::sin(d.azimuth), 0};
    }
    p.Hx = d.H * h.x, p.Hy = d.H * h.y, p.Hz = d.H * h.z;
    const Vec3<double> m0 = std::cos(ringdown_amplitude) * h + std::sin(ringdown_amplitude) * e;
    p.m0x = m0.x, p.m0y = m0.y, p.m0z = m0.z;
    r.problem.devices.push_back(p);
    r.tilt_axis.push_back(e);
  }
  // 20 ns at 0.25 ps: 60 to 1500 periods, and 4 to 8 ringdown times (the amplitude stays above
  // 1e-6, far above float64 rounding).
  r.problem.dt = 0.25e-12;
  r.problem.steps = 80000;
  r.problem.precision = Precision::float64;
  trace_all(r.problem, 2);
  return r;
}

std::vector<double> measured_frequencies(const Ringdown& r, const MacrospinResult& result) {
  std::vector<double> f;
  const std::size_t columns = r.problem.devices.size();
  for (std::size_t k = 0; k < columns; ++k) {
    std::vector<double> t(result.trace_samples), signal(result.trace_samples);
    for (std::uint64_t s = 0; s < result.trace_samples; ++s) {
      const TracePoint m = trace_point(result, columns, s, k);
      t[s] = m.t;
      signal[s] = m.x * r.tilt_axis[k].x + m.y * r.tilt_axis[k].y + m.z * r.tilt_axis[k].z;
    }
    f.push_back(crossing_frequency(t, signal));
  }
  return f;
}

/// Checks one device against Kittel with the budget above; H1, H2 are its stiffness fields.
void check_kittel(const char* formula, double f_measured, double f_kittel, double H1, double H2, double Ms,
                  double dt) {
  const double damping = std::abs(damped_frequency(H1, H2) / f_kittel - 1);
  const double w_dt = constants::two_pi * f_kittel * dt;
  const double heun = w_dt * w_dt / 6;
  const double amplitude = ringdown_amplitude * ringdown_amplitude * (1 + Ms / std::min(H1, H2));
  const double tolerance = 2 * (damping + heun + amplitude);
  ASSERT_LE(tolerance, 5e-4);  // premise stated above
  expect_relative(formula, f_measured, f_kittel, tolerance);
}

TEST_P(KittelResonance, InPlaneField) {
  std::vector<FilmDevice> devices{{8e5, 4e4, 0}};
  if (GetParam().batch) {
    // 9 devices: Ms from 6e5 to 1.2e6 A/m, fields 10 to 200 kA/m along varied in-plane directions.
    devices.clear();
    const double fields[] = {1e4, 2e4, 3e4, 4e4, 6e4, 8e4, 1.2e5, 1.6e5, 2e5};
    for (int k = 0; k < 9; ++k) devices.push_back({6e5 + 7.5e4 * k, fields[k], 0.6 * k});
  }
  const Ringdown ringdown = make_ringdown(devices, true);
  const std::vector<double> f = measured_frequencies(ringdown, run(ringdown.problem));
  for (std::size_t k = 0; k < devices.size(); ++k) {
    SCOPED_TRACE("device " + std::to_string(k));
    const FilmDevice& d = devices[k];
    std::printf("  device %zu: Ms = %.3g A/m, in-plane H = %.3g A/m\n", k, d.Ms, d.H);
    const double f_kittel = gamma0 / constants::two_pi * std::sqrt(d.H * (d.H + d.Ms));
    check_kittel("f vs gamma0/2pi sqrt(H (H + Ms))", f[k], f_kittel, d.H, d.H + d.Ms, d.Ms, ringdown.problem.dt);
  }
}

TEST_P(KittelResonance, PerpendicularField) {
  std::vector<FilmDevice> devices{{8e5, 1.1e6, 0}};
  if (GetParam().batch) {
    // 7 devices: Ms from 6e5 to 1.2e6 A/m, H - Ms from 50 to 400 kA/m, varied tilt directions.
    devices.clear();
    const double excess[] = {5e4, 1e5, 1.5e5, 2e5, 2.5e5, 3e5, 4e5};
    for (int k = 0; k < 7; ++k) {
      const double Ms = 6e5 + 1e5 * k;
      devices.push_back({Ms, Ms + excess[k], 0.9 * k});
    }
  }
  const Ringdown ringdown = make_ringdown(devices, false);
  const std::vector<double> f = measured_frequencies(ringdown, run(ringdown.problem));
  for (std::size_t k = 0; k < devices.size(); ++k) {
    SCOPED_TRACE("device " + std::to_string(k));
    const FilmDevice& d = devices[k];
    std::printf("  device %zu: Ms = %.3g A/m, perpendicular H = %.4g A/m\n", k, d.Ms, d.H);
    const double f_kittel = gamma0 / constants::two_pi * (d.H - d.Ms);
    check_kittel("f vs gamma0/2pi (H - Ms)", f[k], f_kittel, d.H - d.Ms, d.H - d.Ms, d.Ms, ringdown.problem.dt);
  }
}

INSTANTIATE_TEST_SUITE_P(physics, KittelResonance, ::testing::ValuesIn(engine_cases()), case_name);

}  // namespace
}  // namespace spinnet::physics_test
