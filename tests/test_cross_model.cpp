// Cross-model check: a macrospin spin-torque nano-oscillator (include/spinnet/models/macrospin.hpp) and
// the universal auto-oscillator (include/spinnet/models/auto_oscillator.hpp) mapped onto it agree on the
// generation frequency f(I) and power p(I) within 10 % up to 1.5 I_th, and on I_th itself. The
// mapping and the fitted numbers are written up in docs/cross_model.md.
//
// The junction: m, the polarizer p and the field H all along z (axial symmetry), a thin film
// (Nx = Ny = 0, Nz = 1, Hk = 0) held out of plane by H > Ms, T = 0. The precession is then a circle
// of constant polar angle theta around z, and the auto-oscillator's power and frequency are
// (A. Slavin and V. Tiberkevich, IEEE Trans. Magn. 45, 1875 (2009), "ST09", section on the
// perpendicularly magnetized free layer)
//   p = sin^2(theta / 2) = (1 - <m_z>) / 2,   f = precession frequency around z.
//
// Derivation for the engine's explicit LL form (the threshold derivation of
// test_physics_spin_torque.cpp, redone at finite theta):
//   dm/dt = -g [m x H + alpha m x (m x H) + (aJ + alpha bJ) m x (m x p) + (bJ - alpha aJ) m x p],
//   g = gamma0 / (1 + alpha^2), aJ = A eta I, A = hbar / (2 e mu0 Ms V), bJ = beta aJ,
//   eta = P / (1 + lambda cos theta).
// With Nx = Ny the field is H_eff = (H + Ha cos theta) z - Nx Ms m, Ha = Hk - (Nz - Nx) Ms, and the
// last term exerts no torque. In spherical coordinates m x z = -sin(theta) e_phi and
// m x (m x z) = sin(theta) e_theta, so
//   dtheta/dt = -g sin(theta) [alpha (H + Ha cos theta) + (1 + alpha beta) aJ(theta)],
//   dphi/dt   =  g [H + Ha cos theta + (beta - alpha) aJ(theta)].
// With cos theta = 1 - 2p, H0 = H + Ha, kappa = -2 Ha / H0 and mu = 2 lambda / (1 + lambda):
//   dp/dt = (sin(theta) / 2) dtheta/dt = 2 p [G-(p) - G+(p)],
//   G+(p) = G_G (1 - p)(1 + kappa p),       G_G   = g alpha H0,
//   G-(p) = sigma I (1 - p) / (1 - mu p),    sigma = g (1 + alpha beta) A P / (1 + lambda),
//   w(p)  = g [H0 + 2 |Ha| p - alpha (beta - alpha) H0 zeta / ((1 + alpha beta)(1 - mu p))],
// with I and sigma taken as magnitudes (in the engine the parallel state is destabilized by I < 0
// when p = +z) and zeta = I / I_th. G- is ST09's sigma I (1 - p) times 1 / (1 - mu p), G+ is
// ST09's G_G (1 + Q p) to first order in p; the stationary orbit solves G+ = G-:
//   (1 + kappa p)(1 - mu p) = zeta                                  (macrospin, exact)
//   (1 + Q p) / (1 - p)    = zeta,  i.e. p0 = (zeta - 1)/(zeta + Q)   (auto-oscillator).
//
// Mapping (first order in p, at threshold):
//   w0   = g H0 (1 + alpha^2)/(1 + alpha beta) = gamma0 H0 / (1 + alpha beta)  (w at p = 0, zeta = 1)
//   N    = 2 g |Ha| = 2 g Ms here                 (exactly linear in p for this geometry)
//   G_G  = g alpha H0
//   I_th = G_G / sigma = alpha H0 (1 + lambda) / ((1 + alpha beta) A P)
//   Q    = kappa - mu - 1                           (equal slopes d zeta / dp at p = 0)
// The p-dependence of eta (lambda != 0) is a negative damping that grows with p; to first order it
// lowers Q by mu. For lambda = 0, Q = 2 Ms / H0 - 1 = 2 w_M / w0 - 1 (w_M = gamma0 Ms), the
// perpendicular-geometry form of ST09.
//
// Leading error of the auto-oscillator: equating the two stationary conditions to second order in p,
//   p_ao - p_ms = -p^2 (1 + kappa mu / (kappa - mu)) + O(p^3),
// a relative power error of p (1 + kappa mu / (kappa - mu)); the frequency error is N times the
// power error, relative (kappa p / (1 + kappa p)) times as large, plus the field-like term's
// zeta-dependence, alpha (beta - alpha)(zeta - 1), that the constant w0 leaves out. For the junction
// below (kappa = 20, mu = 0.4, p(1.5 I_th) = 0.026) that is 3.6 % in p and 1.1 % in f at 1.5 I_th,
// 7 % and 3.3 % at 2 I_th (measured: 3.55 % and 1.08 %; 6.9 % and 3.3 %). The tolerance, 10 %, is
// the issue's figure; the mapping meets it while p (1 + kappa mu / (kappa - mu)) < 0.1.
//
// Fit: besides the analytic mapping, all five parameters are fitted to the macrospin's own data by
// linear least squares, and a second set of auto-oscillators runs with them:
//   * w0, N: a line w(p) through the measured (p, 2 pi f) of the points up to 1.5 I_th (below
//     threshold p = 0 and f is the traced frequency of the decaying precession, see measure_decay);
//   * G_G, sigma: the decay rate of p below threshold, r(I) = 2 (G_G - sigma I) (exact in the linear
//     regime), fitted to the traced ln p(t) of the devices below threshold; I_th = G_G / sigma;
//   * Q: the stationary condition written linearly, I (1 - p) / I_th - 1 = Q p, least squares over
//     the points 1.1..1.5 I_th with I_th fixed.
//
// Threshold: each model's threshold is also read off its own p(I) curve: I (1 - p) is a polynomial
// in p (exactly linear for the auto-oscillator, cubic for the macrospin), so a quadratic
// least-squares fit over the points 1.1..1.5 I_th extrapolates to p = 0 with a bias of order
// kappa mu p^3 / 10 < 2e-5. Both must agree with each other, and with the fitted G_G / sigma,
// within 2e-3, the tolerance of test_physics_spin_torque.cpp (whose I_th formula is this one).
//
// Rule for the power comparison: relative power errors are asserted from 1.1 I_th up. Near
// threshold they diverge for reasons that are not the model error the issue is about: a threshold
// mismatch delta adds a relative power error delta / (zeta - 1) (at most 2 % at zeta = 1.1 with
// delta = 2e-3), and the relaxation rate 2 G_G (zeta - 1) vanishes (critical slowing down). Those
// currents are covered by the threshold check. Below threshold both powers must have decayed from
// the starting p_s to below p_s exp(-r T_transient), r = 2 G_G (1 - p_s)(1 - zeta / (1 - mu p_s))
// (a lower bound on both models' decay rates for p <= p_s). Frequencies are compared at every current
// up to 1.5 I_th; below threshold both are the frequency of the decaying precession, which for the
// macrospin differs from w0 by the field-like term, alpha (beta - alpha)(1 - zeta) < 4e-3.
//
// Integrator: dt = 1 ps, w dt <= 0.036 at 2 I_th. Heun's phase error (w dt)^2 / 6 < 3e-4 and its
// power shift (w dt)^2 / 2 + (w dt)^4 / (8 Gamma_p dt) < 1e-3 (test_auto_oscillator.cpp) are far
// below 10 %; the test checks the macrospin's power against its exact orbit within twice that shift,
// which confirms the derivation above. The 200 ns transient relaxes the slowest point (1.1 I_th,
// rate 2 G_G (zeta - 1) = 7e7 1/s) from p_s to within e^-12 of its orbit. Runtime: about 3 s for
// both batches on two shared cores.

