// Spin-torque diode: a magnetic tunnel junction driven by RF current tones rectifies them into a DC
// voltage V_dc = <R(t) I(t)> (Tulapurkar et al., Nature 438, 339 (2005); Sankey et al., Nature
// Phys. 4, 67 (2008)). The junction is described by physical parameters and mapped onto the
// macrospin model (macrospin.hpp), which the batch engine integrates; this header holds the
// mapping and the small-signal (linear-response) theory the tests and the calibration compare
// against. See docs/spin_diode.md for the geometry and the derivations.
//
// Geometry (chosen so that the precession is circular and the line half-width is exactly alpha f_r):
//   free layer: thin disc, demagnetizing tensor diag(0, 0, 1), uniaxial anisotropy H_k along z and
//   an applied field H_z along z, equilibrium m = z; stiffness field H0 = H_z + H_k - Ms.
//   polarizer = reference layer: in plane along x, so m.p = 0 at equilibrium, R0 = (R_P + R_AP)/2
//   and R(t) = R0 - (dR/2) m_x(t).
//   torques (Gilbert form, per ampere of current through the junction, in field units A/m):
//     damping-like  a_J = hbar eta_DL / (2 e mu0 Ms V)  I     (Slonczewski)
//     field-like    b_J = hbar eta_FL / (2 e mu0 Ms V)  I     (equivalent to a field b_J along p)
// Small-signal result (resonant term; the counter-rotating term is kept in the exact expression
// spin_diode_linear_voltage), with d = f - f_r, a = alpha f_r (half-width), gamma' = gamma0/(1+alpha^2):
//   V = V_S a^2/(a^2 + d^2) + V_A a d/(a^2 + d^2),
//   V_S = -dR gamma' I0^2 (a_J1 + alpha b_J1) / (16 pi a),   V_A = dR gamma' I0^2 (b_J1 - alpha a_J1) / (16 pi a)
// (a_J1, b_J1: torques per ampere): the damping-like torque drives m perpendicular to the reference
// axis and gives the symmetric part, the field-like torque drives it along the reference axis and
// gives the antisymmetric part.
#pragma once

#include <cmath>
#include <complex>
#include <cstdint>
#include <string>
#include <vector>

#include "spinnet/core/constants.hpp"
#include "spinnet/engine/engine.hpp"
#include "spinnet/core/hostdevice.hpp"
#include "spinnet/models/macrospin.hpp"

