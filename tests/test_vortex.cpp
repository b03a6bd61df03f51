// Physics checks of the vortex spin-torque oscillator (include/spinnet/models/vortex.hpp): the Thiele
// equation G x dX/dt - D(s) dX/dt - k(s) X + F_STT + F_th = 0 against its analytic solutions, on
// every backend and precision. Each test names the analytic result and why its tolerance is what it
// is. CUDA cases skip where no CUDA device is visible and must pass where one is.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <cstdio>
#include <string>
#include <vector>

#include "physics_fixtures.hpp"
#include "spinnet/core/constants.hpp"
#include "spinnet/engine/engine.hpp"
#include "spinnet/core/errors.hpp"
#include "spinnet/engine/run.hpp"
#include "spinnet/models/vortex.hpp"

namespace spinnet {
namespace {

using physics_test::expect_close;
using physics_test::expect_relative;

struct VortexCase {
  Backend backend;
  Precision precision;
};

void PrintTo(const VortexCase& c, std::ostream* os) { *os << to_string(c.backend) << ", " << to_string(c.precision); }

std::string vortex_case_name(const ::testing::TestParamInfo<VortexCase>& info) {
  return to_string(info.param.backend) + "_" + to_string(info.param.precision);
}

class VortexPhysics : public ::testing::TestWithParam<VortexCase> {
 protected:
  void SetUp() override {
    if (GetParam().backend == Backend::cuda && !cuda_available()) {
      GTEST_SKIP() << "no CUDA device visible (or built without CUDA)";
    }
  }

