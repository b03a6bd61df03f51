// The auto-oscillator as an oscillator of a coupled network (interface: coupled_oscillator.hpp).
// Partners see the complex amplitude c_k; the coupling field is a complex drive added to F(t) in
// dc_j/dt (Slavin & Tiberkevich 2009, eq. (53): sum_k Omega_jk e^{i beta_jk} c_k). `electrical`
// coupling of auto-oscillators is that term with one Omega e^{i beta} for all pairs (a mean field),
// since the model has no resistance of its own.
#pragma once

#include <cstdint>

#include "spinnet/models/auto_oscillator.hpp"
#include "spinnet/models/coupled_oscillator.hpp"

namespace spinnet {

struct CoupledAutoOscillator {
  using Model = AutoOscillatorModel;
  using Parameters = AutoOscillatorParameters;
  template <class T>
  using Coefficients = AutoOscillatorCoefficients<T>;
  template <class T>
  using State = AutoOscillatorState<T>;
  template <class T>
  using Sample = AutoOscillatorSample<T>;
  using Accumulators = AutoOscillatorAccumulators;
  template <class T>
  using Vector = CouplingVector<T, 2>;
  template <class T>
  struct Noise {
    T re, im;
  };

  static constexpr int dim = 2;
  static constexpr int noise_pairs = 1;
  static constexpr bool circuit = false;
  static constexpr const char* bound_hint = "the amplitude diverged";
  static constexpr const char* name = "auto_oscillator";

  template <class T>
  SPINNET_HDI static Vector<T> output(const State<T> s) {
    return {{s.re, s.im}};
  }

  /// f_n = sqrt(G+(p)) sqrt(kB T / (E0 dt)) (N_re + i N_im), p at the start of the step.
  template <class T>
  SPINNET_HDI static Noise<T> noise(const Coefficients<T> c, const State<T> s, const NoisePairs<T, 1> normal) {
    const T amplitude = auto_oscillator_noise_amplitude(c, s.re * s.re + s.im * s.im);
    return {amplitude * normal.re[0], amplitude * normal.im[0]};
  }

  /// dc/dt with the coupling drive `field` added to the RF drive F = cos_x - i sin_x.
  template <class T>
  SPINNET_HDI static State<T> derivative(const Coefficients<T> c, const State<T> s, const Vector<T> field,
                                         const T extra_current, const DriveSample<T> drive, const Noise<T> noise) {
    return auto_oscillator_rhs(s, c, c.current + drive.current + extra_current, drive.cos_x + field.v[0] + noise.re,
                               -drive.sin_x + field.v[1] + noise.im);
  }

  /// s + h k (the predictor) and s + h (k1 + k2) (the corrector), member by member.
  template <class T>
  SPINNET_HDI static State<T> advance(const State<T> s, const T h, const State<T> k) {
    return {s.re + h * k.re, s.im + h * k.im};
  }
  template <class T>
  SPINNET_HDI static State<T> advance(const State<T> s, const T h, const State<T> k1, const State<T> k2) {
    return {s.re + h * (k1.re + k2.re), s.im + h * (k1.im + k2.im)};
  }

  template <class T>
  SPINNET_HDI static StepOutcome<State<T>, Sample<T>, T> settle(const StepContext<T>& context, const Coefficients<T> c,
                                                                const State<T> s, const State<T> raw,
                                                                std::uint32_t status, std::uint64_t failed_step,
                                                                std::uint64_t step, const T) {
    return auto_oscillator_settle(context, c, s, raw, status, failed_step, step);
  }

  /// The emitted signal signal_scale Re c, V.
  template <class T>
  SPINNET_HDI static T emission(const Coefficients<T> c, const State<T> s, const T) {
    return c.signal_scale * s.re;
  }

  /// c = sqrt(p) e^{-i phi} (the oscillation turns as e^{-i w t}), so e^{i phi} = conj(c) / |c|.
  template <class T>
  SPINNET_HDI static Phasor<T> phasor(const StepContext<T>&, const Coefficients<T>, const State<T> s) {
    return unit_phasor(s.re, -s.im);
  }

  template <class T>
  SPINNET_HDI static T resistance(const Coefficients<T>) {
    return T(0);
  }
};

}  // namespace spinnet
