// Spin diode in the time domain (include/spinnet/measure/spin_diode.hpp, docs/spin_diode.md): a macrospin
// junction driven by RF current tones, V_dc = <R(t) I(t)> averaged by the engine.
//
// Every test compares the time-domain engine with the small-signal theory of the junction
// (spin_diode_linear_voltage: LL equation linearized around m = z, co- and counter-rotating
// response, V = -(dR I0 / 4) Re(A + B)). The pointwise error budget, relative to the line's peak
// |V|, is the sum of
//   * nonlinearity: the first neglected order of V is theta^2 relative, theta the precession cone
//     angle at the peak (computed from the drive: theta = |c| / (2 alpha w_r)); and the resonance
//     moves with the cone: the axial field on m is H_z + (H_k - Ms) m_z, so f_r drops by
//     f_r (H_k - Ms) theta^2 / (2 H0), a fraction (H_k - Ms) theta^2 / (2 alpha H0) of the
//     half-width, which changes V by twice that fraction of the peak (the antisymmetric line's slope
//     at resonance is V_A / a = 2 peak / a): together theta^2 (1 + (H_k - Ms) / (alpha H0));
//   * Heun: the resonance is pre-compensated (spin_diode_stiffness_field with dt); what remains is
//     the amplitude growth of a rotation per step, |1 + i y - y^2/2| - 1 = y^4/8 (y = w dt), a
//     relative error of the decay rate alpha y of y^3 / (8 alpha), which moves amplitude and width
//     by as much;
//   * the transient: the free precession decays as exp(-alpha w_r t); after the discarded transient
//     its relative weight is exp(-alpha w_r t_transient);
// each tolerance below is twice that sum. Tones lie on the grid n / window, so <R0 I> and all beats
// average to exactly zero (window_grid_frequency).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "cli_helpers.hpp"
#include "spinnet/core/constants.hpp"
#include "spinnet/rfnet/physics_in_the_loop.hpp"
#include "spinnet/measure/spin_diode.hpp"
#include "spinnet/core/errors.hpp"

