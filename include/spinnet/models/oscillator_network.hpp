// Networks of coupled auto-oscillators (Slavin & Tiberkevich 2009, eq. (53): the coupling term
// sum_k Omega_jk exp(i beta_jk) c_k of oscillator j). A network of M oscillators is one "device" of
// the batch engine: its state holds the M complex amplitudes, so a group is advanced by one thread
// (CUDA) or one SIMD lane (CPU) with the partners' amplitudes in registers. The oscillators of a
// network share the DC-current schedule, the RF current and the RF drive (a series connection, as
// in Romera et al., Nature 563, 230 (2018)); each has its own parameters and DC current.
#pragma once

#include <cstdint>

#include "spinnet/models/auto_oscillator.hpp"

namespace spinnet {

/// Parameters of one network: M oscillators and the complex coupling matrix Omega e^{i beta} (1/s).
template <int M>
struct OscillatorNetworkParameters {
  AutoOscillatorParameters oscillator[M];
  double coupling_re[M][M];  // Omega_jk cos(beta_jk), 1/s (diagonal ignored)
  double coupling_im[M][M];  // Omega_jk sin(beta_jk), 1/s
};

template <class T, int M>
struct OscillatorNetworkCoefficients {
  AutoOscillatorCoefficients<T> oscillator[M];
  T coupling_re[M * M];
  T coupling_im[M * M];
};

template <class T, int M>
SPINNET_HD inline OscillatorNetworkCoefficients<T, M> make_coefficients(const OscillatorNetworkParameters<M>& p,
                                                                        double dt) {
  OscillatorNetworkCoefficients<T, M> c;
  for (int j = 0; j < M; ++j) {
    c.oscillator[j] = make_coefficients<T>(p.oscillator[j], dt);
    for (int k = 0; k < M; ++k) {
      c.coupling_re[j * M + k] = j == k ? T(0) : static_cast<T>(p.coupling_re[j][k]);
      c.coupling_im[j * M + k] = j == k ? T(0) : static_cast<T>(p.coupling_im[j][k]);
    }
  }
  return c;
}

template <class T, int M>
struct OscillatorNetworkState {
  T re[M], im[M];
};

template <class T, int M>
struct OscillatorNetworkSample {
  T power[M], power2[M], phase[M], signal2[M];
};

template <int M>
struct OscillatorNetworkAccumulators {
  double power[M], power2[M], phase[M], signal2[M];
};

template <int M>
struct OscillatorNetworkModel {
  static constexpr int size = M;
  using Parameters = OscillatorNetworkParameters<M>;
  template <class T>
  using Coefficients = OscillatorNetworkCoefficients<T, M>;
  template <class T>
  using State = OscillatorNetworkState<T, M>;
  template <class T>
  using Sample = OscillatorNetworkSample<T, M>;
  using Accumulators = OscillatorNetworkAccumulators<M>;

  template <class T>
  static State<T> initial_state(const Parameters& p) {
    State<T> s;
    for (int j = 0; j < M; ++j) {
      s.re[j] = static_cast<T>(p.oscillator[j].c0_re);
      s.im[j] = static_cast<T>(p.oscillator[j].c0_im);
    }
    return s;
  }
  static bool thermal(const Parameters& p) {
    bool any = false;
    for (int j = 0; j < M; ++j) any = any || p.oscillator[j].temperature > 0;
    return any;
  }

  /// The engine draws the thermal noise: one complex N(0, 1) number per oscillator and step
  /// (device_model.hpp, NoisePairs); oscillator j of network i is noise device (first id + i) * M + j.
  static constexpr int noise_pairs = M;