  ModelResult<VortexModel> run(ModelProblem<VortexModel> problem) const {
    problem.control.precision = GetParam().precision;
    RunOptions options;
    options.backend = GetParam().backend;
    return run_model(problem, options);
  }
};

/// The analytic pieces of one device, in SI (the test's own statement of the Thiele coefficients).
struct Analytic {
  double G, D0, kappa;
  explicit Analytic(const VortexParameters& p)
      : G(constants::two_pi * p.Ms * p.thickness / p.gamma),
        D0(p.alpha * p.eta * G),
        kappa(constants::hbar * p.polarization / (2 * constants::electron_charge * p.radius * p.radius)) {}
};

/// Core radius s = |u| of a final state.
double radius_of(const VortexState<double>& u) { return std::hypot(u.x, u.y); }

// Small-orbit gyration without current: linearizing the Thiele equation about the centre,
// X(t) ~ exp((-k D / (G^2 + D^2) + i p k G / (G^2 + D^2)) t), so the frequency is
// f = k G / (2 pi (G^2 + D^2)) and the radius decays at lambda = k D / (G^2 + D^2) (Guslienko et
// al., J. Appl. Phys. 91, 8037 (2002), with damping). Two dampings: alpha = 0.01 (D^2 / G^2 = 4e-4)
// and alpha = 0.3 (D^2 / G^2 = 0.34), so the D^2 correction is tested, not only k / (2 pi G).
// Tolerance 1e-4 relative: Heun's phase and amplitude errors per step are O((w dt)^3) with
// w dt = 3e-3 (relative errors ~1e-5); the nonlinear terms contribute zeta s^2 ~ 2.5e-7 at s = 1e-3;
// float rounding of the state is a random walk of ~1e-5 rad in phase over the run.
TEST_P(VortexPhysics, SmallOrbitFrequencyAndRelaxation) {
  ModelProblem<VortexModel> problem;
  for (double alpha : {0.01, 0.3}) {
    VortexParameters p = feb_vortex_parameters(0.0, 0.43);
    p.alpha = alpha;
    p.temperature = 0;
    p.x0 = 1e-3;
    p.y0 = 0;
    problem.devices.push_back(p);
  }
  problem.control.dt = 2e-12;
  problem.control.steps = 10000;
  problem.control.transient_steps = 0;
  const auto result = run(problem);
  const double duration = problem.control.dt * static_cast<double>(problem.control.steps);
  for (std::size_t i = 0; i < problem.devices.size(); ++i) {
    const VortexParameters& p = problem.devices[i];
    const Analytic a(p);
    const double denominator = a.G * a.G + a.D0 * a.D0;
    const double frequency = p.k_ms * a.G / (constants::two_pi * denominator);
    const double rate = p.k_ms * a.D0 / denominator;
    const double measured_frequency =
        result.mean(i, &VortexAccumulators::phase) / (constants::two_pi * problem.control.dt);
    const double measured_rate = -std::log(radius_of(result.final_state[i]) / p.x0) / duration;
    const std::string tag = " (alpha " + std::to_string(p.alpha) + ")";
    expect_relative("gyrotropic frequency k G / 2 pi (G^2 + D^2), Hz" + tag, measured_frequency, frequency, 1e-4);
    expect_relative("relaxation rate k D / (G^2 + D^2), 1/s" + tag, measured_rate, rate, 1e-4);
  }
}

// Threshold of sustained gyration: the orbit radius grows at (p kappa p_z I |G| - k(I) D) / (G^2 + D^2)
// at small s, with k(I) = k_ms + k_Oe(I); it changes sign at
//   I_th = D0 k_ms / (p kappa p_z |G| - D0 k_Oe / I).
// A batch of 25 currents from 3 to 9 mA starts at s = 1e-3; each device's growth rate is
// ln(s(T) / s(0)) / T; the threshold is located between the two currents where it changes sign.
// The rate is linear in I at small s, so the interpolation is exact; the nonlinear terms shift it by
// (zeta, xi) s^2 ~ 1e-6 near threshold (s stays ~1e-3 there), and Heun's amplitude error
// (w dt)^4 / 8 per step is 1e-4 of the rate scale k D / G^2. Tolerance 1e-3 relative.
TEST_P(VortexPhysics, ThresholdCurrent) {
  ModelProblem<VortexModel> problem;
  std::vector<double> currents;
  for (int k = 0; k <= 24; ++k) currents.push_back(3e-3 + 0.25e-3 * k);
  for (double current : currents) {
    VortexParameters p = feb_vortex_parameters(current, 0.43);
    p.temperature = 0;
    p.x0 = 1e-3;
    p.y0 = 0;
    problem.devices.push_back(p);
  }
  problem.control.dt = 1e-11;
  problem.control.steps = 20000;
  problem.control.transient_steps = 0;
  const auto result = run(problem);
  const double duration = problem.control.dt * static_cast<double>(problem.control.steps);

  std::vector<double> rates;
  for (std::size_t i = 0; i < currents.size(); ++i) {
    rates.push_back(std::log(radius_of(result.final_state[i]) / problem.devices[i].x0) / duration);
  }
  double located = -1;
  for (std::size_t i = 0; i + 1 < currents.size(); ++i) {
    if (rates[i] < 0 && rates[i + 1] >= 0) {
      located = currents[i] + (currents[i + 1] - currents[i]) * (-rates[i]) / (rates[i + 1] - rates[i]);
    }
  }
  ASSERT_GT(located, 0) << "no sign change of the growth rate between 3 and 9 mA";

  const VortexParameters& p = problem.devices.front();
  const Analytic a(p);
  const double threshold = a.D0 * p.k_ms / (p.polarity * a.kappa * p.p_z * a.G - a.D0 * p.k_Oe_per_ampere);
  expect_relative("threshold current I_th, A", located, threshold, 1e-3);
}

// Steady orbit above threshold, for the FeB junctions of Torrejon et al. 2017 / Romera et al. 2018
// at 0.43 T and 6, 6.5, 7 mA. On a circular orbit the radial rate vanishes when
//   (k_ms (1 + zeta_ms s^2) + k_Oe (1 + zeta_Oe s^2)) D0 (1 + xi s^2) = p kappa p_z I |G|,
// a quadratic in s^2, and the orbit then turns at exactly f = k(s) / (2 pi |G|) (the D^2 terms
// cancel). The devices start at s = 0.1 and are averaged after they settle (3 us, > 10 relaxation
// times of ~0.2 us). Tolerances: radius 1e-3 relative (Heun's amplitude error (w dt)^4 / 8 per step,
// w dt = 0.01, shifts s^2 by ~5e-6); frequency 1e-4 (Heun's phase error (w dt)^2 / 6 = 2e-5). The
// papers' frequencies are ~300 MHz (Torrejon) and 300-500 MHz (Romera): the result must lie between
// 200 and 500 MHz.
TEST_P(VortexPhysics, SteadyOrbitOfFebJunction) {
  ModelProblem<VortexModel> problem;
  for (double current : {6e-3, 6.5e-3, 7e-3}) {
    VortexParameters p = feb_vortex_parameters(current, 0.43);
    p.temperature = 0;
    p.x0 = 0.1;
    p.y0 = 0;
    problem.devices.push_back(p);
  }
  problem.control.dt = 5e-12;
  problem.control.steps = 1200000;
  problem.control.transient_steps = 600000;
  const auto result = run(problem);
  for (std::size_t i = 0; i < problem.devices.size(); ++i) {
    const VortexParameters& p = problem.devices[i];
    const Analytic a(p);
    const double k_Oe = p.k_Oe_per_ampere * p.current;
    const double a0 = p.k_ms + k_Oe, a1 = p.k_ms * p.zeta_ms + k_Oe * p.zeta_Oe;
    // (a0 + a1 x)(1 + xi x) D0 = p kappa p_z I |G|,  x = s^2
    const double qa = a1 * p.xi, qb = a0 * p.xi + a1, qc = a0 - p.polarity * a.kappa * p.p_z * p.current * a.G / a.D0;
    const double s2 = (-qb + std::sqrt(qb * qb - 4 * qa * qc)) / (2 * qa);
    const double frequency = (a0 + a1 * s2) / (constants::two_pi * a.G);
    const double measured_frequency =
        result.mean(i, &VortexAccumulators::phase) / (constants::two_pi * problem.control.dt);
    const std::string tag = " (" + std::to_string(p.current * 1e3).substr(0, 3) + " mA)";
    expect_relative("steady orbit radius s" + tag, radius_of(result.final_state[i]), std::sqrt(s2), 1e-3);
    expect_relative("mean orbit radius <s>" + tag, result.mean(i, &VortexAccumulators::radius), std::sqrt(s2), 1e-3);
    expect_relative("frequency k(s) / 2 pi |G|, Hz" + tag, measured_frequency, frequency, 1e-4);
    EXPECT_GT(measured_frequency, 200e6);
    EXPECT_LT(measured_frequency, 500e6);
  }
}

// Thermal equilibrium below threshold: with I = 0 the Thiele equation with the force
// <F_i F_j> = 2 D kB T delta_ij delta(t - t') has the Boltzmann distribution in the confinement
// energy k X^2 / 2 as its stationary state (the gyrotropic term is non-dissipative), so each of the
// two in-plane degrees of freedom holds kB T / 2: <s^2> = 2 kB T / (k_ms R^2) (nonlinear
// coefficients set to zero, alpha = 0.1 for a short correlation time). 256 devices, 400 ns each
// after a 20 ns transient (~10 energy relaxation times of 1.8 ns). Tolerance: 4 standard errors of
// the mean over devices (statistical), plus 1e-3 relative for Heun's O((w dt)^2) bias at w dt = 0.015.
TEST_P(VortexPhysics, ThermalEquipartition) {
  ModelProblem<VortexModel> problem;
  VortexParameters p = feb_vortex_parameters(0.0, 0.43);
  p.alpha = 0.1;
  p.zeta_ms = 0;
  p.zeta_Oe = 0;
  p.xi = 0;
  p.temperature = 300;
  p.x0 = 0;
  p.y0 = 0;
  problem.devices.assign(256, p);
  problem.control.dt = 1e-11;
  problem.control.steps = 42000;
  problem.control.transient_steps = 2000;
  problem.control.seed = 0x5eed2017u;
  const auto result = run(problem);

  const std::vector<double> s2 = result.means(&VortexAccumulators::radius2);
  double mean = 0;
  for (double v : s2) mean += v;
  mean /= static_cast<double>(s2.size());
  double variance = 0;
  for (double v : s2) variance += (v - mean) * (v - mean);
  variance /= static_cast<double>(s2.size() - 1);
  const double standard_error = std::sqrt(variance / static_cast<double>(s2.size()));
  const double expected = 2 * constants::boltzmann * p.temperature / (p.k_ms * p.radius * p.radius);
  expect_close("<s^2> = 2 kB T / (k_ms R^2)", mean, expected, 4 * standard_error + 1e-3 * expected);
  // The standard error itself must be small enough for the check to mean something (~1 %).
  EXPECT_LT(standard_error, 0.02 * expected);
}

// A device's trajectory depends only on who it is (thermal noise keyed by seed, global device id and
// step), not on the batch it runs in: device 37 of a thermal batch of 64, run alone with
// first_device_id = 37, ends in the same state bit for bit. And the current reaches the model the same
// way whether it is the DC current or a held schedule: 7 mA of DC and 0 mA of DC plus a 7 mA schedule
// give the same state bit for bit.
TEST_P(VortexPhysics, TrajectoryDependsOnlyOnDeviceAndCurrent) {
  VortexParameters p = torrejon2017_parameters();
  p.x0 = 0.3;
  ModelProblem<VortexModel> batch;
  batch.devices.assign(64, p);
  batch.control.dt = 1e-11;
  batch.control.steps = 3000;
  batch.control.transient_steps = 0;
  batch.control.seed = 42;
  ModelProblem<VortexModel> alone = batch;
  alone.devices.assign(1, p);
  alone.control.first_device_id = 37;
  const auto in_batch = run(batch);
  const auto by_itself = run(alone);
  EXPECT_EQ(in_batch.final_state[37].x, by_itself.final_state[0].x);
  EXPECT_EQ(in_batch.final_state[37].y, by_itself.final_state[0].y);

  ModelProblem<VortexModel> dc = alone;
  ModelProblem<VortexModel> by_schedule = alone;
  by_schedule.devices[0].current = 0;
  by_schedule.drive.schedule.kind = ScheduleKind::held;
  by_schedule.drive.schedule.interval = 1e-9;
  by_schedule.drive.schedule.values = {{p.current}};  // [sample][device]
  const auto with_dc = run(dc);
  const auto with_schedule = run(by_schedule);
  EXPECT_EQ(with_dc.final_state[0].x, with_schedule.final_state[0].x);
  EXPECT_EQ(with_dc.final_state[0].y, with_schedule.final_state[0].y);
  EXPECT_GT(radius_of(with_dc.final_state[0]), 0.0);
}

// Far above threshold the steady orbit of the balance lies outside the disk (at 15 mA, 0.43 T the
// quadratic gives s > 1): the core reaches the edge, where the Thiele model no longer holds, and the
// run must fail with a message naming the device and the cause rather than return numbers.
TEST_P(VortexPhysics, CoreReachingTheEdgeIsReported) {
  ModelProblem<VortexModel> problem;
  problem.devices.push_back(feb_vortex_parameters(6e-3, 0.43));
  problem.devices.push_back(feb_vortex_parameters(15e-3, 0.43));
  for (auto& p : problem.devices) p.x0 = 0.5;
  problem.control.dt = 1e-11;
  problem.control.steps = 20000;
  try {
    run(problem);
    ADD_FAILURE() << "the run did not report the core leaving the disk";
  } catch (const RunError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("device 1 "), std::string::npos) << message;
    EXPECT_NE(message.find("disk edge"), std::string::npos) << message;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, VortexPhysics,
                         ::testing::Values(VortexCase{Backend::cpu, Precision::float32},
                                           VortexCase{Backend::cpu, Precision::float64},
                                           VortexCase{Backend::cuda, Precision::float32},
                                           VortexCase{Backend::cuda, Precision::float64}),
                         vortex_case_name);

// The Oersted stiffness of the two-vortex (side-charge-free) ansatz, redone by quadrature. With
// w = r / R, core at a = s, in-plane magnetization m = i C f / |f|, f(w) = (w - a)(1 - conj(a) w),
// and the Oersted field H_phi = J R |w| / 2 of a uniform current density, the Zeeman energy is
//   W(s) = -(mu0 Ms L J R^3 C / 2) I(s),  I(s) = int_{|w|<1} Re[conj(w) f] / |f| d^2w,
// and I(0) - I(s) = (4 pi / 15) s^2 (1 + zeta_Oe s^2 / 2) + ..., i.e. k_Oe = (4 pi / 15) mu0 Ms L J R C
// = (4/15) mu0 Ms L C I / R. Midpoint quadrature on a 600 x 600 polar grid, I(0) on the same grid so
// that its error cancels; the s^2 term is removed by Richardson extrapolation from s = 0.05 and 0.1
// (measured residual ~1e-6 at this grid): tolerance 1e-4 for the constant, 0.01 for the fitted
// zeta_Oe (least squares over s = 0.1 ... 0.5, as in the header).
TEST(VortexTwoVortexAnsatz, OerstedStiffness) {
  const auto integral = [](double s) {
    const int n = 600;
    const std::complex<double> a(s, 0);
    double sum = 0;
    for (int i = 0; i < n; ++i) {
      const double r = (i + 0.5) / n;
      for (int j = 0; j < n; ++j) {
        const std::complex<double> w = std::polar(r, constants::two_pi * (j + 0.5) / n);
        const std::complex<double> f = (w - a) * (1.0 - std::conj(a) * w);
        const double magnitude = std::abs(f);
        if (magnitude > 0) sum += std::real(std::conj(w) * f) / magnitude * r;
      }
    }
    return sum * (1.0 / n) * (constants::two_pi / n);
  };
  const double centred = integral(0.0);  // 2 pi / 3 up to the grid's error
  const auto reduced = [&](double s) { return (centred - integral(s)) / (s * s); };
  const double constant = (4 * reduced(0.05) - reduced(0.1)) / 3;
  expect_relative("(I(0) - I(s)) / s^2 at s -> 0", constant, 4 * constants::pi / 15, 1e-4);

  // zeta_Oe: least squares of (I(0) - I(s)) / (s^2 c) - 1 = (zeta / 2) s^2 over s = 0.1 ... 0.5.
  double numerator = 0, denominator = 0;
  for (double s : {0.1, 0.2, 0.3, 0.4, 0.5}) {
    const double y = reduced(s) / (4 * constants::pi / 15) - 1;
    numerator += s * s * y;
    denominator += s * s * s * s;
  }
  expect_close("zeta_Oe", 2 * numerator / denominator, vortex_zeta_Oe, 0.01);

  // The header's stiffness per ampere is the same constant with J = I / (pi R^2).
  const double Ms = 1.2e6, L = 6e-9, R = 187.5e-9;
  expect_relative("k_Oe / I from the header, N/(m A)", vortex_oersted_stiffness_per_ampere(Ms, L, R, 1.0),
                  (4 * constants::pi / 15) * constants::mu0 * Ms * L * R / (constants::pi * R * R), 1e-12);
}

}  // namespace
}  // namespace spinnet
