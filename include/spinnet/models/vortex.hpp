// Vortex spin-torque nano-oscillator: the Thiele equation for the position X = (X, Y) of the vortex
// core in a free-layer disk of radius R and thickness L (A. A. Thiele, PRL 30, 230 (1973); for
// spin-torque vortex oscillators A. Dussaux et al., PRB 86, 014402 (2012); F. Abreu Araujo et al.,
// Sci. Rep. 12, 10605 (2022)):
//
//   G x dX/dt - D(s) dX/dt - k(s) X + F_STT + F_th = 0,        s = |X| / R,
//
//   G      = -p |G| z,  |G| = 2 pi Ms L / gamma             gyrovector; core polarity p = +1 or -1
//   D(s)   = alpha eta |G| (1 + xi s^2)                     damping (Dussaux 2012 nonlinear form)
//            eta = ln(R / (2 l_ex)) / 2 + 3/8,  l_ex = sqrt(2 A / (mu0 Ms^2))
//   k(s)   = k_ms (1 + zeta_ms s^2) + k_Oe(I) (1 + zeta_Oe s^2)
//            k_ms  = (10/9) mu0 Ms^2 L^2 / R                magnetostatic, two-vortex (side-charge-free) ansatz
//            k_Oe  = (4/15) mu0 Ms L C I / R                Ampere-Oersted field of I, vortex chirality C
//   F_STT  = kappa I p_z (z x X) + C kappa I p_ip R y,  kappa = hbar P / (2 |e| R^2)
//   F_th   : <F_i(t) F_j(t')> = 2 D(s) kB T delta_ij delta(t - t')   (fluctuation-dissipation)
//
// Where each coefficient comes from. Only the abstracts and introductions of the cited papers could
// be read while writing this model, so their equation numbers are not cited; the coefficients marked
// "re-derived" were recomputed from the ansatz here, the others are quoted from memory of the papers
// and should be checked against them.
// * |G|: the gyrovector of a vortex, 2 pi times the skyrmion density integral (Thiele 1973;
//   K. Yu. Guslienko et al., J. Appl. Phys. 91, 8037 (2002)). The sign convention G = -p |G| z makes a
//   core with p = +1 gyrate counterclockwise seen from +z.
// * eta (quoted): the damping integral of the shifted vortex, A. V. Khvalkovskiy et al., PRB 80,
//   140401(R) (2009), as used by Dussaux et al. 2012 (D = alpha eta G): (1/2) ln(R / core) from the
//   in-plane curling, 3/8 from the core. xi ~ 0.5 (quoted) is Dussaux 2012's nonlinear damping.
// * k_ms: the volume-charge energy of the two-vortex side-charge-free ansatz in the thin-disk limit,
//   Guslienko et al. 2002: in Gaussian units k = (40 pi / 9) Ms^2 L^2 / R, i.e. a gyrotropic frequency
//   omega = (20/9) gamma Ms L / R. In SI (4 pi Ms^2 -> mu0 Ms^2) this is k_ms = (10/9) mu0 Ms^2 L^2 / R;
//   the (20/9) of the Gaussian frequency formula is not the SI stiffness prefactor. Re-derived (offline,
//   not in the test suite): the 10/9 and the nonlinear coefficient zeta_ms ~ 1/4 (Y. Gaididei
//   et al., Int. J. Quantum Chem. 110, 83 (2010), as used by Dussaux 2012), by integrating the
//   thin-film magnetostatic energy (mu0 Ms^2 L^2 / 8 pi) int int div m div m' / |r - r'| of the
//   ansatz on a grid (1.107 at 240^2 cells, extrapolating to 1.111; zeta 0.24-0.27 for s <= 0.6).
// * k_Oe (re-derived): the Zeeman energy of the ansatz in the Oersted field H_phi = J r / 2 of a
//   uniform current density J = I / (pi R^2) (the analytic Ampere-Oersted contribution of Abreu
//   Araujo et al. 2022).
//   Expanding the energy of the ansatz m = i C f / |f|, f(w) = (w - a)(1 - conj(a) w) (w, a in units
//   of R) to second order in s gives W = W0 + (2 pi / 15) mu0 Ms L J R C X^2, i.e.
//   k_Oe = (4 pi / 15) mu0 Ms L J R C = (4/15) mu0 Ms L C I / R (4 pi / 15 = 0.838: the "0.85"
//   quoted by Khvalkovskiy 2009 and Dussaux 2012). The rigid (not side-charge-free) vortex would give
//   pi / 2 instead. The s^4 term of the same energy, fitted for s <= 0.5, gives zeta_Oe = -0.59; the
//   test VortexTwoVortexAnsatz.OerstedStiffness redoes both numbers by quadrature. C I > 0 (Oersted
//   field along the curling, the chirality whose energy W0 = -(pi / 3) mu0 Ms L C J R^3 it lowers)
//   stiffens the confinement and makes the frequency rise with current.
// * F_STT (quoted): the spin-transfer force of a polarizer with out-of-plane component p_z, Khvalkovskiy
//   2009: F = pi a_J Ms L p_z (z x X), a_J = hbar P J / (2 |e| L Ms) (tesla); with J = I / (pi R^2)
//   this is kappa I p_z (z x X), kappa = hbar P / (2 |e| R^2). Sign convention here: I > 0 with
//   p p_z P > 0 is anti-damping (the physical current direction that drives a given polarity depends
//   on the stack).
// * F_STT, in-plane part (quoted): the in-plane component p_ip of the polarizer (the in-plane SAF
//   of the FeB junctions, tilted out of plane by the perpendicular field) adds a force that does not
//   depend on the core position, pi a_J Ms L R p_ip = kappa I p_ip R, perpendicular to the in-plane
//   polarization and signed by the chirality (Khvalkovskiy 2009; A. Dussaux et al., APL 98, 132506
//   (2011), who trace the locking of vortex oscillators to microwave currents, over up to a third of
//   their frequency, to it). A DC current only shifts the orbit's centre by it (kappa I p_ip R / k_ms,
//   a few % of R); an RF current at the gyration frequency drives the orbit directly, which is how
//   vortex oscillators in series lock to each other's emitted currents (network/, docs/networks.md).
//   Off (p_ip = 0) unless a config asks for it (devices.polarizer_in_plane), so that the single
//   vortex keeps its published figures.
// * F_th: white force whose intensity is fixed by the Thiele damping, so that below threshold the
//   stationary distribution is Boltzmann in the confinement energy (equipartition <k X^2 / 2> = kB T
//   for the two in-plane degrees of freedom). The gyrotropic term is non-dissipative and does not
//   change it. With xi != 0 the noise intensity depends on s; it is evaluated at the start of each
//   step and held (Stratonovich-like Heun), like the other models.
//
// Limitations: the perpendicular field enters only through the polarizer tilt p_z; the tilt of the
// free layer's own magnetization (frequency ~ 1 + p H / H_s, G. de Loubens et al., PRL 102, 177602
// (2009)) is not modelled. The model is valid for s < 1; a core reaching the disk edge (s >= 1) is
// reported as a failure (the vortex would be expelled).
//
// Dynamical variables: the core position in units of R, u = X / R (state {x, y}). Dividing the
// Thiele equation by R |G| gives, with g = -p, J u = z x u = (-u_y, u_x),
//   (g J - d(s)) du/dt = A(s) u - B J u - f,   A = k / |G|,  B = kappa p_z I / |G|,  d = D / |G|,
//   f = F_th / (R |G|),
// solved analytically for du/dt (a 2x2 linear solve; g^2 = 1):
//   du_x/dt = (-d r_x + g r_y) / (1 + d^2),  du_y/dt = (-d r_y - g r_x) / (1 + d^2),  r = A u - B J u - f.
// Linear stability of the centre: the orbit radius grows at the rate (p B - A d) / (1 + d^2) and turns
// at the angular frequency (A + p d B) / (1 + d^2) in the sense of the gyration, so the threshold is
//   D0 (k_ms + k_Oe(I)) = |G| kappa p_z p I   ->   I_th = D0 k_ms / (p kappa p_z |G| - D0 k_Oe / I),
// and on a steady circular orbit (p B = A(s) d(s)) the frequency is exactly k(s) / (2 pi |G|).
//
// Emitted signal: the magnetoresistive voltage oscillation is proportional to the component of the
// mean in-plane magnetization along the reference layer's in-plane direction; for the two-vortex
// ansatz the mean in-plane magnetization is perpendicular to X and proportional to s (Guslienko
// 2002), so with the reference along x the signal is signal_scale * y / R.
#pragma once

