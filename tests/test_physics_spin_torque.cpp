// Spin-torque instability threshold of the parallel state: m, p and H all along +z, T = 0.
//
// Derivation (linear stability; J. C. Slonczewski, J. Magn. Magn. Mater. 159, L1 (1996); J. Z. Sun,
// Phys. Rev. B 62, 570 (2000); here redone for the engine's explicit LL form)
//   dm/dt = -g [m x H + alpha m x (m x H) + (aJ + alpha bJ) m x (m x p) + (bJ - alpha aJ) m x p],
//   g = gamma0 / (1 + alpha^2), aJ = hbar eta I / (2 e mu0 Ms V), bJ = beta aJ,
//   eta = P / (1 + lambda m.p).
// Devices have H along z, uniaxial anisotropy Hk along z and demagnetizing factors Nx = Ny, Nz, so
// near m = +z the field is H_eff = H0 z - Nx Ms m (the last term exerts no torque) with
//   H0 = H + Hk - (Nz - Nx) Ms.
// With m = (mx, my, 1) + O(m_perp^2) and psi = mx + i my: m x H = -i H0 psi, m x (m x H) = H0 psi,
// m x p = -i psi, m x (m x p) = psi, and eta = P / (1 + lambda) + O(psi^2) because m.p = 1 - |psi|^2/2.
// Hence
//   dpsi/dt = [ i g (H0 + bJ - alpha aJ) - g (alpha H0 + (1 + alpha beta) aJ) ] psi,
// a spiral with growth rate s(I) = -g (alpha H0 + (1 + alpha beta) aJ(I)) and precession frequency
// f(I) = g (H0 + (beta - alpha) aJ(I)) / (2 pi). The parallel state loses stability when s = 0:
//   aJ_c = -alpha H0 / (1 + alpha beta),   I_c = -alpha H0 (1 + lambda) / ((1 + alpha beta) P A),
// A = hbar / (2 e mu0 Ms V). The field-like torque enters the threshold only through the
// (1 + alpha beta) factor (it mixes into the damping-like coefficient aJ + alpha bJ of the LL form);
// in the frequency it enters through (beta - alpha) aJ, so that at threshold f = gamma0 H0 /
// (2 pi (1 + alpha beta)). With alpha = 0.2, beta = 0.5 and lambda = 0.5 these factors differ from 1
// by 10% and 50%, so a sign or factor slip in any of them moves the threshold far beyond tolerance.
//
// Measurement: a scan of currents from 0.8 I_c to 1.2 I_c (one per device, or one run per current in
// the single-device case). Each device starts 1e-3 rad from +z; ln sin(theta) is fitted against t
// over 1.5 ns (theta stays below 0.02), giving s(I); a straight-line fit of s against I gives the
// threshold as its zero. The final states must agree: above |I_c| theta grew, below it decayed.
//
// Tolerance: the issue asks for 3%. The remaining errors are (1) finite amplitude: the growth rate at
// angle theta is -g cos(theta) [alpha (H + Ha cos theta) + (1 + alpha beta) aJ(theta)] with
// Ha = Hk - (Nz - Nx) Ms and aJ(theta) = A P I / (1 + lambda cos theta), whose zero moves by a
// relative theta^2/2 (Ha/(H + Ha) + lambda/(1 + lambda)) <= 2.2e-4 at theta = 0.02; (2) the Heun
// error: the spiral's complex rate per step z is replaced by ln(1 + z + z^2/2) = z - z^3/6 + z^4/8;
// the z^3 term scales s(I) by 1 + O((w dt)^2) without moving its zero, the z^4 term shifts the zero
// by (w dt)^3 / (8 alpha) relative, 6e-6 here (w dt = 0.021); (3) the fits: s(I) is exactly linear
// in the linear regime. The test uses 2e-3 (nine times the amplitude bound, 15 times tighter than
// the issue). The frequency is checked against f(I) within the Heun phase error (w dt)^2/6 plus the
// same finite-amplitude allowance: 1e-3.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "physics_fixtures.hpp"

