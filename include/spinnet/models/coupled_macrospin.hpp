// The macrospin junction as an oscillator of a coupled network (interface: coupled_oscillator.hpp).
// Partners see the unit magnetization m_k; the coupling field is a magnetic field (A/m) added to
// H_eff in the LLGS equation (macrospin.hpp): the point-dipole field of the partners' moments, or a
// graph coupling H_j = sum_k W_jk m_k. In a circuit (electrical coupling) the junction puts
// (R(m) - R0) I on it, R0 = (R_P + R_AP) / 2, and the circuit's RF current adds to its current
// (spin-transfer torque), as in Georges et al., APL 92, 232504 (2008).
#pragma once

#include <cstdint>

#include "spinnet/core/vec3.hpp"
#include "spinnet/models/coupled_oscillator.hpp"
#include "spinnet/models/macrospin.hpp"

namespace spinnet {

struct CoupledMacrospin {
  using Model = MacrospinModel;
  using Parameters = MacrospinParameters<double>;
  template <class T>
  using Coefficients = MacrospinCoefficients<T>;
  template <class T>
  using State = MacrospinState<T>;
  template <class T>
  using Sample = MacrospinSample<T>;
  using Accumulators = MacrospinAccumulators;
  template <class T>
  using Vector = CouplingVector<T, 3>;
  template <class T>
  struct Noise {
    T x, y, z;
  };

  static constexpr int dim = 3;
  static constexpr int noise_pairs = 2;  // Brown's field takes three of the four normals
  static constexpr bool circuit = true;
  static constexpr const char* bound_hint = "|m| drifted from 1 by more than integration.norm_drift_limit in one step; reduce integration.dt_ps";
  static constexpr const char* name = "macrospin";

  template <class T>
  SPINNET_HDI static Vector<T> output(const State<T> s) {
    return {{s.mx, s.my, s.mz}};
  }

  /// Brown's thermal field sigma (N_0, N_1, N_2), A/m (macrospin.hpp).
  template <class T>
  SPINNET_HDI static Noise<T> noise(const Coefficients<T> c, const State<T>, const NoisePairs<T, 2> normal) {
    return {c.thermal_sigma * normal.re[0], c.thermal_sigma * normal.im[0], c.thermal_sigma * normal.re[1]};
  }

  template <class T>
  SPINNET_HDI static State<T> derivative(const Coefficients<T> c, const State<T> s, const Vector<T> field,
                                         const T extra_current, const DriveSample<T> drive, const Noise<T> noise) {
    const Vec3<T> m{s.mx, s.my, s.mz};
    const Vec3<T> applied{drive.cos_x + noise.x + field.v[0], drive.cos_y + noise.y + field.v[1],
                          drive.cos_z + noise.z + field.v[2]};
    Vec3<T> d = llgs_rhs(m, effective_field(m, c, applied), c.current + drive.current + extra_current, c);
    return {d.x, d.y, d.z};
  }

  /// s + h k (the predictor) and s + h (k1 + k2) (the corrector), member by member.
  template <class T>
  SPINNET_HDI static State<T> advance(const State<T> s, const T h, const State<T> k) {
    return {s.mx + h * k.mx, s.my + h * k.my, s.mz + h * k.mz};
  }
  template <class T>
  SPINNET_HDI static State<T> advance(const State<T> s, const T h, const State<T> k1, const State<T> k2) {
    return {s.mx + h * (k1.mx + k2.mx), s.my + h * (k1.my + k2.my), s.mz + h * (k1.mz + k2.mz)};
  }

  template <class T>
  SPINNET_HDI static StepOutcome<State<T>, Sample<T>, T> settle(const StepContext<T>& context, const Coefficients<T> c,
                                                                const State<T> s, const State<T> raw,
                                                                std::uint32_t status, std::uint64_t failed_step,
                                                                std::uint64_t step, const T current) {
    return macrospin_settle(context, c, s, Vec3<T>{raw.mx, raw.my, raw.mz}, status, failed_step, step, current);
  }

  /// (R(m) - R0) I, V.
  template <class T>
  SPINNET_HDI static T emission(const Coefficients<T> c, const State<T> s, const T current) {
    return (spinnet::resistance(Vec3<T>{s.mx, s.my, s.mz}, c) - c.R_P - T(0.5) * c.delta_R) * current;
  }

  /// The precession phase: the azimuth of m about the frequency axis a, in the plane basis
  /// (e1, e2 = a x e1) with e1 perpendicular to a and to z (or to x when a is along z).
  template <class T>
  SPINNET_HDI static Phasor<T> phasor(const StepContext<T>& context, const Coefficients<T>, const State<T> s) {
    const Vec3<T> a = context.axis;
    const bool along_z = a.z * a.z > T(0.81);
    const Vec3<T> helper{along_z ? T(1) : T(0), T(0), along_z ? T(0) : T(1)};
    const Vec3<T> e1 = cross(helper, a);
    const Vec3<T> e2 = cross(a, e1);
    const Vec3<T> m{s.mx, s.my, s.mz};
    return unit_phasor(dot(m, e1), dot(m, e2));
  }

  template <class T>
  SPINNET_HDI static T resistance(const Coefficients<T> c) {
    return c.R_P + T(0.5) * c.delta_R;
  }
};

}  // namespace spinnet