#include <cmath>
#include <cstdint>

#include "spinnet/models/device_model.hpp"
#include "spinnet/core/constants.hpp"
#include "spinnet/models/drive.hpp"
#include "spinnet/core/fast_math.hpp"
#include "spinnet/core/random.hpp"

namespace spinnet {

/// The vortex core left the disk (s >= 1). This model reports it with the batch's model-specific
/// status code (device_model.hpp names it after the macrospin's norm check).
inline constexpr std::uint32_t status_core_expelled = status_out_of_bounds;

/// Per-device parameters in SI, as the user gives them (after unit conversion).
struct VortexParameters {
  double Ms;               // free-layer saturation magnetization, A/m
  double thickness;        // free-layer thickness L, m
  double radius;           // disk radius R, m
  double alpha;            // Gilbert damping
  double gamma;            // gyromagnetic ratio, rad/(s T)
  double polarity;         // vortex core polarity p, +1 or -1
  double eta;              // damping factor: D0 = alpha eta |G|
  double xi;               // nonlinear damping: D(s) = D0 (1 + xi s^2)
  double k_ms;             // magnetostatic confinement stiffness, N/m
  double zeta_ms;          // its nonlinear coefficient
  double k_Oe_per_ampere;  // Oersted stiffness per ampere, N/(m A): k_Oe(I) = k_Oe_per_ampere * I (sign C)
  double zeta_Oe;          // its nonlinear coefficient
  double polarization;     // spin polarization P
  double p_z;              // out-of-plane component of the polarizer
  double p_in_plane;       // in-plane component of the polarizer (its force kappa I p_ip R)
  double current;          // DC current I, A
  double temperature;      // K
  double signal_scale;     // emitted signal = signal_scale * y / R, V
  double x0, y0;           // initial core position, units of R
  double chirality;        // C = +1 or -1 (its sign is also in k_Oe_per_ampere; the dipolar coupling needs it)
  double resistance;       // mean junction resistance R0, Ohm (electrical coupling, network/)
  double magnetoresistance;  // R_AP - R_P, Ohm: R(t) = R0 - (magnetoresistance / 2) xi_m y / R
};

/// Mean in-plane magnetization of the two-vortex ansatz per unit core shift s, along the direction
/// perpendicular to the shift: xi_m = 2/3 (Guslienko et al. 2002; used for the magnetoresistive
/// signal by A. Dussaux et al., Nat. Commun. 1, 8 (2010)).
inline constexpr double vortex_xi_m = 2.0 / 3.0;

/// |G| = 2 pi Ms L / gamma, N s / m (Guslienko et al. 2002).
inline double vortex_gyrovector(double Ms, double thickness, double gamma) {
  return constants::two_pi * Ms * thickness / gamma;
}

/// eta = ln(R / (2 l_ex)) / 2 + 3/8 with l_ex = sqrt(2 A / (mu0 Ms^2)) (Khvalkovskiy et al. 2009).
inline double vortex_damping_eta(double Ms, double exchange_stiffness, double radius) {
  const double exchange_length = std::sqrt(2 * exchange_stiffness / (constants::mu0 * Ms * Ms));
  return 0.5 * std::log(radius / (2 * exchange_length)) + 0.375;
}

/// k_ms = (10/9) mu0 Ms^2 L^2 / R, N/m (two-vortex ansatz, thin-disk limit; Guslienko et al. 2002).
inline double vortex_magnetostatic_stiffness(double Ms, double thickness, double radius) {
  return 10.0 / 9.0 * constants::mu0 * Ms * Ms * thickness * thickness / radius;
}

/// k_Oe / I = (4/15) mu0 Ms L C / R, N/(m A): the two-vortex ansatz in the Oersted field of a uniform
/// current (derivation in the header comment).
inline double vortex_oersted_stiffness_per_ampere(double Ms, double thickness, double radius, double chirality) {
  return 4.0 / 15.0 * constants::mu0 * Ms * thickness * chirality / radius;
}

/// Nonlinear coefficients: zeta_ms (Gaididei et al. 2010), zeta_Oe (s^4 term of the Oersted energy
/// of the two-vortex ansatz, fitted for s <= 0.5), xi (Dussaux et al. 2012).
inline constexpr double vortex_zeta_ms = 0.25;
inline constexpr double vortex_zeta_Oe = -0.59;
inline constexpr double vortex_xi = 0.5;

/// The FeB vortex magnetic tunnel junctions of J. Torrejon et al., Nature 547, 428 (2017) and
/// M. Romera et al., Nature 563, 230 (2018): disks of 375 nm diameter with a 6 nm FeB free layer,
/// driven by a DC current under a perpendicular field that tilts the in-plane (SAF) polarizer.
///   Ms = 1.2e6 A/m, L = 6 nm, R = 187.5 nm, alpha = 0.01, gamma of the free electron,
///   A_ex = 1.5e-11 J/m (typical of Fe-rich FeB; enters only through ln R / l_ex): eta = 1.94,
///   p = +1, C = +1 (chirality along the Oersted field of the positive current), T = 300 K,
///   P = 0.6 (Julliere polarization of an MgO junction with ~100 % TMR; an assumption),
///   p_z = B_perp / 1.5 T (the polarizer tilts against its demagnetizing field, mu0 Ms of CoFeB
///   ~ 1.5 T; an assumption).
/// Derived: |G| = 2.57e-13 N s/m, k_ms = 3.86e-4 N/m (k_ms / 2 pi |G| = 239 MHz), k_Oe = 8.0 MHz/mA
/// in frequency, d0 = 0.0194. At 0.43 T (p_z = 0.287) the threshold is I_th = 5.5 mA; the steady
/// orbit is s = 0.35 at 6 mA and s = 0.6 at 7 mA, at f = k(s) / 2 pi |G| = 291 MHz and 305 MHz
/// (Torrejon 2017 report ~300 MHz; Romera 2018 300-500 MHz). P and the polarizer saturation field
/// are not given by the papers: they set the threshold and should be fitted to a measured one.
/// signal_scale = 1 V: the signal is y / R; multiply by (R_AP - R_P) I xi_m / 2 (xi_m ~ 2/3 the
/// mean in-plane magnetization per unit s) for volts.
inline VortexParameters feb_vortex_parameters(double current, double perpendicular_field_T) {
  const double Ms = 1.2e6, thickness = 6e-9, radius = 187.5e-9, chirality = 1.0;
  const double polarizer_saturation_T = 1.5;
  VortexParameters p{};
  p.Ms = Ms;
  p.thickness = thickness;
  p.radius = radius;
  p.alpha = 0.01;
  p.gamma = constants::gyromagnetic_ratio;
  p.polarity = 1.0;
  p.eta = vortex_damping_eta(Ms, 1.5e-11, radius);
  p.xi = vortex_xi;
  p.k_ms = vortex_magnetostatic_stiffness(Ms, thickness, radius);
  p.zeta_ms = vortex_zeta_ms;
  p.k_Oe_per_ampere = vortex_oersted_stiffness_per_ampere(Ms, thickness, radius, chirality);
  p.zeta_Oe = vortex_zeta_Oe;
  p.polarization = 0.6;
  p.p_z = std::fmin(1.0, std::fmax(-1.0, perpendicular_field_T / polarizer_saturation_T));
  p.current = current;
  p.temperature = 300;
  p.signal_scale = 1.0;
  p.x0 = 0.1;
  p.y0 = 0.0;
  // A 375 nm disk at RA ~ 4 Ohm um^2 and a TMR of ~100 % (assumptions: the papers quote neither).
  p.chirality = chirality;
  p.resistance = 40.0;
  p.magnetoresistance = 40.0;
  return p;
}

/// Torrejon et al. 2017's operating point as used here: 7 mA at 0.43 T (about 305 MHz).
inline VortexParameters torrejon2017_parameters() { return feb_vortex_parameters(7e-3, 0.43); }

/// What the inner loop needs, derived once per device and time step. Rates are per |G|.
template <class T>
struct VortexCoefficients {
  T omega_ms;      // k_ms / |G|, rad/s
  T zeta_ms;
  T omega_Oe;      // k_Oe / (|G| I), rad/(s A)
  T zeta_Oe;
  T d0;            // D0 / |G| = alpha eta
  T xi;
  T spin_transfer; // kappa p_z / |G|, 1/(s A)
  T in_plane_transfer;  // C kappa p_ip / |G|: reduced in-plane force per ampere along y, 1/(s A)
  T polarity;      // p
  T current;       // A
  T noise_scale;   // sqrt(2 kB T / (R^2 |G| dt)): each force component is sqrt(d(s)) * this * N(0, 1), 1/s
  T signal_scale;  // V
  T resistance;    // R0, Ohm
  T mr_per_y;      // -(R_AP - R_P) xi_m / 2: R(t) = R0 + mr_per_y * y / R, Ohm
};

template <class T>
inline VortexCoefficients<T> make_coefficients(const VortexParameters& p, double dt) {
  const double G = vortex_gyrovector(p.Ms, p.thickness, p.gamma);
  const double kappa = constants::hbar * p.polarization / (2 * constants::electron_charge * p.radius * p.radius);
  VortexCoefficients<T> c;
  c.omega_ms = static_cast<T>(p.k_ms / G);
  c.zeta_ms = static_cast<T>(p.zeta_ms);
  c.omega_Oe = static_cast<T>(p.k_Oe_per_ampere / G);
  c.zeta_Oe = static_cast<T>(p.zeta_Oe);
  c.d0 = static_cast<T>(p.alpha * p.eta);
  c.xi = static_cast<T>(p.xi);
  c.spin_transfer = static_cast<T>(kappa * p.p_z / G);
  c.in_plane_transfer = static_cast<T>((p.chirality < 0 ? -1.0 : 1.0) * kappa * p.p_in_plane / G);
  c.polarity = static_cast<T>(p.polarity);
  c.current = static_cast<T>(p.current);
  // f = F_th / (R |G|) has intensity 2 d kB T / (R^2 |G|); held over one step, each component has
  // standard deviation sqrt(2 d kB T / (R^2 |G| dt)).
  c.noise_scale =
      static_cast<T>(std::sqrt(2 * constants::boltzmann * p.temperature / (p.radius * p.radius * G * dt)));
  c.signal_scale = static_cast<T>(p.signal_scale);
  c.resistance = static_cast<T>(p.resistance);
  c.mr_per_y = static_cast<T>(-0.5 * p.magnetoresistance * vortex_xi_m);
  return c;
}

/// Core position in units of R.
template <class T>
struct VortexState {
  T x, y;
};

/// What one step adds to the running sums.
template <class T>
struct VortexSample {
  T radius;   // s
  T radius2;  // s^2
  T x, y;     // core position / R
  T phase;    // angle turned by the core in the sense of its gyration (counterclockwise for p = +1), rad
  T signal2;  // (signal)^2, V^2
};

struct VortexAccumulators {
  double radius, radius2, x, y, phase, signal2;
};

/// du/dt from the Thiele equation at core position u (units of R), current I and reduced thermal
/// force f = F_th / (R |G|), solved analytically for the velocity.
template <class T>
SPINNET_HDI VortexState<T> vortex_velocity(const VortexState<T> u, const VortexCoefficients<T> c, const T current,
                                           const T f_x, const T f_y) {
  const T s2 = u.x * u.x + u.y * u.y;
  const T A = c.omega_ms * (T(1) + c.zeta_ms * s2) + c.omega_Oe * current * (T(1) + c.zeta_Oe * s2);  // k(s) / |G|
  const T B = c.spin_transfer * current;                                                              // F_STT
  const T d = c.d0 * (T(1) + c.xi * s2);                                                              // D(s) / |G|
  // r = A u - B (z x u) - f, with the in-plane polarizer's force C kappa I p_ip R y in f.
  const T r_x = A * u.x + B * u.y - f_x;
  const T r_y = A * u.y - B * u.x - (f_y + c.in_plane_transfer * current);
  const T g = -c.polarity;  // G = -p |G| z
  const T inverse = T(1) / (T(1) + d * d);
  return {(g * r_y - d * r_x) * inverse, (-g * r_x - d * r_y) * inverse};
}

/// The end of a step from state s to the integrated `raw` state (a single vortex's step and a
/// network's, network/): finiteness and the disk edge, the sticky status, and what the step adds to
/// the sums. A failed vortex keeps s.
template <class T>
SPINNET_HDI StepOutcome<VortexState<T>, VortexSample<T>, T> vortex_settle(
    const StepContext<T>& context, const VortexCoefficients<T> c, const VortexState<T> s, const VortexState<T> raw,
    std::uint32_t status, std::uint64_t failed_step, std::uint64_t step) {
  const T s2_new = raw.x * raw.x + raw.y * raw.y;
  const std::uint32_t verdict =
      fast::is_finite(s2_new) ? (s2_new < T(1) ? status_ok : status_core_expelled) : status_not_finite;
  const bool alive = settle_status(verdict, step, status, failed_step);
  const VortexState<T> next{alive ? raw.x : s.x, alive ? raw.y : s.y};

  const T weight = (alive && step >= context.transient_steps) ? T(1) : T(0);
  const T s2 = next.x * next.x + next.y * next.y;
  // Angle from u_n to u_{n+1}, counterclockwise positive, times p: positive along the gyration.
  const T dphi = c.polarity * planar_angle(s.x, s.y, next.x, next.y);
  const T signal = c.signal_scale * next.y;
  const VortexSample<T> sample{weight * fast::sqrt(s2), weight * s2,    weight * next.x,
                               weight * next.y,         weight * dphi, weight * signal * signal};
  return {next, sample, status, failed_step, signal};
}

struct VortexModel {
  using Parameters = VortexParameters;
  template <class T>
  using Coefficients = VortexCoefficients<T>;
  template <class T>
  using State = VortexState<T>;
  template <class T>
  using Sample = VortexSample<T>;
  using Accumulators = VortexAccumulators;