namespace spinnet {
namespace {

// Reference of the compact synapse model (Leroux et al., PR Applied 15, 034067 (2021)):
//   G(f_in; f_r) = K_SD 2 alpha f_r (f_in - f_r) / ((alpha f_r)^2 + (f_in - f_r)^2).
// NOTE: the rfnet branch provides it as spin_diode_response in include/spinnet/rfnet/rf_synapse.hpp; this
// one-line copy keeps the test independent until that lands on main, then call that instead.
double compact_G(double f_in, double f_r, double alpha, double K_SD) {
  const double d = f_in - f_r, a = alpha * f_r;
  return K_SD * 2 * a * d / (a * a + d * d);
}

void expect_within(const std::string& what, double got, double want, double tolerance) {
  std::printf("    %-52s got %+.6e want %+.6e |error| %.2e tolerance %.2e\n", what.c_str(), got, want,
              std::abs(got - want), tolerance);
  EXPECT_LE(std::abs(got - want), tolerance) << what << ": got " << got << ", want " << want;
}

SpinDiodeMeasurement quiet_measurement() {
  SpinDiodeMeasurement m;
  m.dt = 1e-12;
  m.transient = 30e-9;
  m.window = 100e-9;
  m.precision = Precision::float64;
  m.backend = Backend::cpu;
  return m;
}

/// Precession cone (rad) at the peak of the co-rotating response to a tone of amplitude I0.
double peak_cone(const SpinDiodeJunction& j, double I0) {
  const double gamma_ll = constants::mu0 * j.gamma / (1 + j.alpha * j.alpha);
  const double torque = spin_diode_torque_per_ampere(j);
  const double aJ = torque * j.damping_like_efficiency, bJ = torque * j.field_like_efficiency;
  const double c = gamma_ll * I0 * std::hypot(aJ + j.alpha * bJ, bJ - j.alpha * aJ);
  return c / (2 * j.alpha * constants::two_pi * j.resonance);
}

/// The relative error budget of the header comment.
double relative_budget(const SpinDiodeJunction& j, double I0, const SpinDiodeMeasurement& m) {
  const double theta = peak_cone(j, I0);
  const double wr = constants::two_pi * j.resonance;
  const double y = wr * m.dt;
  const double foldover = std::abs(j.Hk - j.Ms) / (j.alpha * spin_diode_stiffness_field(j));
  return theta * theta * (1 + foldover) + y * y * y / (8 * j.alpha) + std::exp(-j.alpha * wr * m.transient);
}

struct Sweep {
  std::vector<double> frequency, voltage, theory;
};

/// A frequency sweep of one junction at one tone amplitude, points on the window grid within
/// +-span half-widths of f_r, one batch.
Sweep sweep(const SpinDiodeJunction& j, double I0, const SpinDiodeMeasurement& m, int points, double span) {
  Sweep s;
  const double a = j.alpha * j.resonance;
  std::vector<SpinDiodeDevice> devices;
  for (int k = 0; k < points; ++k) {
    const double f = window_grid_frequency(j.resonance + span * a * (2.0 * k / (points - 1) - 1), m.window);
    s.frequency.push_back(f);
    s.theory.push_back(spin_diode_linear_voltage(j, f, I0));
    devices.push_back({j, {{f, I0, 0.0}}, 1});
  }
  s.voltage = measure_rectified_voltage(devices, m);
  return s;
}

double peak_abs(const std::vector<double>& v) {
  double p = 0;
  for (double x : v) p = std::max(p, std::abs(x));
  return p;
}

SpinDiodeJunction field_like_junction() {
  SpinDiodeJunction j;  // defaults: 5 GHz, alpha 0.01, eta_FL 0.3, eta_DL 0
  return j;
}

// The time-domain line agrees point by point with the small-signal theory, and the fit finds the
// resonance at the Kittel frequency and the half-width alpha f_r. For this circular geometry the
// linearized LL equation has the exact resonance f_r = gamma0 H0 / (2 pi (1 + alpha^2)) =
// f_Kittel / (1 + alpha^2) and the exact half-width alpha f_r of the co-rotating Lorentzian; the
// counter-rotating response adds a slowly varying background of relative size ~alpha/2 that
// biases a two-Lorentzian fit. That bias is computed by fitting the theory curve itself; the
// tolerance on the fitted values is that bias plus the time-domain error (budget eps of the peak)
// propagated through the fit (a shift of eps * peak moves the zero crossing by ~eps a).
TEST(SpinDiodeLineShape, ResonanceAtKittelFrequencyAndHalfWidthAlphaFr) {
  const SpinDiodeMeasurement m = quiet_measurement();
  for (const double eta_DL : {0.0, 0.3}) {
    SpinDiodeJunction j = field_like_junction();
    j.damping_like_efficiency = eta_DL;
    const double I0 = 4e-6;  // A
    std::printf("  eta_DL %.1f, eta_FL %.1f, f_r %.3e Hz, cone at peak %.2e rad\n", j.damping_like_efficiency,
                j.field_like_efficiency, j.resonance, peak_cone(j, I0));
    const Sweep s = sweep(j, I0, m, 41, 6);
    const double peak = peak_abs(s.theory);
    const double eps = relative_budget(j, I0, m);
    double worst = 0;
    for (std::size_t k = 0; k < s.frequency.size(); ++k) worst = std::max(worst, std::abs(s.voltage[k] - s.theory[k]));
    expect_within("max |V_td - V_theory| / peak", worst / peak, 0, 2 * eps);

    const LineShapeFit fit_td = fit_line_shape(s.frequency, s.voltage);
    const LineShapeFit fit_theory = fit_line_shape(s.frequency, s.theory);
    ASSERT_TRUE(fit_td.converged);
    const double a = j.alpha * j.resonance;
    const double kittel = spin_diode_kittel_frequency(j);
    expect_within("fitted resonance (Hz) vs Kittel frequency", fit_td.resonance, kittel,
                  std::abs(kittel - j.resonance) + std::abs(fit_theory.resonance - j.resonance) + 2 * 2 * eps * a);
    expect_within("fitted half-width (Hz) vs alpha f_r", fit_td.half_width, a,
                  std::abs(fit_theory.half_width - a) + 2 * 2 * eps * a);
  }
}

// Which torque gives which part (Tulapurkar 2005; Sankey 2008; see docs/spin_diode.md): a pure
// damping-like torque drives m perpendicular to the reference axis, in quadrature with the current
// at resonance -> symmetric line, V_A / V_S = alpha exactly in the LL form (the alpha-mixing of the
// Gilbert torques); a pure field-like torque drives m along the reference axis -> antisymmetric
// line, V_S / V_A = -alpha. Amplitudes against spin_diode_sensitivity and
// spin_diode_symmetric_sensitivity (V_A = 2 K_SD P, V_S = K_S P). Tolerances: the fit bias from the
// counter-rotating term (fit of the theory curve) plus twice the time-domain budget.
TEST(SpinDiodeLineShape, DampingLikeTorqueIsSymmetricFieldLikeIsAntisymmetric) {
  const SpinDiodeMeasurement m = quiet_measurement();
  struct Case {
    const char* name;
    double eta_DL, eta_FL;
  };
  for (const Case c : {Case{"damping-like only", 0.3, 0.0}, Case{"field-like only", 0.0, 0.3}}) {
    SpinDiodeJunction j = field_like_junction();
    j.damping_like_efficiency = c.eta_DL;
    j.field_like_efficiency = c.eta_FL;
    const double I0 = 4e-6;
    const double P = I0 * I0 * spin_diode_resistance(j) / 2;
    std::printf("  %s\n", c.name);
    const Sweep s = sweep(j, I0, m, 41, 6);
    const LineShapeFit td = fit_line_shape(s.frequency, s.voltage);
    const LineShapeFit th = fit_line_shape(s.frequency, s.theory);
    const double eps = relative_budget(j, I0, m);
    const double V_S = spin_diode_symmetric_sensitivity(j) * P, V_A = 2 * spin_diode_sensitivity(j) * P;
    const double scale = std::max(std::abs(V_S), std::abs(V_A));
    expect_within("V_S (V)", td.symmetric, V_S, std::abs(th.symmetric - V_S) + 2 * 2 * eps * scale);
    expect_within("V_A (V)", td.antisymmetric, V_A, std::abs(th.antisymmetric - V_A) + 2 * 2 * eps * scale);
    if (c.eta_FL == 0) {
      expect_within("V_A / V_S (damping-like: alpha)", td.antisymmetric / td.symmetric, j.alpha,
                    std::abs(th.antisymmetric / th.symmetric - j.alpha) + 2 * 2 * eps);
    } else {
      expect_within("V_S / V_A (field-like: -alpha)", td.symmetric / td.antisymmetric, -j.alpha,
                    std::abs(th.symmetric / th.antisymmetric + j.alpha) + 2 * 2 * eps);
    }
  }
}

// V is proportional to P_RF at low power: V / P at d = -a, 0 (symmetric part) and +a over two
// decades of power is constant to the nonlinearity bound theta^2 (plus the budget); at high power
// the line saturates: |R - R0| <= dR / 2 bounds |V| <= (dR / 2) <|I|> = dR I0 / pi, which grows as
// sqrt(P), so V / P must fall well below the small-signal value once the small-signal cone would
// exceed a few rad (3 and 10 rad here).
TEST(SpinDiodeLineShape, LinearInPowerAtLowPowerAndSaturatingAtHighPower) {
  SpinDiodeMeasurement m = quiet_measurement();
  SpinDiodeJunction j = field_like_junction();
  j.damping_like_efficiency = 0.1;  // both parts present
  const double a = j.alpha * j.resonance;
  const std::vector<double> detuning{-1, 0, 1};
  const std::vector<double> low_current{0.4e-6, 1.3e-6, 4e-6};  // cones 1e-3 .. 1e-2 rad
  const std::vector<double> high_current{1.2e-3, 4e-3};         // small-signal cones 3 .. 10 rad
  std::vector<SpinDiodeDevice> devices;
  for (double I0 : low_current)
    for (double d : detuning) devices.push_back({j, {{window_grid_frequency(j.resonance + d * a, m.window), I0, 0}}, 1});
  for (double I0 : high_current)
    for (int k = -20; k <= 20; ++k)  // the nonlinear line moves: sweep it wide and take the extreme
      devices.push_back({j, {{window_grid_frequency(j.resonance + k * 0.5 * a, m.window), I0, 0}}, 1});
  m.dt = 0.5e-12;  // large cones: tighter step
  const std::vector<double> V = measure_rectified_voltage(devices, m);
  const double R0 = spin_diode_resistance(j);
  for (std::size_t di = 0; di < detuning.size(); ++di) {
    const double reference = V[2 * detuning.size() + di] / (low_current[2] * low_current[2] * R0 / 2);
    for (std::size_t p = 0; p < 2; ++p) {
      const double I0 = low_current[p];
      const double per_watt = V[p * detuning.size() + di] / (I0 * I0 * R0 / 2);
      // Both ends carry the budget; relative to the line's peak V/P (the symmetric point d = 0 is
      // small and takes the antisymmetric slope times the nonlinear shift).
      const double peak_per_watt = std::abs(V[2 * detuning.size()]) / (low_current[2] * low_current[2] * R0 / 2);
      expect_within("V/P at d/a = " + std::to_string(detuning[di]) + ", I0 = " + std::to_string(I0 * 1e6) + " uA",
                    per_watt, reference,
                    2 * (relative_budget(j, low_current[2], m) + relative_budget(j, I0, m)) * peak_per_watt);
    }
  }
  const double small_signal_peak =
      std::max(std::abs(V[2 * detuning.size()]), std::abs(V[2 * detuning.size() + 2])) /
      (low_current[2] * low_current[2] * R0 / 2);
  for (std::size_t p = 0; p < high_current.size(); ++p) {
    const double I0 = high_current[p];
    const std::vector<double> line(V.begin() + 3 * detuning.size() + p * 41, V.begin() + 3 * detuning.size() + (p + 1) * 41);
    const double extreme = peak_abs(line);
    const double bound = (j.R_AP - j.R_P) * I0 / constants::pi;
    const double linear = small_signal_peak * I0 * I0 * R0 / 2;
    std::printf("    I0 %.1e A: max |V| %.3e V, small-signal extrapolation %.3e V, bound dR I0/pi %.3e V\n", I0,
                extreme, linear, bound);
    EXPECT_LE(extreme, bound) << "rectified voltage above the saturation bound";
    EXPECT_LT(extreme, 0.5 * linear) << "no saturation at a small-signal cone of " << peak_cone(j, I0) << " rad";
  }
}

// The compact model against the time-domain line after calibrating K_SD (Leroux 2021 model;
// calibration: least-squares K of V/P = K 2ad/(a^2+d^2) at the junction's f_r and alpha, see
// docs/spin_diode.md). What the compact model leaves out, relative to K_SD: the symmetric part
// V_S = alpha V_A of a field-like junction (peak 2 alpha K_SD = 2 %), the counter-rotating background
// (~alpha/2 of the peak, 0.5 %) and the time-domain budget; the issue's bound is 5 % of K_SD at every
// frequency. The calibrated K_SD must also equal the small-signal value (spin_diode_sensitivity)
// within the calibration's bias on the theory curve itself plus the budget.
TEST(SpinDiodeCompactModel, LineShapeWithinFivePercentAfterCalibration) {
  const SpinDiodeMeasurement m = quiet_measurement();
  const SpinDiodeJunction j = field_like_junction();
  const double I0 = 4e-6, P = I0 * I0 * spin_diode_resistance(j) / 2;
  const Sweep s = sweep(j, I0, m, 61, 10);
  std::vector<double> per_watt, theory_per_watt;
  for (std::size_t k = 0; k < s.voltage.size(); ++k) {
    per_watt.push_back(s.voltage[k] / P);
    theory_per_watt.push_back(s.theory[k] / P);
  }
  const double K = calibrate_sensitivity(s.frequency, per_watt, j.resonance, j.alpha);
  const double K_theory = calibrate_sensitivity(s.frequency, theory_per_watt, j.resonance, j.alpha);
  const double K_small_signal = spin_diode_sensitivity(j);
  const double eps = relative_budget(j, I0, m);
  std::printf("    calibrated K_SD %.4e V/W (theory curve %.4e, small-signal %.4e)\n", K, K_theory, K_small_signal);
  expect_within("calibrated K_SD (V/W) vs small-signal K_SD", K, K_small_signal,
                std::abs(K_theory - K_small_signal) + 2 * eps * K_small_signal);
  double worst = 0;
  for (std::size_t k = 0; k < s.frequency.size(); ++k)
    worst = std::max(worst, std::abs(per_watt[k] - compact_G(s.frequency[k], j.resonance, j.alpha, K)));
  expect_within("max |V/P - G| / K_SD over +-10 half-widths", worst / K, 0, 0.05);
}

/// A junction of a chain with its field-like efficiency proportional to f_r, so that every junction
/// has the sensitivity of the 5 GHz junction (K_SD is proportional to eta_FL / f_r).
SpinDiodeJunction equalized(double resonance) {
  SpinDiodeJunction j = field_like_junction();
  j.field_like_efficiency *= resonance / j.resonance;
  j.resonance = resonance;
  return j;
}

// Multi-tone drive of series chains: every junction of every chain sees every tone. To second order
// in the current the rectified voltage is a sum over tones of single-tone terms plus cross terms
// oscillating at the beat frequencies f_i - f_i'; tones on the window grid make every beat a whole
// number of cycles, so the cross terms average to exactly zero (off the grid a beat at df would
// leave up to 1/(pi df T) of its amplitude: 3 % for df = 100 MHz, T = 100 ns). So
//   (1) the chain voltage equals sum_k s_k sum_i V_lin(junction k, tone i) within the budget
//       (theta the total cone: the sum of the tones' cones at their junctions' resonance, bounded
//       by the sum of peak cones);
//   (2) it equals the compact model sum_i P_i W_ji (W_ji = sum_k s_k G(f_i; f_r,jk), K_SD calibrated
//       on the single 5 GHz junction) within 5 % of the chain's envelope sum_ik P_i K 2a max(a,|d|)/(a^2+d^2)
//       (the single-junction line-shape bound, summed).
TEST(SpinDiodeChain, MultiToneChainVoltageIsSumOfPowerTimesWeight) {
  const SpinDiodeMeasurement m = quiet_measurement();
  const std::vector<std::vector<double>> resonances{{4.70e9, 4.95e9, 5.10e9, 5.32e9}, {4.82e9, 5.05e9, 5.20e9, 4.62e9}};
  std::vector<SpinDiodeChain> chains;
  for (const auto& r : resonances) {
    SpinDiodeChain c;
    for (double f : r) c.junctions.push_back(equalized(f));
    chains.push_back(c);
  }
  const SpinDiodeJunction reference = field_like_junction();
  const double R0 = spin_diode_resistance(reference);
  const std::vector<double> frequency{4.70e9, 4.80e9, 5.00e9, 5.10e9, 5.30e9};
  const std::vector<double> power{1.0e-8, 0.4e-8, 0.8e-8, 0.2e-8, 0.6e-8};  // W
  std::vector<RfTone> tones;
  std::mt19937_64 generator(7);
  std::uniform_real_distribution<double> phase(0, constants::two_pi);
  double total_cone = 0;
  for (std::size_t i = 0; i < frequency.size(); ++i) {
    const double I0 = spin_diode_current_amplitude(reference, power[i]);
    tones.push_back({window_grid_frequency(frequency[i], m.window), I0, phase(generator)});
    total_cone += peak_cone(reference, I0);
  }
  const std::vector<double> V = measure_chain_voltage(chains, tones, m);

  // K_SD from the single reference junction's line (as in the test above).
  const double I_cal = 4e-6, P_cal = I_cal * I_cal * R0 / 2;
  const Sweep s = sweep(reference, I_cal, m, 41, 8);
  std::vector<double> per_watt;
  for (double v : s.voltage) per_watt.push_back(v / P_cal);
  const double K = calibrate_sensitivity(s.frequency, per_watt, reference.resonance, reference.alpha);

  const double eps = total_cone * total_cone + relative_budget(reference, 0, m);
  for (std::size_t c = 0; c < chains.size(); ++c) {
    double linear = 0, compact = 0, envelope = 0, linear_scale = 0;
    for (std::size_t k = 0; k < chains[c].junctions.size(); ++k) {
      const SpinDiodeJunction& j = chains[c].junctions[k];
      const int sk = k % 2 == 0 ? 1 : -1;
      const double a = j.alpha * j.resonance;
      for (std::size_t i = 0; i < tones.size(); ++i) {
        const double v = spin_diode_linear_voltage(j, tones[i].frequency, tones[i].amplitude);
        linear += sk * v;
        linear_scale += std::abs(v);
        compact += sk * power[i] * compact_G(tones[i].frequency, j.resonance, j.alpha, K);
        const double d = tones[i].frequency - j.resonance;
        envelope += power[i] * K * 2 * a * std::max(a, std::abs(d)) / (a * a + d * d);
      }
    }
    std::printf("  chain %zu: V %.5e V, sum of single-tone small-signal terms %.5e V, compact sum P W %.5e V\n", c,
                V[c], linear, compact);
    expect_within("chain " + std::to_string(c) + " V vs sum_k s_k sum_i V_lin (V)", V[c], linear,
                  2 * eps * linear_scale);
    expect_within("chain " + std::to_string(c) + " V vs sum_i P_i W_ji (V)", V[c], compact, 0.05 * envelope);
  }
}

SpinDiodeNetwork small_network() {
  SpinDiodeNetwork net;
  net.max_power = 1e-8;  // W
  net.input_frequency = {4.7e9, 4.85e9, 5.0e9, 5.15e9, 5.3e9};  // on a 50 MHz grid
  net.resonance = {{4.72e9, 4.90e9}, {5.02e9, 5.28e9}, {4.80e9, 5.18e9}};
  net.bias = {1e-7, -2e-7, 0};
  net.alpha = 0.01;
  net.K_SD = spin_diode_sensitivity(field_like_junction());
  return net;
}

// Physics in the loop on a small hand-made network at T = 0: the shared-current loop reproduces
// the engine's chain measurement of the same junctions and tones (same equations; differences are
// float32 rounding of a 0.05 rad cone over 1e5 steps, 6e-8 sqrt(1e5) / 0.05 ~ 4e-4, so 2e-3 of
// the chain's scale), and the compact outputs within 5 % of the envelope (as for the chains).
TEST(PhysicsInTheLoop, SharedCurrentLoopMatchesEngineAndCompactModelAtZeroTemperature) {
  const SpinDiodeNetwork net = small_network();
  PhysicsInTheLoopOptions options;
  options.temperature = 0;
  options.peak_cone = 0.02;
  const std::vector<std::vector<double>> features{{1, 0.2, 0.5, 0, 0.8}, {0.1, 0.9, 0.3, 0.6, 0}};
  const PhysicsInTheLoopResult r = evaluate_physics_in_the_loop(net, features, options);
  std::printf("    transient %.1f ns, window %.1f ns, beat bound %.1e, %.3e junction-steps/s\n", r.transient * 1e9,
              r.window * 1e9, r.beat_bound, r.junction_steps_per_second);
  EXPECT_EQ(r.beat_bound, 0.0);

  // The same junctions through the engine (tones on the window grid, same phases are not needed:
  // on the grid the result does not depend on the phases).
  SpinDiodeMeasurement m = quiet_measurement();
  m.precision = Precision::float32;
  m.transient = r.transient;
  m.window = r.window;
  const SpinDiodeJunction reference = [&] {
    SpinDiodeJunction j = field_like_junction();
    double sum = 0;
    int n = 0;
    for (const auto& c : net.resonance)
      for (double f : c) sum += f, ++n;
    j.resonance = sum / n;
    return j;
  }();
  for (std::size_t s = 0; s < features.size(); ++s) {
    const std::vector<double> P = input_powers(net, features[s]);
    std::vector<RfTone> tones;
    for (std::size_t i = 0; i < P.size(); ++i)
      tones.push_back({net.input_frequency[i], std::sqrt(2 * P[i] * r.power_scale / spin_diode_resistance(reference)), 0.3 * i});
    std::vector<SpinDiodeChain> chains;
    for (const auto& c : net.resonance) {
      SpinDiodeChain chain;
      for (double f : c) {
        SpinDiodeJunction j = reference;
        j.field_like_efficiency *= f / reference.resonance;
        j.resonance = f;
        chain.junctions.push_back(j);
      }
      chains.push_back(chain);
    }
    const std::vector<double> engine = measure_chain_voltage(chains, tones, m);
    for (std::size_t j = 0; j < chains.size(); ++j) {
      const double engine_net = engine[j] * r.voltage_scale + net.bias[j];
      double envelope = 0;
      for (double fr : net.resonance[j])
        for (std::size_t i = 0; i < P.size(); ++i) {
          const double a = net.alpha * fr, d = net.input_frequency[i] - fr;
          envelope += P[i] * net.K_SD * 2 * a * std::max(a, std::abs(d)) / (a * a + d * d);
        }
      expect_within("sample " + std::to_string(s) + " chain " + std::to_string(j) + ": loop vs engine",
                    r.time_domain[s][j], engine_net, 2e-3 * envelope);
      expect_within("sample " + std::to_string(s) + " chain " + std::to_string(j) + ": loop vs compact",
                    r.time_domain[s][j], r.compact[s][j], 0.05 * envelope);
    }
  }
}

// The network file: a saved network loads back unchanged; errors name the file, the JSON path,
// what was expected and what was found.
TEST(PhysicsInTheLoop, NetworkFileRoundTripAndErrors) {
  const SpinDiodeNetwork net = small_network();
  const std::string path = ::testing::TempDir() + "/spin_diode_network.json";
  save_spin_diode_network(net, path);
  const SpinDiodeNetwork back = load_spin_diode_network(path);
  EXPECT_EQ(back.input_frequency.size(), net.input_frequency.size());
  for (std::size_t j = 0; j < net.resonance.size(); ++j)
    for (std::size_t k = 0; k < net.resonance[j].size(); ++k)
      EXPECT_NEAR(back.resonance[j][k], net.resonance[j][k], 1e-6);
  EXPECT_DOUBLE_EQ(back.K_SD, net.K_SD);
  EXPECT_EQ(compact_outputs(back, {1, 0, 0, 0, 1}), compact_outputs(net, {1, 0, 0, 0, 1}));
  {
    std::ofstream out(path);
    out << R"({"format": "spinnet-rf-network", "encoding": {"max_power_W": 1e-6, "offset": [], "scale": []},
              "layers": [{"input_frequency_Hz": [1e9, 2e9], "base_resonance_Hz": [1e9, 2e9],
                          "shift_Hz": [[0, 0], [0]], "alpha": 0.01, "K_SD_V_per_W": 1}]})";
  }
  try {
    load_spin_diode_network(path);
    ADD_FAILURE() << "a ragged chain list was accepted";
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    std::printf("    %s\n", what.c_str());
    EXPECT_NE(what.find(path), std::string::npos);
    EXPECT_NE(what.find("layers[0].shift_Hz[1]"), std::string::npos);
  }
  EXPECT_THROW(input_powers(net, {1, 2}), RunError);
}