namespace spinnet {

/// A spin-diode junction in SI units. The resonance f_r is the physical input; the applied field
/// that produces it follows from spin_diode_applied_field.
struct SpinDiodeJunction {
  double resonance = 5e9;                          // f_r, Hz (small-signal resonance of the LL equation)
  double alpha = 0.01;                             // Gilbert damping
  double gamma = constants::gyromagnetic_ratio;    // rad/(s T)
  double Ms = 1.0e6;                               // A/m
  double Hk = 1.05e6;  // perpendicular anisotropy field, A/m (H_k - Ms > 0: perpendicular; small, for linearity)
  double volume = constants::pi / 4 * 100e-9 * 100e-9 * 1.5e-9;  // 100 nm disc, 1.5 nm thick, m^3
  double R_P = 500, R_AP = 1000;                   // Ohm (TMR 100 %)
  double damping_like_efficiency = 0.0;            // eta_DL (Slonczewski spin polarization)
  double field_like_efficiency = 0.3;              // eta_FL
  double temperature = 0;                          // K
};

/// R0 = (R_P + R_AP) / 2: the resistance at equilibrium (m perpendicular to the reference).
SPINNET_HDI double spin_diode_resistance(const SpinDiodeJunction& j) { return 0.5 * (j.R_P + j.R_AP); }

/// Torque per ampere hbar / (2 e mu0 Ms V), A/m per A (to be multiplied by an efficiency).
SPINNET_HDI double spin_diode_torque_per_ampere(const SpinDiodeJunction& j) {
  using namespace constants;
  return hbar / (2.0 * electron_charge * mu0 * j.Ms * j.volume);
}

/// The precession frequency Heun's method gives for a circular precession at true angular frequency
/// w with step dt: one step multiplies the complex amplitude by 1 + i w dt - (w dt)^2 / 2, whose
/// argument is w dt (1 + (w dt)^2 / 6 + O((w dt)^4)). Returned in the same unit as w.
SPINNET_HDI double heun_precession_frequency(double w, double dt) {
  const double x = w * dt;
  return dt > 0 ? ::atan2(x, 1.0 - 0.5 * x * x) / dt : w;
}

/// The stiffness field H0 (A/m) whose small-signal resonance is f_r: f_r = gamma0 H0 / (2 pi (1 + alpha^2))
/// (the Landau-Lifshitz precession rate; the Kittel frequency gamma0 H0 / 2 pi is (1 + alpha^2) f_r).
/// With dt > 0 the field is lowered so that the *integrated* (Heun) resonance is f_r (the inverse of
/// heun_precession_frequency, by Newton's method).
SPINNET_HDI double spin_diode_stiffness_field(const SpinDiodeJunction& j, double dt = 0) {
  const double gamma_ll = constants::mu0 * j.gamma / (1.0 + j.alpha * j.alpha);
  const double target = constants::two_pi * j.resonance;
  double w = target;
  if (dt > 0) {
    for (int iteration = 0; iteration < 8; ++iteration) {
      const double x = w * dt;
      const double slope = (1.0 + 0.5 * x * x) / (1.0 + 0.25 * x * x * x * x);  // d/dw of atan2(x, 1 - x^2/2) / dt
      w -= (heun_precession_frequency(w, dt) - target) / slope;
    }
  }
  return w / gamma_ll;
}

/// Applied perpendicular field H_z (A/m) that sets the resonance: H0 = H_z + H_k - Ms.
SPINNET_HDI double spin_diode_applied_field(const SpinDiodeJunction& j, double dt = 0) {
  return spin_diode_stiffness_field(j, dt) - (j.Hk - j.Ms);
}

/// Kittel frequency gamma0 H0 / 2 pi of the undamped precession (Hz).
SPINNET_HDI double spin_diode_kittel_frequency(const SpinDiodeJunction& j) {
  return constants::mu0 * j.gamma * spin_diode_stiffness_field(j) / constants::two_pi;
}

/// Current amplitude of a tone that delivers RF power P (W) to the junction at R0: P = I0^2 R0 / 2.
SPINNET_HDI double spin_diode_current_amplitude(const SpinDiodeJunction& j, double power) {
  return ::sqrt(2.0 * power / spin_diode_resistance(j));
}

/// Symmetric and antisymmetric Lorentzians with resonance f_r and half-width a:
///   V(f) = V_S a^2 / (a^2 + d^2) + V_A a d / (a^2 + d^2),  d = f - f_r.
/// The antisymmetric part has its extrema +-V_A / 2 at d = +-a.
SPINNET_HDI double lorentzian_line(double f, double f_r, double half_width, double V_S, double V_A) {
  const double d = f - f_r, a = half_width;
  return (V_S * a * a + V_A * a * d) / (a * a + d * d);
}

/// Exact small-signal rectified voltage (V) of one tone of amplitude I0 (A) at frequency f (Hz):
/// first order in the current for m, second order for V = <R I>, with both the co-rotating and the
/// counter-rotating response (see the header comment and docs/spin_diode.md):
///   delta_+ = A e^{i w t} + B e^{-i w t},  A = (c/2) / (alpha w_r + i (w - w_r)),
///   B = (c/2) / (alpha w_r - i (w + w_r)),  c = gamma' I0 [(a_J1 + alpha b_J1) - i (b_J1 - alpha a_J1)],
///   V = -(dR I0 / 4) Re(A + B).
/// w_r is the LL precession rate 2 pi f_r (or, to compare with a Heun run at step dt, the junction's
/// field as set with that dt gives the same w_r).
inline double spin_diode_linear_voltage(const SpinDiodeJunction& j, double f, double I0) {
  const double gamma_ll = constants::mu0 * j.gamma / (1.0 + j.alpha * j.alpha);
  const double torque = spin_diode_torque_per_ampere(j);
  const double aJ = torque * j.damping_like_efficiency, bJ = torque * j.field_like_efficiency;
  const std::complex<double> c = gamma_ll * I0 * std::complex<double>(aJ + j.alpha * bJ, -(bJ - j.alpha * aJ));
  const double w = constants::two_pi * f, wr = constants::two_pi * j.resonance;
  const std::complex<double> A = 0.5 * c / std::complex<double>(j.alpha * wr, w - wr);
  const std::complex<double> B = 0.5 * c / std::complex<double>(j.alpha * wr, -(w + wr));
  return -(j.R_AP - j.R_P) * I0 / 4.0 * (A + B).real();
}

/// Sensitivity K_SD (V/W) of the compact synapse model G = K_SD 2 a d / (a^2 + d^2) (Leroux et al.,
/// PR Applied 15, 034067 (2021)) that the antisymmetric part of the small-signal line gives:
/// K_SD = V_A / (2 P) = dR gamma' (b_J1 - alpha a_J1) / (16 pi a R0),  a = alpha f_r, P = I0^2 R0 / 2.
/// Note K_SD is proportional to 1 / f_r at fixed torque efficiencies.
inline double spin_diode_sensitivity(const SpinDiodeJunction& j) {
  const double gamma_ll = constants::mu0 * j.gamma / (1.0 + j.alpha * j.alpha);
  const double torque = spin_diode_torque_per_ampere(j);
  const double a = j.alpha * j.resonance;
  return (j.R_AP - j.R_P) * gamma_ll * torque * (j.field_like_efficiency - j.alpha * j.damping_like_efficiency) /
         (16.0 * constants::pi * a * spin_diode_resistance(j));
}

/// The symmetric amplitude V_S per watt (V/W) of the small-signal line: -dR gamma' (a_J1 + alpha b_J1) / (8 pi a R0).
inline double spin_diode_symmetric_sensitivity(const SpinDiodeJunction& j) {
  const double gamma_ll = constants::mu0 * j.gamma / (1.0 + j.alpha * j.alpha);
  const double torque = spin_diode_torque_per_ampere(j);
  const double a = j.alpha * j.resonance;
  return -(j.R_AP - j.R_P) * gamma_ll * torque * (j.damping_like_efficiency + j.alpha * j.field_like_efficiency) /
         (8.0 * constants::pi * a * spin_diode_resistance(j));
}

/// The macrospin device of a junction (SI). dt > 0 pre-compensates Heun's frequency error (see
/// spin_diode_stiffness_field). The field-like torque is not in these parameters: it enters as an
/// RF field along the polarizer (spin_diode_problem adds it), which is exactly a Gilbert-form
/// field-like torque b_J m x p.
MacrospinParameters<double> spin_diode_device(const SpinDiodeJunction& j, double dt = 0);

/// One RF current tone I0 cos(2 pi f t + phase).
struct RfTone {
  double frequency = 0;  // Hz
  double amplitude = 0;  // A
  double phase = 0;      // rad
};

/// One device of a spin-diode measurement: a junction, the tones it sees and the sign with which its
/// voltage enters a series chain (+1, or -1 for a junction connected the other way round: its
/// rectified voltage flips sign, V_dc being even in the current).
struct SpinDiodeDevice {
  SpinDiodeJunction junction;
  std::vector<RfTone> tones;
  int orientation = 1;
};

/// How to integrate and average a measurement.
struct SpinDiodeMeasurement {
  double dt = 1e-12;          // s
  double transient = 30e-9;   // s, discarded: several decay times 1 / (2 pi alpha f_r)
  double window = 100e-9;     // s, averaging window. Tones on the grid n / window average exactly.
  std::uint64_t seed = 1;
  Precision precision = Precision::float32;
  Backend backend = Backend::automatic;
  bool compensate_step = true;  // set each junction's field so that the Heun resonance is f_r
};

/// The frequency nearest f on the grid n / window (Hz): a tone there completes a whole number of
/// cycles in the averaging window, and so do the beats between any two such tones; <R0 I(t)> and
/// every cross term then average to exactly zero.
double window_grid_frequency(double f, double window);

/// Every device of the list in one batch of the engine; returns orientation * <R(t) I(t)> per device (V).
/// Every device must have the same number of tones (pad with zero-amplitude tones).
std::vector<double> measure_rectified_voltage(const std::vector<SpinDiodeDevice>& devices,
                                              const SpinDiodeMeasurement& measurement);

/// Result of a line-shape fit (units of the data: Hz and V).
struct LineShapeFit {
  double resonance = 0, half_width = 0;  // Hz
  double symmetric = 0, antisymmetric = 0;  // V_S, V_A (V)
  double rms_residual = 0;                  // V
  int iterations = 0;
  bool converged = false;
};

/// Least-squares fit of V(f) = V_S a^2/(a^2+d^2) + V_A a d/(a^2+d^2) (Levenberg-Marquardt on
/// (f_r, a, V_S, V_A), analytic Jacobian). The start comes from the data: for each candidate
/// (f_r, a) on a grid the amplitudes are a linear least-squares solution, and the best candidate
/// starts the iteration. Throws std::invalid_argument for fewer than 5 points.
LineShapeFit fit_line_shape(const std::vector<double>& frequency, const std::vector<double>& voltage);

/// K_SD calibration: the least-squares K in V_i / P_i = K 2 a d_i / (a^2 + d_i^2), a = alpha f_r, at
/// the junction's own f_r and alpha: K = sum(y_i g_i) / sum(g_i^2), y = V/P, g the unit-K shape.
double calibrate_sensitivity(const std::vector<double>& frequency, const std::vector<double>& voltage_per_watt,
                             double resonance, double alpha);

/// A series chain of junctions sharing one current: voltage sum_k s_k V_k (V).
struct SpinDiodeChain {
  std::vector<SpinDiodeJunction> junctions;
  std::vector<int> orientation;  // s_k; empty: (-1)^k, i.e. +1, -1, +1, ... from the first junction
};

/// Drives every chain with the same tones and returns each chain's rectified voltage, all junctions
/// of all chains in one batch.
std::vector<double> measure_chain_voltage(const std::vector<SpinDiodeChain>& chains, const std::vector<RfTone>& tones,
                                          const SpinDiodeMeasurement& measurement);

}  // namespace spinnet