  template <class T>
  static State<T> initial_state(const Parameters& p) {
    return {static_cast<T>(p.x0), static_cast<T>(p.y0)};
  }
  static bool thermal(const Parameters& p) { return p.temperature > 0; }

  /// One stochastic Heun step. The current (DC plus the drive sample's scheduled and RF current)
  /// acts through the spin-transfer force and the Oersted confinement; the vector tones of the drive
  /// are not used by this model. The thermal force is drawn once per step with its intensity at the
  /// start of the step, and held.
  template <class T, bool Thermal>
  SPINNET_HDI static StepOutcome<State<T>, Sample<T>, T> step(const StepContext<T>& context, std::size_t i,
                                                              const Coefficients<T> c, const State<T> s,
                                                              std::uint32_t status, std::uint64_t failed_step,
                                                              std::uint64_t step, const DriveSample<T> drive_now,
                                                              const DriveSample<T> drive_next) {
    const T dt = context.dt;
    const T current_now = c.current + drive_now.current;
    const T current_next = c.current + drive_next.current;
    T f_x = T(0), f_y = T(0);
    if constexpr (Thermal) {
      T n0, n1;
      normal2<T>(context.seed, context.first_device_id + static_cast<std::uint32_t>(i), step, RandomStream::thermal,
                 n0, n1);
      const T s2 = s.x * s.x + s.y * s.y;
      const T amplitude = fast::sqrt(c.d0 * (T(1) + c.xi * s2)) * c.noise_scale;
      f_x = amplitude * n0;
      f_y = amplitude * n1;
    }
    const State<T> k1 = vortex_velocity(s, c, current_now, f_x, f_y);
    const State<T> predicted{s.x + dt * k1.x, s.y + dt * k1.y};
    const State<T> k2 = vortex_velocity(predicted, c, current_next, f_x, f_y);
    const T half_dt = T(0.5) * dt;
    const T new_x = s.x + half_dt * (k1.x + k2.x);
    const T new_y = s.y + half_dt * (k1.y + k2.y);
    return vortex_settle(context, c, s, State<T>{new_x, new_y}, status, failed_step, step);
  }
};

}  // namespace spinnet
