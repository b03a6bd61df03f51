// Macrospin magnetic tunnel junction free layer: parameters, effective field, LLGS right-hand side,
// magnetoresistance. Plain structs and host/device functions: the CPU backend and the CUDA kernel
// both call exactly these.
#pragma once

#include <cstdint>
#include <tuple>

#include "spinnet/models/device_model.hpp"
#include "spinnet/core/constants.hpp"
#include "spinnet/core/random.hpp"
#include "spinnet/core/fast_math.hpp"
#include "spinnet/core/hostdevice.hpp"
#include "spinnet/core/vec3.hpp"

namespace spinnet {

// Per-device parameters in SI, as the user gives them (after unit conversion). One list drives the
// struct, the structure-of-arrays storage, the config loader and the outputs.
//   X(name, description)
#define SPINNET_MACROSPIN_PARAMETERS(X)                                          \
  X(alpha, "Gilbert damping")                                                   \
  X(gamma, "gyromagnetic ratio, rad/(s T)")                                     \
  X(Ms, "saturation magnetization, A/m")                                        \
  X(volume, "free-layer volume, m^3")                                           \
  X(Hk, "uniaxial anisotropy field, A/m")                                       \
  X(ux, "anisotropy axis x") X(uy, "anisotropy axis y") X(uz, "anisotropy axis z") \
  X(Nx, "demagnetizing factor x") X(Ny, "demagnetizing factor y")               \
  X(Nz, "demagnetizing factor z")                                               \
  X(Hx, "applied field x, A/m") X(Hy, "applied field y, A/m")                   \
  X(Hz, "applied field z, A/m")                                                 \
  X(px, "polarizer x") X(py, "polarizer y") X(pz, "polarizer z")                \
  X(polarization, "spin polarization P")                                        \
  X(lambda, "Slonczewski asymmetry lambda")                                     \
  X(beta, "field-like to damping-like torque ratio")                            \
  X(current, "DC current, A")                                                   \
  X(temperature, "temperature, K")                                              \
  X(R_P, "parallel resistance, Ohm")                                            \
  X(R_AP, "antiparallel resistance, Ohm")                                       \
  X(rx, "magnetoresistance reference x (0, 0, 0: the polarizer)")              \
  X(ry, "reference y") X(rz, "reference z")                                     \
  X(m0x, "initial m x") X(m0y, "initial m y") X(m0z, "initial m z")

template <class T>
struct MacrospinParameters {
#define SPINNET_DECLARE_MEMBER(name, description) T name;
  SPINNET_MACROSPIN_PARAMETERS(SPINNET_DECLARE_MEMBER)
#undef SPINNET_DECLARE_MEMBER
};

/// What the inner loop needs, derived once per device and time step from the parameters.
template <class T>
struct MacrospinCoefficients {
  T precession_rate;  // gamma0 / (1 + alpha^2), m/(A s)
  T alpha;
  T Hk, ux, uy, uz;   // anisotropy field (A/m) and unit axis
  T NMs_x, NMs_y, NMs_z;  // N_i Ms, A/m
  T Hx, Hy, Hz;       // applied field, A/m
  T px, py, pz;       // unit polarizer
  T polarization, lambda, beta;
  T current;          // DC current, A
  T aJ_per_ampere;    // hbar / (2 e mu0 Ms V), A/m per A
  T thermal_sigma;    // Brown field standard deviation per step, A/m
  T R_P, delta_R;     // Ohm
  T rx, ry, rz;       // unit magnetization of the reference layer the magnetoresistance measures against
};

/// Derives the inner-loop coefficients of one device for time step dt (seconds). Computed in
/// double and rounded once, so float32 runs start from correctly rounded constants.
template <class T>
SPINNET_HD inline MacrospinCoefficients<T> make_coefficients(const MacrospinParameters<double>& p, double dt) {
  using namespace constants;
  const double gamma0 = mu0 * p.gamma;                  // m / (A s)
  const double moment = mu0 * p.Ms * p.volume;          // mu0 Ms V, T m^3
  const double u_norm = ::sqrt(p.ux * p.ux + p.uy * p.uy + p.uz * p.uz);
  const double p_norm = ::sqrt(p.px * p.px + p.py * p.py + p.pz * p.pz);
  const double u_scale = u_norm > 0.0 ? 1.0 / u_norm : 0.0;
  const double p_scale = p_norm > 0.0 ? 1.0 / p_norm : 0.0;
  MacrospinCoefficients<T> c;
  c.precession_rate = static_cast<T>(gamma0 / (1.0 + p.alpha * p.alpha));
  c.alpha = static_cast<T>(p.alpha);
  c.Hk = static_cast<T>(p.Hk);
  c.ux = static_cast<T>(p.ux * u_scale);
  c.uy = static_cast<T>(p.uy * u_scale);
  c.uz = static_cast<T>(p.uz * u_scale);
  c.NMs_x = static_cast<T>(p.Nx * p.Ms);
  c.NMs_y = static_cast<T>(p.Ny * p.Ms);
  c.NMs_z = static_cast<T>(p.Nz * p.Ms);
  c.Hx = static_cast<T>(p.Hx);
  c.Hy = static_cast<T>(p.Hy);
  c.Hz = static_cast<T>(p.Hz);
  c.px = static_cast<T>(p.px * p_scale);
  c.py = static_cast<T>(p.py * p_scale);
  c.pz = static_cast<T>(p.pz * p_scale);
  c.polarization = static_cast<T>(p.polarization);
  c.lambda = static_cast<T>(p.lambda);
  c.beta = static_cast<T>(p.beta);
  c.current = static_cast<T>(p.current);
  // Slonczewski damping-like torque amplitude a_J = hbar eta I / (2 e mu0 Ms V)
  // (J. C. Slonczewski, J. Magn. Magn. Mater. 159, L1 (1996)).
  c.aJ_per_ampere = static_cast<T>(hbar / (2.0 * electron_charge * moment));
  // Brown's thermal field: sigma^2 = 2 alpha kB T / (gamma0 mu0 Ms V dt)
  // (W. F. Brown, Phys. Rev. 130, 1677 (1963); Garcia-Palacios & Lazaro, PRB 58, 14937 (1998), eq. 2.6).
  c.thermal_sigma = static_cast<T>(::sqrt(2.0 * p.alpha * boltzmann * p.temperature / (gamma0 * moment * dt)));
  c.R_P = static_cast<T>(p.R_P);
  c.delta_R = static_cast<T>(p.R_AP - p.R_P);
  // A zero reference vector means "the polarizer".
  const double r_norm = ::sqrt(p.rx * p.rx + p.ry * p.ry + p.rz * p.rz);
  c.rx = r_norm > 0.0 ? static_cast<T>(p.rx / r_norm) : c.px;
  c.ry = r_norm > 0.0 ? static_cast<T>(p.ry / r_norm) : c.py;
  c.rz = r_norm > 0.0 ? static_cast<T>(p.rz / r_norm) : c.pz;
  return c;
}

/// Time-dependent drive at one instant: RF field (A/m) and total current (A).
template <class T>
struct Drive {
  Vec3<T> field;
  T current;
};

/// Effective field H_eff = H_applied + H_K (m.u) u - Ms N m + H_drive (A/m).
template <class T>
SPINNET_HDI Vec3<T> effective_field(Vec3<T> m, const MacrospinCoefficients<T>& c, Vec3<T> drive_field) {
  const T projection = c.Hk * (m.x * c.ux + m.y * c.uy + m.z * c.uz);
  return {c.Hx + projection * c.ux - c.NMs_x * m.x + drive_field.x,
          c.Hy + projection * c.uy - c.NMs_y * m.y + drive_field.y,
          c.Hz + projection * c.uz - c.NMs_z * m.z + drive_field.z};
}

/// Explicit Landau-Lifshitz form of the LLGS equation with Slonczewski damping-like (a_J) and
/// field-like (b_J = beta a_J) torques:
///   dm/dt = -gamma0/(1+alpha^2) [ m x H + alpha m x (m x H)
///                                 + (a_J + alpha b_J) m x (m x p) + (b_J - alpha a_J) m x p ]
/// with eta = P / (1 + lambda m.p). H includes the thermal field (Stratonovich interpretation).
template <class T>
SPINNET_HDI Vec3<T> llgs_rhs(Vec3<T> m, Vec3<T> H, T current, const MacrospinCoefficients<T>& c) {
  const Vec3<T> p{c.px, c.py, c.pz};
  const T eta = c.polarization / (static_cast<T>(1) + c.lambda * dot(m, p));
  const T aJ = c.aJ_per_ampere * eta * current;
  const T bJ = c.beta * aJ;
  const Vec3<T> mxH = cross(m, H);
  const Vec3<T> mxp = cross(m, p);
  const Vec3<T> mxmxH = cross(m, mxH);
  const Vec3<T> mxmxp = cross(m, mxp);
  const T damping_like = aJ + c.alpha * bJ;
  const T field_like = bJ - c.alpha * aJ;
  const T g = -c.precession_rate;
  return {g * (mxH.x + c.alpha * mxmxH.x + damping_like * mxmxp.x + field_like * mxp.x),
          g * (mxH.y + c.alpha * mxmxH.y + damping_like * mxmxp.y + field_like * mxp.y),
          g * (mxH.z + c.alpha * mxmxH.z + damping_like * mxmxp.z + field_like * mxp.z)};
}

/// One stochastic Heun step (Stratonovich; Garcia-Palacios & Lazaro 1998, sec. II C): the thermal
/// field is held over the step, predictor at t_n, corrector at t_{n+1}. Returns m_{n+1} before
/// renormalization so that the caller can check the norm drift.
template <class T>
SPINNET_HDI Vec3<T> heun_step(Vec3<T> m, const MacrospinCoefficients<T>& c, const Drive<T>& now, const Drive<T>& next,
                              Vec3<T> thermal_field, T dt) {
  const Vec3<T> k1 = llgs_rhs(m, effective_field(m, c, now.field + thermal_field), now.current, c);
  const Vec3<T> predicted = m + dt * k1;
  const Vec3<T> k2 = llgs_rhs(predicted, effective_field(predicted, c, next.field + thermal_field), next.current, c);
  const T half_dt = static_cast<T>(0.5) * dt;
  return m + half_dt * (k1 + k2);
}

/// Tunnel magnetoresistance R(m) = R_P + (R_AP - R_P)(1 - m.r)/2, r the reference layer's
/// magnetization (by default the polarizer; a separate in-plane reference reads out the precession
/// of a perpendicular spin-torque oscillator, whose m.p is constant).
template <class T>
SPINNET_HDI T resistance(Vec3<T> m, const MacrospinCoefficients<T>& c) {
  return c.R_P + c.delta_R * static_cast<T>(0.5) * (static_cast<T>(1) - (m.x * c.rx + m.y * c.ry + m.z * c.rz));
}

/// Dynamical state of one junction: the unit magnetization.
template <class T>
struct MacrospinState {
  T mx, my, mz;
};

/// What one step adds to the running sums (zero during the transient and after a failure).
template <class T>
struct MacrospinSample {
  T mx, my, mz, mx2, my2, mz2, resistance, power, phase;
};

/// Running sums of the observables of one junction over the steps after the transient, member for
/// member the sums of MacrospinSample. Kept in double: 10^9 float additions would lose the mean.
struct MacrospinAccumulators {
  double mx, my, mz;     // sum of m
  double mx2, my2, mz2;  // sum of m_i^2
  double resistance;     // sum of R(t)
  double power;          // sum of R(t) I(t)   (rectified voltage = mean)
  double phase;          // sum of phase increments around the frequency axis, rad
};

/// The end of a step from state m to the integrated, not yet normalized m (a single junction's step
/// and a network's, network/): finiteness and the norm drift, the sticky status, renormalization,
/// and what the step adds to the sums; `current` is the total current at the end of the step (for
/// the R I signal). A failed junction keeps its state.
template <class T>
SPINNET_HDI StepOutcome<MacrospinState<T>, MacrospinSample<T>, T> macrospin_settle(
  const StepContext<T>& context, const MacrospinCoefficients<T> c, const MacrospinState<T> state, const Vec3<T> raw,
  std::uint32_t status, std::uint64_t failed_step, std::uint64_t step, const T current) {
  const Vec3<T> m{state.mx, state.my, state.mz};
  const T norm2 = dot(raw, raw);
  const T upper = (T(1) + context.drift_limit) * (T(1) + context.drift_limit);
  const T lower = (T(1) - context.drift_limit) * (T(1) - context.drift_limit);
  const std::uint32_t verdict = !fast::is_finite(norm2)                ? status_not_finite
                                : (norm2 > upper || norm2 < lower) ? status_out_of_bounds
                                                                   : status_ok;
  const bool alive = settle_status(verdict, step, status, failed_step);
  const T inverse_norm = alive ? T(1) / fast::sqrt(norm2) : T(1);
  const Vec3<T> updated = alive ? inverse_norm * raw : m;
  // Branch-free accumulation (weight 0 or 1): the CPU backend vectorizes this body across devices.
  const bool record = alive && step >= context.transient_steps;
  const T weight = record ? T(1) : T(0);
  const T R = resistance(updated, c);
  const T signal = R * current;
  // Phase increment around the axis a between m_n and m_{n+1}, from their projections on the
  // plane normal to a: tan(dphi) = (m_n x m_{n+1}).a / ((m_n x a).(m_{n+1} x a)). (The cosine
  // written as m_n.m_{n+1} - (m_n.a)(m_{n+1}.a) cancels to rounding noise on tiny cones.)
  const Vec3<T> a = context.axis;
  const T sine = dot(cross(m, updated), a);
  const T cosine = dot(cross(m, a), cross(updated, a));
  const T dphi = fast::atan2(sine, cosine);
  const MacrospinSample<T> sample{weight * updated.x,
                                  weight * updated.y,
                                  weight * updated.z,
                                  weight * updated.x * updated.x,
                                  weight * updated.y * updated.y,
                                  weight * updated.z * updated.z,
                                  weight * R,
                                  weight * signal,
                                  weight * dphi};
  return {{updated.x, updated.y, updated.z}, sample, status, failed_step, signal};
}

/// The macrospin device model (see device_model.hpp for the interface every model implements).
struct MacrospinModel {
  using Parameters = MacrospinParameters<double>;
  template <class T>
  using Coefficients = MacrospinCoefficients<T>;
  template <class T>
  using State = MacrospinState<T>;
  using Accumulators = MacrospinAccumulators;
  template <class T>
  using Sample = MacrospinSample<T>;