  /// dc_j/dt for every oscillator at amplitudes a: the single-oscillator right-hand side with the
  /// drive F + sum_k C_jk c_k + noise_j. Takes and returns everything by value: arrays passed by
  /// reference inside the CPU's omp simd loop stop it from vectorizing (ARCHITECTURE.md).
  template <class T>
  SPINNET_HDI static State<T> rhs(const Coefficients<T> c, const State<T> a, T current, T F_re, T F_im,
                                  const State<T> noise) {
    State<T> d;
    SPINNET_UNROLL
    for (int j = 0; j < M; ++j) {
      T in_re = F_re + noise.re[j], in_im = F_im + noise.im[j];
      SPINNET_UNROLL
      for (int k = 0; k < M; ++k) {
        const T cr = c.coupling_re[j * M + k], ci = c.coupling_im[j * M + k];
        in_re += cr * a.re[k] - ci * a.im[k];
        in_im += cr * a.im[k] + ci * a.re[k];
      }
      AutoOscillatorState<T> dj = auto_oscillator_rhs(AutoOscillatorState<T>{a.re[j], a.im[j]}, c.oscillator[j],
                                                            c.oscillator[j].current + current, in_re, in_im);
      d.re[j] = dj.re;
      d.im[j] = dj.im;
    }
    return d;
  }

  /// One stochastic Heun step of the whole network (noise held over the step, amplitude taken at
  /// its start, as for a single oscillator).
  template <class T, bool Thermal>
  SPINNET_HDI static StepOutcome<State<T>, Sample<T>, T> step(const StepContext<T>& context, std::size_t,
                                                              const Coefficients<T> c, const State<T> s,
                                                              std::uint32_t status, std::uint64_t failed_step,
                                                              std::uint64_t step, const DriveSample<T> drive_now,
                                                              const DriveSample<T> drive_next,
                                                              const NoisePairs<T, M> normal) {
    const T dt = context.dt;
    State<T> noise{};
    if constexpr (Thermal) {
      SPINNET_UNROLL
      for (int j = 0; j < M; ++j) {
        const T p = s.re[j] * s.re[j] + s.im[j] * s.im[j];
        const T amplitude = auto_oscillator_noise_amplitude(c.oscillator[j], p);
        noise.re[j] = amplitude * normal.re[j];
        noise.im[j] = amplitude * normal.im[j];
      }
    }
    // k1 and k2 are not const: GCC will not scalarize a const aggregate that an inlined call
    // returns into ("store to a read-only decl"), and the lane loop then does not vectorize.
    State<T> k1 = rhs(c, s, drive_now.current, drive_now.cos_x, -drive_now.sin_x, noise);
    State<T> predicted;
    SPINNET_UNROLL
    for (int j = 0; j < M; ++j) {
      predicted.re[j] = s.re[j] + dt * k1.re[j];
      predicted.im[j] = s.im[j] + dt * k1.im[j];
    }
    State<T> k2 = rhs(c, predicted, drive_next.current, drive_next.cos_x, -drive_next.sin_x, noise);
    State<T> next;
    T total = T(0);
    SPINNET_UNROLL
    for (int j = 0; j < M; ++j) {
      next.re[j] = s.re[j] + T(0.5) * dt * (k1.re[j] + k2.re[j]);
      next.im[j] = s.im[j] + T(0.5) * dt * (k1.im[j] + k2.im[j]);
      total += next.re[j] * next.re[j] + next.im[j] * next.im[j];
    }
    // The masks below are combined as integers, not with &&: GCC does not vectorize the mixed
    // boolean masks that && on these conditions produces in the network's step.
    const std::uint32_t verdict = fast::is_finite(total) ? status_ok : status_not_finite;
    const bool alive = settle_status(verdict, step, status, failed_step);
    SPINNET_UNROLL
    for (int j = 0; j < M; ++j) {
      next.re[j] = alive ? next.re[j] : s.re[j];
      next.im[j] = alive ? next.im[j] : s.im[j];
    }
    const T weight = (alive ? T(1) : T(0)) * (step >= context.transient_steps ? T(1) : T(0));
    Sample<T> sample;
    T signal = T(0);
    SPINNET_UNROLL
    for (int j = 0; j < M; ++j) {
      const T p = next.re[j] * next.re[j] + next.im[j] * next.im[j];
      const T v = c.oscillator[j].signal_scale * next.re[j];
      sample.power[j] = weight * p;
      sample.power2[j] = weight * p * p;
      sample.phase[j] = -weight * planar_angle(s.re[j], s.im[j], next.re[j], next.im[j]);
      sample.signal2[j] = weight * v * v;
      signal += v;  // the series network emits the sum of its oscillators' signals
    }
    return {next, sample, status, failed_step, signal};
  }
};

}  // namespace spinnet