// Thermal noise at 300 K: the rectified voltage of a junction is a time average of (R - R0) I, a
// stationary process whose correlation time (the decay time 1 / (2 pi alpha f_r) ~ 3.4 ns) is far
// below the window, so its fluctuation falls as 1 / sqrt(window): quadrupling the window halves the
// standard deviation of the outputs. Estimated over 48 independent copies of one sample (noise is
// keyed by device id) and 3 chains: the relative standard error of each standard deviation is
// 1 / sqrt(2 (n - 1)) ~ 0.06 with n = 144 values, so the ratio's is ~0.085; tolerance 3 sigma, 0.5.
// The mean over the copies must agree with the compact model within 4 standard errors plus the
// T = 0 bound (5 % of the envelope, as above).
TEST(PhysicsInTheLoop, ThermalNoiseAveragesAsInverseSquareRootOfWindow) {
  const SpinDiodeNetwork net = small_network();
  const std::vector<std::vector<double>> copies(48, std::vector<double>{1, 0.2, 0.5, 0, 0.8});
  PhysicsInTheLoopOptions options;
  options.temperature = 300;
  options.transient = 30e-9;
  std::vector<double> spread;
  for (const double window : {20e-9, 80e-9}) {
    options.window = window;
    const PhysicsInTheLoopResult r = evaluate_physics_in_the_loop(net, copies, options);
    double sum2 = 0;
    int n = 0;
    for (std::size_t j = 0; j < net.resonance.size(); ++j) {
      double mean = 0;
      for (const auto& out : r.time_domain) mean += out[j];
      mean /= copies.size();
      double var = 0;
      for (const auto& out : r.time_domain) var += (out[j] - mean) * (out[j] - mean);
      sum2 += var;
      n += static_cast<int>(copies.size()) - 1;
      double envelope = 0;
      const std::vector<double> P = input_powers(net, copies[0]);
      for (double fr : net.resonance[j])
        for (std::size_t i = 0; i < P.size(); ++i) {
          const double a = net.alpha * fr, d = net.input_frequency[i] - fr;
          envelope += P[i] * net.K_SD * 2 * a * std::max(a, std::abs(d)) / (a * a + d * d);
        }
      const double standard_error = std::sqrt(var / (copies.size() - 1) / copies.size());
      expect_within("window " + std::to_string(window * 1e9) + " ns, chain " + std::to_string(j) + ": mean vs compact",
                    mean, r.compact[0][j], 4 * standard_error + 0.05 * envelope);
    }
    spread.push_back(std::sqrt(sum2 / n));
    std::printf("    window %.0f ns: output standard deviation %.3e V\n", window * 1e9, spread.back());
  }
  expect_within("std(20 ns) / std(80 ns)", spread[0] / spread[1], 2.0, 0.5);
}