namespace spinnet::physics_test {
namespace {

using SpinTorqueThreshold = PhysicsTest;

constexpr double start_angle = 1e-3;  // rad

MacrospinParameters<double> torque_junction(double current) {
  MacrospinParameters<double> p = quiet_junction();
  p.alpha = 0.2;
  p.Ms = 1e6;
  p.volume = constants::pi / 4 * 40e-9 * 40e-9 * 1.5e-9;
  p.Hk = 1e6;  // perpendicular anisotropy that beats the thin-film demagnetization
  p.ux = 0, p.uy = 0, p.uz = 1;
  p.Nx = 0.05, p.Ny = 0.05, p.Nz = 0.9;
  p.Hx = 0, p.Hy = 0, p.Hz = 5e4;
  p.px = 0, p.py = 0, p.pz = 1;
  p.polarization = 0.6;
  p.lambda = 0.5;
  p.beta = 0.5;
  p.current = current;
  p.m0x = std::sin(start_angle), p.m0y = 0, p.m0z = std::cos(start_angle);
  return p;
}

struct Threshold {
  double H0;       // A/m, effective field of the parallel state
  double A;        // aJ per ampere of eta I, A/m per A
  double eta;      // P / (1 + lambda)
  double current;  // I_c, A
};

Threshold predicted_threshold(const MacrospinParameters<double>& p) {
  Threshold t;
  t.H0 = p.Hz + p.Hk - (p.Nz - p.Nx) * p.Ms;
  t.A = constants::hbar / (2 * constants::electron_charge * constants::mu0 * p.Ms * p.volume);
  t.eta = p.polarization / (1 + p.lambda);
  t.current = -p.alpha * t.H0 / ((1 + p.alpha * p.beta) * t.A * t.eta);
  return t;
}

TEST_P(SpinTorqueThreshold, CriticalCurrentOfTheParallelState) {
  const MacrospinParameters<double> reference = torque_junction(0);
  const Threshold theory = predicted_threshold(reference);
  ASSERT_GT(theory.H0, 0) << "the parallel state must be stable without current";
  std::printf("  H0 = %.4g A/m, A eta = %.4g A/m per A, predicted I_c = %.6g mA\n", theory.H0, theory.A * theory.eta,
              theory.current * 1e3);

  // Nine currents 0.8 I_c .. 1.2 I_c.
  std::vector<double> currents;
  for (int k = 0; k < 9; ++k) currents.push_back(theory.current * (0.8 + 0.05 * k));

  auto make_problem = [&](const std::vector<double>& batch_currents) {
    MacrospinProblem problem;
    for (double I : batch_currents) problem.devices.push_back(torque_junction(I));
    problem.dt = 0.5e-12;
    problem.steps = 3000;  // 1.5 ns: theta stays within 1e-3 * exp(+-2.6)
    problem.frequency_axis = {0, 0, 1};
    problem.precision = Precision::float64;
    trace_all(problem, 10);
    return problem;
  };
  // Per current: the traced ln sin(theta) and t, the mean frequency and the final angle.
  std::vector<std::vector<double>> times, log_sines;
  std::vector<double> frequency, final_theta;
  auto collect = [&](const MacrospinResult& r, std::size_t columns, std::size_t k) {
    std::vector<double> t, y;
    for (std::uint64_t s = 0; s < r.trace_samples; ++s) {
      const TracePoint m = trace_point(r, columns, s, k);
      t.push_back(m.t);
      y.push_back(std::log(std::sqrt(m.x * m.x + m.y * m.y)));
    }
    times.push_back(t);
    log_sines.push_back(y);
    frequency.push_back(r.frequency[k]);
    final_theta.push_back(std::atan2(std::hypot(r.final_mx[k], r.final_my[k]), r.final_mz[k]));
  };
  if (GetParam().batch) {
    const MacrospinResult r = run(make_problem(currents));
    for (std::size_t k = 0; k < currents.size(); ++k) collect(r, currents.size(), k);
  } else {
    for (double I : currents) collect(run(make_problem({I})), 1, 0);
  }

  const double g = gamma0 / (1 + reference.alpha * reference.alpha);
  std::vector<double> growth;
  for (std::size_t k = 0; k < currents.size(); ++k) {
    SCOPED_TRACE("current " + std::to_string(currents[k] * 1e3) + " mA");
    const double s = fit_line(times[k], log_sines[k]).slope;
    growth.push_back(s);
    const double aJ = theory.A * theory.eta * currents[k];
    const double s_linear = -g * (reference.alpha * theory.H0 + (1 + reference.alpha * reference.beta) * aJ);
    const double f_linear = g * (theory.H0 + (reference.beta - reference.alpha) * aJ) / constants::two_pi;
    std::printf("  I = %.3f I_c: growth rate %+.4e /s (linear theory %+.4e), final theta %.3g rad\n",
                currents[k] / theory.current, s, s_linear, final_theta[k]);
    // The angle stayed in the linear regime assumed by the tolerance.
    EXPECT_LT(std::exp(*std::max_element(log_sines[k].begin(), log_sines[k].end())), 0.02);
    // Final state: beyond the threshold the parallel state was left, below it restored.
    if (currents[k] < theory.current * 1.01) {
      EXPECT_GT(final_theta[k], start_angle);
    }
    if (currents[k] > theory.current * 0.99) {
      EXPECT_LT(final_theta[k], start_angle);
    }
    expect_relative("precession frequency vs g (H0 + (beta - alpha) aJ)/2pi", frequency[k], f_linear, 1e-3);
  }
  const Line line = fit_line(currents, growth);
  const double measured_threshold = -line.intercept / line.slope;
  expect_relative("I_c from zero growth rate vs -alpha H0/((1+alpha beta) A eta)", measured_threshold,
                  theory.current, 2e-3);
}

INSTANTIATE_TEST_SUITE_P(physics, SpinTorqueThreshold, ::testing::ValuesIn(engine_cases()), case_name);

}  // namespace
}  // namespace spinnet::physics_test