// GCC 12 flags _mm512_undefined_pd inside Eigen's AVX-512 reductions as maybe-uninitialized (GCC
// bug 105593, fixed in GCC 13; see src/measure/spectrum.cpp); the pragma must precede the first include of
// the intrinsics.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "physics_fixtures.hpp"
#include "spinnet/models/auto_oscillator.hpp"
#include "spinnet/core/constants.hpp"
#include "spinnet/engine/engine.hpp"
#include "spinnet/engine/run.hpp"

namespace spinnet::cross_model_test {
namespace {

using physics_test::case_name;
using physics_test::EngineCase;
using physics_test::expect_relative;
using physics_test::fit_line;

constexpr double dt = 1e-12;                        // s
constexpr std::uint64_t transient_steps = 200'000;  // 200 ns
constexpr std::uint64_t steps = 210'000;            // then 10 ns of averages
constexpr std::uint64_t trace_every = 50;           // 50 ps: below Nyquist for f < 10 GHz
constexpr double start_power = 6.25e-4;             // p_s: theta = 0.05 rad
constexpr double issue_tolerance = 0.10;            // relative, f and p
constexpr double threshold_tolerance = 2e-3;        // relative, test_physics_spin_torque.cpp
constexpr double compared_up_to = 1.5;              // zeta
constexpr double power_compared_from = 1.1;         // zeta

// Supercriticalities I / I_th of the scan (one device each): below threshold, the compared range,
// and two points beyond it for information.
const std::vector<double> zetas = {0, 0.25, 0.5, 0.75, 0.9, 1.1, 1.2, 1.3, 1.4, 1.5, 1.75, 2};

/// The macrospin STNO: a 100 nm disc, 3 nm thick, mu0 Ms = 1.005 T, mu0 H = 1.106 T out of plane
/// (H0 = H - Ms = 8e4 A/m: f0 = 2.8 GHz, kappa = 2 Ms / H0 = 20), alpha = 0.02, P = 0.5, lambda = P^2
/// (Slonczewski's tunnel-junction asymmetry), beta = 0.2, T = 0. Starts at theta = 0.05 rad.
MacrospinParameters<double> junction(double current) {
  MacrospinParameters<double> p = physics_test::quiet_junction();
  p.alpha = 0.02;
  p.Ms = 8e5;
  p.volume = constants::pi / 4 * 100e-9 * 100e-9 * 3e-9;
  p.Hk = 0;
  p.Nx = 0, p.Ny = 0, p.Nz = 1;
  p.Hx = 0, p.Hy = 0, p.Hz = 8.8e5;
  p.px = 0, p.py = 0, p.pz = 1;
  p.polarization = 0.5;
  p.lambda = 0.25;
  p.beta = 0.2;
  p.current = current;
  const double theta = 2 * std::asin(std::sqrt(start_power));
  p.m0x = std::sin(theta), p.m0y = 0, p.m0z = std::cos(theta);
  return p;
}

/// Auto-oscillator parameters in the units of AutoOscillatorParameters (rad/s are divided by 2 pi
/// when they are written there). Currents are magnitudes.
struct Mapping {
  double omega0;     // rad/s
  double N;          // rad/s
  double G_G;        // 1/s
  double Q;
  double I_th;       // A
  double kappa, mu;  // -2 Ha / H0, 2 lambda / (1 + lambda): for the error estimate
};

/// The analytic mapping derived at the top of the file.
Mapping analytic_mapping(const MacrospinParameters<double>& p) {
  const double gamma0 = constants::mu0 * p.gamma;
  const double g = gamma0 / (1 + p.alpha * p.alpha);
  const double Ha = p.Hk - (p.Nz - p.Nx) * p.Ms;
  const double H0 = p.Hz + Ha;
  const double A = constants::hbar / (2 * constants::electron_charge * constants::mu0 * p.Ms * p.volume);
  Mapping m;
  m.kappa = -2 * Ha / H0;
  m.mu = 2 * p.lambda / (1 + p.lambda);
  m.omega0 = gamma0 * H0 / (1 + p.alpha * p.beta);
  m.N = -2 * g * Ha;
  m.G_G = g * p.alpha * H0;
  const double sigma = g * (1 + p.alpha * p.beta) * A * p.polarization / (1 + p.lambda);
  m.I_th = m.G_G / sigma;
  m.Q = m.kappa - m.mu - 1;
  return m;
}

/// The macrospin's exact stationary power: the root in [0, 1/2] of (1 + kappa p)(1 - mu p) = zeta.
double exact_macrospin_power(const Mapping& m, double zeta) {
  if (zeta <= 1) return 0;
  const double a = m.kappa * m.mu, b = m.kappa - m.mu, c = zeta - 1;  // a p^2 - b p + c = 0
  return a > 0 ? (b - std::sqrt(b * b - 4 * a * c)) / (2 * a) : c / b;
}

AutoOscillatorParameters oscillator(const Mapping& m, double current) {
  AutoOscillatorParameters d{};
  d.frequency = m.omega0 / constants::two_pi;
  d.nonlinear_shift = m.N / constants::two_pi;
  d.damping_rate = m.G_G;
  d.nonlinear_damping = m.Q;
  d.threshold_current = m.I_th;
  d.current = current;
  d.temperature = 0;
  d.energy = 1e-18;  // unused at T = 0
  d.signal_scale = 1;
  d.c0_re = std::sqrt(start_power);  // the macrospin's starting power
  d.c0_im = 0;
  return d;
}

/// Stationary frequency (Hz) and power of one device.
struct Point {
  double f, p;
};

/// What the trace of a device below threshold gives: the decay rate of p and the precession frequency.
struct DecayingPrecession {
  double rate;       // -d ln p / dt, 1/s
  double frequency;  // d phi / dt / 2 pi, Hz
  std::size_t samples;
};

/// Fits ln p(t) and the unwrapped azimuth phi(t) = atan2(my, mx) of traced device k over the linear
/// regime 1e-280 < p < 1e-5 (corrections kappa p < 2e-4), with p = sin^2(theta / 2) computed as
/// (mx^2 + my^2) / (2 (1 + mz)), free of the cancellation in 1 - mz. The frequency is read here and
/// not from MacrospinResult::frequency because the engine's phase increment takes its cosine as
/// m_n.m_n+1 - (m_n.z)(m_n+1.z), a difference of numbers near 1 that float64 rounds to noise once
/// theta^2 < 1e-16; below threshold theta decays that far within the transient.
DecayingPrecession measure_decay(const MacrospinResult& r, std::size_t columns, std::size_t k) {
  std::vector<double> t, log_p, phase;
  double previous = 0, unwrapped = 0;
  for (std::uint64_t s = 0; s < r.trace_samples; ++s) {
    const physics_test::TracePoint m = physics_test::trace_point(r, columns, s, k);
    const double p = (m.x * m.x + m.y * m.y) / (2 * (1 + m.z));
    if (!(p < 1e-5 && p > 1e-280)) continue;
    const double phi = std::atan2(m.y, m.x);
    // Consecutive samples are 50 ps apart: the azimuth advances less than pi between them.
    unwrapped = t.empty() ? phi : unwrapped + std::remainder(phi - previous, constants::two_pi);
    previous = phi;
    t.push_back(m.t), log_p.push_back(std::log(p)), phase.push_back(unwrapped);
  }
  if (t.size() < 2) return {0, 0, t.size()};
  return {-fit_line(t, log_p).slope, fit_line(t, phase).slope / constants::two_pi, t.size()};
}

/// The threshold read off a p(I) curve: the p = 0 intercept of a quadratic least-squares fit of
/// I (1 - p) against p over the points from 1.1 to 1.5 I_th.
double threshold_from_power(const std::vector<double>& currents, const std::vector<Point>& points) {
  std::vector<std::size_t> used;
  for (std::size_t k = 0; k < zetas.size(); ++k) {
    if (zetas[k] >= power_compared_from - 1e-9 && zetas[k] <= compared_up_to + 1e-9) used.push_back(k);
  }
  Eigen::MatrixXd design(used.size(), 3);
  Eigen::VectorXd y(used.size());
  for (std::size_t j = 0; j < used.size(); ++j) {
    const double p = points[used[j]].p;
    design(j, 0) = 1, design(j, 1) = p, design(j, 2) = p * p;
    y(j) = currents[used[j]] * (1 - p);
  }
  return design.colPivHouseholderQr().solve(y)(0);
}

class CrossModel : public ::testing::TestWithParam<EngineCase> {
 protected:
  void SetUp() override {
    if (GetParam().backend == Backend::cuda && !cuda_available()) {
      GTEST_SKIP() << "no CUDA device visible (or built without CUDA)";
    }
  }
  /// Options for a batch of `devices` float64 devices: on the CPU no more threads than 8-wide
  /// blocks of devices (see auto_oscillator_fixtures.hpp).
  RunOptions options(std::size_t devices) const {
    RunOptions o;
    o.backend = GetParam().backend;
    o.threads = static_cast<int>(std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, (devices + 7) / 8));
    return o;
  }
};

TEST_P(CrossModel, FrequencyPowerAndThresholdAgreeUpTo1point5Ith) {
  const auto wall_start = std::chrono::steady_clock::now();
  const Mapping analytic = analytic_mapping(junction(0));
  std::printf("  analytic mapping: f0 = %.6g GHz, N/2pi = %.6g GHz, G_G = %.6g 1/s, Q = %.6g, I_th = %.6g mA\n",
              analytic.omega0 / constants::two_pi * 1e-9, analytic.N / constants::two_pi * 1e-9, analytic.G_G,
              analytic.Q, analytic.I_th * 1e3);

  // Magnitudes of the scanned currents; the macrospin gets them negative (see the top).
  std::vector<double> currents;
  for (double zeta : zetas) currents.push_back(zeta * analytic.I_th);

  // --- The macrospin scan: one batch, one device per current, traced for the decay rates.
  MacrospinProblem macrospin;
  for (double I : currents) macrospin.devices.push_back(junction(-I));
  macrospin.dt = dt;
  macrospin.steps = steps;
  macrospin.transient_steps = transient_steps;
  macrospin.frequency_axis = {0, 0, 1};
  macrospin.precision = Precision::float64;
  physics_test::trace_all(macrospin, trace_every);
  const MacrospinResult ms = run_macrospin(macrospin, options(zetas.size()));
  std::vector<Point> ms_points;
  for (std::size_t k = 0; k < zetas.size(); ++k) ms_points.push_back({ms.frequency[k], (1 - ms.mean_mz[k]) / 2});

  std::vector<double> decay_currents, decay_rates;
  for (std::size_t k = 0; k < zetas.size() && zetas[k] < 1; ++k) {
    const DecayingPrecession decay = measure_decay(ms, zetas.size(), k);
    ASSERT_GE(decay.samples, 100u) << "too few traced samples in the linear regime at zeta = " << zetas[k];
    decay_currents.push_back(currents[k]);
    decay_rates.push_back(decay.rate);
    ms_points[k].f = decay.frequency;
  }
  // --- Least-squares fit of the auto-oscillator to the macrospin data (see the top).
  Mapping fitted = analytic;
  {
    std::vector<double> p, omega;
    for (std::size_t k = 0; k < zetas.size() && zetas[k] <= compared_up_to + 1e-9; ++k) {
      p.push_back(ms_points[k].p);
      omega.push_back(constants::two_pi * ms_points[k].f);
    }
    const physics_test::Line frequency_line = fit_line(p, omega);
    fitted.omega0 = frequency_line.intercept;
    fitted.N = frequency_line.slope;
  }
  const physics_test::Line decay_line = fit_line(decay_currents, decay_rates);  // r = 2 G_G - 2 sigma I
  fitted.G_G = decay_line.intercept / 2;
  fitted.I_th = -decay_line.intercept / decay_line.slope;
  {
    double numerator = 0, denominator = 0;
    for (std::size_t k = 0; k < zetas.size(); ++k) {
      if (zetas[k] < power_compared_from - 1e-9 || zetas[k] > compared_up_to + 1e-9) continue;
      const double p = ms_points[k].p;
      numerator += p * (currents[k] * (1 - p) / fitted.I_th - 1);
      denominator += p * p;
    }
    fitted.Q = numerator / denominator;
  }
  std::printf("  least-squares fit: f0 = %.6g GHz, N/2pi = %.6g GHz, G_G = %.6g 1/s, Q = %.6g, I_th = %.6g mA\n",
              fitted.omega0 / constants::two_pi * 1e-9, fitted.N / constants::two_pi * 1e-9, fitted.G_G, fitted.Q,
              fitted.I_th * 1e3);

  // --- The auto-oscillators: one batch, the analytic mapping then the fit, same currents.
  ModelProblem<AutoOscillatorModel> oscillators;
  for (const Mapping& m : {analytic, fitted}) {
    for (double I : currents) oscillators.devices.push_back(oscillator(m, I));
  }
  oscillators.control.dt = dt;
  oscillators.control.steps = steps;
  oscillators.control.transient_steps = transient_steps;
  oscillators.control.precision = Precision::float64;
  const ModelResult<AutoOscillatorModel> ao = run_model(oscillators, options(oscillators.devices.size()));
  std::vector<Point> ao_points[2];
  for (std::size_t set = 0; set < 2; ++set) {
    for (std::size_t k = 0; k < zetas.size(); ++k) {
      const std::size_t i = set * zetas.size() + k;
      ao_points[set].push_back({ao.mean(i, &AutoOscillatorAccumulators::phase) / dt / constants::two_pi,
                                ao.mean(i, &AutoOscillatorAccumulators::power)});
    }
  }

  // --- The table (docs/cross_model.md) and the comparisons.
  std::printf("  zeta, I_mA, f_ms_GHz, f_ao_GHz, f_fit_GHz, p_ms, p_ms_exact, p_ao, p_fit, "
              "rel_err_f_ao, rel_err_p_ao, estimate_p_ao, rel_err_f_fit, rel_err_p_fit\n");
  for (std::size_t k = 0; k < zetas.size(); ++k) {
    const double zeta = zetas[k];
    const Point& m = ms_points[k];
    const Point& a = ao_points[0][k];
    const Point& b = ao_points[1][k];
    const double p_exact = exact_macrospin_power(analytic, zeta);
    const double estimate = p_exact * (1 + analytic.kappa * analytic.mu / (analytic.kappa - analytic.mu));
    std::printf("  %.2f, %.5f, %.5f, %.5f, %.5f, %.4e, %.4e, %.4e, %.4e, %+.4f, %+.4f, %.4f, %+.4f, %+.4f\n", zeta,
                currents[k] * 1e3, m.f * 1e-9, a.f * 1e-9, b.f * 1e-9, m.p, p_exact, a.p, b.p, a.f / m.f - 1,
                zeta > 1 ? a.p / m.p - 1 : 0.0, zeta > 1 ? -estimate : 0.0, b.f / m.f - 1,
                zeta > 1 ? b.p / m.p - 1 : 0.0);
  }
  double worst_f[2] = {0, 0}, worst_p[2] = {0, 0};
  for (std::size_t k = 0; k < zetas.size(); ++k) {
    const double zeta = zetas[k];
    const Point& m = ms_points[k];
    const Point& a = ao_points[0][k];
    const Point& b = ao_points[1][k];
    const double p_exact = exact_macrospin_power(analytic, zeta);
    if (zeta > 1) {
      // The macrospin sits on its exact stationary orbit (1 + kappa p)(1 - mu p) = zeta, the basis of
      // the mapping, within twice the Heun shift of a limit cycle (test_auto_oscillator.cpp):
      // (w dt)^2 / 2 + (w dt)^4 / (8 Gamma_p dt), Gamma_p = G_G (zeta - 1). Measured: 4.9e-4 at
      // 1.1 I_th and 3e-4 at 1.5 I_th, falling to 6e-5 and 4e-5 at dt / 2.
      const double theta = constants::two_pi * m.f * dt;
      const double Gamma_p_dt = analytic.G_G * (zeta - 1) * dt;
      const double heun_shift = theta * theta / 2 + std::pow(theta, 4) / (8 * Gamma_p_dt);
      expect_relative("macrospin p vs exact orbit at zeta = " + std::to_string(zeta).substr(0, 4), m.p, p_exact,
                      2 * heun_shift);
    }
    if (zeta > compared_up_to + 1e-9) continue;  // for information only
    const Point* models[2] = {&a, &b};
    for (std::size_t set = 0; set < 2; ++set) {
      SCOPED_TRACE(std::string(set == 0 ? "analytic mapping" : "least-squares fit") + ", zeta = " +
                   std::to_string(zeta));
      const Point& o = *models[set];
      worst_f[set] = std::max(worst_f[set], std::abs(o.f / m.f - 1));
      EXPECT_NEAR(o.f / m.f, 1, issue_tolerance) << "f: macrospin " << m.f << " Hz, auto-oscillator " << o.f;
      if (zeta >= power_compared_from - 1e-9) {
        worst_p[set] = std::max(worst_p[set], std::abs(o.p / m.p - 1));
        EXPECT_NEAR(o.p / m.p, 1, issue_tolerance) << "p: macrospin " << m.p << ", auto-oscillator " << o.p;
      } else if (zeta < 1) {
        const double mu = analytic.mu, p_s = start_power;
        const double rate = 2 * analytic.G_G * (1 - p_s) * (1 - zeta / (1 - mu * p_s));
        const double bound = p_s * std::exp(-rate * static_cast<double>(transient_steps) * dt);
        EXPECT_LE(m.p, bound) << "macrospin power below threshold";
        EXPECT_LE(o.p, bound) << "auto-oscillator power below threshold";
      }
    }
  }
  std::printf("  up to %.1f I_th: max |f_ao/f_ms - 1| = %.4f (analytic), %.4f (fit); "
              "max |p_ao/p_ms - 1| = %.4f (analytic), %.4f (fit) from %.1f I_th\n",
              compared_up_to, worst_f[0], worst_f[1], worst_p[0], worst_p[1], power_compared_from);

  // --- Threshold: each model's, read off its own p(I), and the fitted G_G / sigma.
  const double ms_threshold = threshold_from_power(currents, ms_points);
  const double ao_threshold = threshold_from_power(currents, ao_points[0]);
  expect_relative("macrospin I_th from p(I) vs auto-oscillator's", ms_threshold, ao_threshold, threshold_tolerance);
  expect_relative("auto-oscillator I_th from p(I) vs its parameter", ao_threshold, analytic.I_th, threshold_tolerance);
  expect_relative("fitted G_G / sigma (decay below threshold) vs analytic", fitted.I_th, analytic.I_th,
                  threshold_tolerance);
  // Heun scales a decay rate by 1 + (w0 dt)^2 / 2 (the real part of ln(1 + z + z^2 / 2), z = (-r + i w) dt),
  // the same factor for every current: it cancels in G_G / sigma and is allowed twice in G_G.
  const double theta0 = analytic.omega0 * dt;
  expect_relative("fitted G_G vs g alpha H0", fitted.G_G, analytic.G_G, theta0 * theta0);

  std::printf("  macrospin %.3f s, auto-oscillators %.3f s, test %.3f s\n", ms.wall_seconds, ao.wall_seconds,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count());
}

INSTANTIATE_TEST_SUITE_P(cross_model, CrossModel,
                         ::testing::Values(EngineCase{Backend::cpu, true}, EngineCase{Backend::cuda, true}),
                         case_name);

}  // namespace
}  // namespace spinnet::cross_model_test