// The reference trainer (until rfnet's lands) learns a separable toy task: class 0 drives the two
// lowest tones, class 1 the two highest; a layer of 2 chains x 4 junctions can separate them
// (a chain with a junction just below the high tones has W > 0 there), so training accuracy must
// reach 1 and the compact outputs of the saved network must classify both patterns.
TEST(PhysicsInTheLoop, ReferenceTrainerSeparatesToyPatterns) {
  std::vector<std::vector<double>> x;
  std::vector<int> y;
  std::mt19937_64 generator(3);
  std::uniform_real_distribution<double> jitter(0.7, 1.0);
  for (int s = 0; s < 40; ++s) {
    const int label = s % 2;
    std::vector<double> v(4, 0.0);
    v[2 * label] = jitter(generator), v[2 * label + 1] = jitter(generator);
    x.push_back(v);
    y.push_back(label);
  }
  ReferenceTrainingOptions options;
  options.junctions = 4;
  options.f_min = 4.8e9, options.f_max = 4.95e9;
  options.epochs = 300;
  double train_accuracy = 0;
  const SpinDiodeNetwork net = train_reference_network(x, y, 2, options, &train_accuracy);
  std::printf("    training accuracy %.3f\n", train_accuracy);
  EXPECT_EQ(train_accuracy, 1.0);
  std::vector<std::vector<double>> outputs;
  for (const auto& v : x) outputs.push_back(compact_outputs(net, v));
  EXPECT_EQ(top_one_accuracy(outputs, y), 1.0);
}

