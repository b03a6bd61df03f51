// The vortex oscillator as an oscillator of a coupled network (interface: coupled_oscillator.hpp).
// Partners see the core position u = X / R; the coupling field is an external force on the core in
// the Thiele equation, reduced like the thermal force: f = F / (R |G|) (1/s), so that
//   (g J - d) du/dt = A u - B J u - (f_thermal + f_coupling)      (vortex.hpp).
// In a circuit (electrical coupling) the vortex puts the magnetoresistive voltage
// (R(t) - R0) I = mr_per_y y I on it, and the circuit's RF current adds to its current, acting
// through the spin-transfer force and the Oersted confinement (Lebrun et al., Nat. Commun. 8,
// 15825 (2017); Romera et al., Nature 563, 230 (2018)).
#pragma once

#include <cstdint>

#include "spinnet/models/coupled_oscillator.hpp"
#include "spinnet/models/vortex.hpp"

namespace spinnet {

struct CoupledVortex {
  using Model = VortexModel;
  using Parameters = VortexParameters;
  template <class T>
  using Coefficients = VortexCoefficients<T>;
  template <class T>
  using State = VortexState<T>;
  template <class T>
  using Sample = VortexSample<T>;
  using Accumulators = VortexAccumulators;
  template <class T>
  using Vector = CouplingVector<T, 2>;
  template <class T>
  struct Noise {
    T x, y;
  };

  static constexpr int dim = 2;
  static constexpr int noise_pairs = 1;
  static constexpr bool circuit = true;
  static constexpr const char* bound_hint = "the vortex core reached the disk edge (s >= 1): lower the current or the coupling";
  static constexpr const char* name = "vortex";

  template <class T>
  SPINNET_HDI static Vector<T> output(const State<T> s) {
    return {{s.x, s.y}};
  }

  /// The reduced thermal force sqrt(d(s)) sqrt(2 kB T / (R^2 |G| dt)) (N_x, N_y), s at the start of
  /// the step (vortex.hpp).
  template <class T>
  SPINNET_HDI static Noise<T> noise(const Coefficients<T> c, const State<T> s, const NoisePairs<T, 1> normal) {
    const T s2 = s.x * s.x + s.y * s.y;
    const T amplitude = fast::sqrt(c.d0 * (T(1) + c.xi * s2)) * c.noise_scale;
    return {amplitude * normal.re[0], amplitude * normal.im[0]};
  }

  template <class T>
  SPINNET_HDI static State<T> derivative(const Coefficients<T> c, const State<T> s, const Vector<T> field,
                                         const T extra_current, const DriveSample<T> drive, const Noise<T> noise) {
    return vortex_velocity(s, c, c.current + drive.current + extra_current, noise.x + field.v[0],
                           noise.y + field.v[1]);
  }

  /// s + h k (the predictor) and s + h (k1 + k2) (the corrector), member by member.
  template <class T>
  SPINNET_HDI static State<T> advance(const State<T> s, const T h, const State<T> k) {
    return {s.x + h * k.x, s.y + h * k.y};
  }
  template <class T>
  SPINNET_HDI static State<T> advance(const State<T> s, const T h, const State<T> k1, const State<T> k2) {
    return {s.x + h * (k1.x + k2.x), s.y + h * (k1.y + k2.y)};
  }

  template <class T>
  SPINNET_HDI static StepOutcome<State<T>, Sample<T>, T> settle(const StepContext<T>& context, const Coefficients<T> c,
                                                                const State<T> s, const State<T> raw,
                                                                std::uint32_t status, std::uint64_t failed_step,
                                                                std::uint64_t step, const T) {
    return vortex_settle(context, c, s, raw, status, failed_step, step);
  }

  /// (R(t) - R0) I: the voltage the gyration adds to the junction's, V.
  template <class T>
  SPINNET_HDI static T emission(const Coefficients<T> c, const State<T> s, const T current) {
    return c.mr_per_y * s.y * current;
  }

  /// The gyration phase p atan2(y, x) (counterclockwise for p = +1).
  template <class T>
  SPINNET_HDI static Phasor<T> phasor(const StepContext<T>&, const Coefficients<T> c, const State<T> s) {
    return unit_phasor(s.x, c.polarity * s.y);
  }

  template <class T>
  SPINNET_HDI static T resistance(const Coefficients<T> c) {
    return c.resistance;
  }
};

}  // namespace spinnet