  /// The unit vector along m0.
  template <class T>
  static MacrospinState<T> initial_state(const Parameters& p) {
    const double norm = ::sqrt(p.m0x * p.m0x + p.m0y * p.m0y + p.m0z * p.m0z);
    return {static_cast<T>(p.m0x / norm), static_cast<T>(p.m0y / norm), static_cast<T>(p.m0z / norm)};
  }
  static bool thermal(const Parameters& p) { return p.temperature > 0; }

  /// Advances one junction by one step (step -> step + 1). A junction that has failed keeps its
  /// state. Everything in and out by value (see device_model.hpp).
  template <class T, bool Thermal>
  SPINNET_HDI static StepOutcome<MacrospinState<T>, MacrospinSample<T>, T> step(
      const StepContext<T>& context, std::size_t i, const MacrospinCoefficients<T> c, const MacrospinState<T> state,
      std::uint32_t status, std::uint64_t failed_step, std::uint64_t step, const DriveSample<T> drive_now,
      const DriveSample<T> drive_next) {
    const Vec3<T> m{state.mx, state.my, state.mz};
    // RF field tones add to H_eff; scheduled and RF currents add to the DC current.
    const Drive<T> now{{drive_now.cos_x, drive_now.cos_y, drive_now.cos_z}, c.current + drive_now.current};
    const Drive<T> next{{drive_next.cos_x, drive_next.cos_y, drive_next.cos_z}, c.current + drive_next.current};
    Vec3<T> thermal{T(0), T(0), T(0)};
    if constexpr (Thermal) {
      thermal = c.thermal_sigma * normal3<T>(context.seed, context.first_device_id + static_cast<std::uint32_t>(i),
                                             step, RandomStream::thermal);
    }
    const Vec3<T> raw = heun_step(m, c, now, next, thermal, context.dt);
    return macrospin_settle(context, c, state, raw, status, failed_step, step, next.current);
  }
};

}  // namespace spinnet