// The command line: a missing network file, and a network whose inputs do not match the data set's
// 64 features, each end in one line on stderr naming the file or the mismatch, and exit code 2.
TEST(PhysicsInTheLoop, CommandLineErrorsNameTheFileAndTheMismatch) {
  test::TempDir scratch;
  const test::CliResult missing =
      test::run_cli({"physics-in-the-loop", (scratch / "no_such_network.json").string(), "--out",
                     (scratch / "out").string()}, scratch.path());
  EXPECT_EQ(missing.exit_code, 2);
  ASSERT_EQ(missing.error_lines().size(), 1u) << missing.err;
  EXPECT_NE(missing.err.find("no_such_network.json"), std::string::npos) << missing.err;
  save_spin_diode_network(small_network(), (scratch / "five_inputs.json").string());
  const test::CliResult mismatch =
      test::run_cli({"physics-in-the-loop", (scratch / "five_inputs.json").string(), "--samples", "1", "--out",
                     (scratch / "out").string()}, scratch.path());
  EXPECT_EQ(mismatch.exit_code, 2);
  ASSERT_EQ(mismatch.error_lines().size(), 1u) << mismatch.err;
  EXPECT_NE(mismatch.err.find("five_inputs.json"), std::string::npos) << mismatch.err;
  EXPECT_NE(mismatch.err.find("64 input tones"), std::string::npos) << mismatch.err;
  EXPECT_NE(mismatch.err.find("got 5 input tones"), std::string::npos) << mismatch.err;
  std::printf("    %s    %s", missing.err.c_str(), mismatch.err.c_str());
}

// Tones off any grid of the window: beats at f_i - f_i' no longer complete whole cycles, and each
// cross term between tones i and i' keeps at most 1/(pi |f_i - f_i'| T) <= beat_bound of its
// amplitude. A cross term of junction k is bounded like a single-tone term with the geometric mean
// of the powers: 2 K sqrt(P_i P_i') 2a max(a, |d|)/(a^2 + d^2) (d of the tone driving the junction).
// So |V - compact| <= 5 % of the envelope (as on the grid) + beat_bound * sum of those cross bounds.
TEST(PhysicsInTheLoop, OffGridTonesStayWithinTheBeatAveragingBound) {
  SpinDiodeNetwork net = small_network();
  net.input_frequency = {4.7137e9, 4.8511e9, 4.9873e9, 5.1629e9, 5.2917e9};
  PhysicsInTheLoopOptions options;
  options.temperature = 0;
  options.peak_cone = 0.02;
  options.window = 40e-9;
  const std::vector<std::vector<double>> features{{1, 0.2, 0.5, 0.1, 0.8}};
  const PhysicsInTheLoopResult r = evaluate_physics_in_the_loop(net, features, options);
  std::printf("    window %.1f ns, beat bound %.3f\n", r.window * 1e9, r.beat_bound);
  ASSERT_GT(r.beat_bound, 0.0);
  const std::vector<double> P = input_powers(net, features[0]);
  for (std::size_t j = 0; j < net.resonance.size(); ++j) {
    double envelope = 0, cross = 0;
    for (double fr : net.resonance[j]) {
      const double a = net.alpha * fr;
      for (std::size_t i = 0; i < P.size(); ++i) {
        const double d = net.input_frequency[i] - fr, shape = 2 * a * std::max(a, std::abs(d)) / (a * a + d * d);
        envelope += P[i] * net.K_SD * shape;
        for (std::size_t i2 = 0; i2 < P.size(); ++i2)
          if (i2 != i) cross += 2 * net.K_SD * std::sqrt(P[i] * P[i2]) * shape;
      }
    }
    expect_within("chain " + std::to_string(j) + ": off-grid loop vs compact", r.time_domain[0][j], r.compact[0][j],
                  0.05 * envelope + r.beat_bound * cross);
  }
}

}  // namespace
}  // namespace spinnet
