// Universal model of a spin-torque auto-oscillator: complex amplitude c, power p = |c|^2
// (A. Slavin and V. Tiberkevich, IEEE Trans. Magn. 45, 1875 (2009), eqs. (9), (35)-(41)):
//   dc/dt = -i w(p) c - G+(p) c + G-(p) c + F(t) + f_n(t)
//   w(p) = w0 + N p,  G+(p) = G_G (1 + Q p),  G-(p) = sigma I (1 - p),  I_th = G_G / sigma,
//   F(t) = sum_k F_k exp(-i (2 pi f_k t + phi_k)),  <f_n(t) f_n*(t')> = 2 G+(p) (kB T / E0) delta(t - t').
// Plain structs and host/device functions: the CPU backend and the CUDA kernel call exactly these.
#pragma once

#include <cstdint>

#include "spinnet/models/device_model.hpp"
#include "spinnet/core/constants.hpp"
#include "spinnet/models/drive.hpp"
#include "spinnet/core/fast_math.hpp"
#include "spinnet/core/random.hpp"

namespace spinnet {

/// Per-device parameters in SI, as the user gives them (after unit conversion).
struct AutoOscillatorParameters {
  double frequency;          // f0 = w0 / 2 pi, Hz
  double nonlinear_shift;    // N / 2 pi, Hz (frequency at p = 1 is f0 + N / 2 pi)
  double damping_rate;       // G_G, 1/s
  double nonlinear_damping;  // Q
  double threshold_current;  // I_th, A
  double current;            // DC current I, A
  double temperature;        // K
  double energy;             // E0, J (energy of the mode at p = 1)
  double signal_scale;       // emitted signal = signal_scale * Re(c), V
  double c0_re, c0_im;       // initial amplitude
};

/// What the inner loop needs, derived once per device and time step.
template <class T>
struct AutoOscillatorCoefficients {
  T omega0;          // rad/s
  T N;               // rad/s
  T gamma_G;         // 1/s
  T Q;
  T sigma;           // G_G / I_th, 1/(A s)
  T current;         // A
  T noise_per_gamma; // sqrt(kB T / E0 / dt): noise rate = sqrt(G+(p)) * this * N(0,1) per component
  T signal_scale;    // V
};

template <class T>
SPINNET_HD inline AutoOscillatorCoefficients<T> make_coefficients(const AutoOscillatorParameters& p, double dt) {
  AutoOscillatorCoefficients<T> c;
  c.omega0 = static_cast<T>(constants::two_pi * p.frequency);
  c.N = static_cast<T>(constants::two_pi * p.nonlinear_shift);
  c.gamma_G = static_cast<T>(p.damping_rate);
  c.Q = static_cast<T>(p.nonlinear_damping);
  c.sigma = static_cast<T>(p.damping_rate / p.threshold_current);
  c.current = static_cast<T>(p.current);
  // Complex white noise with <f f*> = 2 D delta, D = G+ kB T / E0: each real component has
  // intensity D, i.e. standard deviation sqrt(D / dt) when held constant over one step.
  c.noise_per_gamma = static_cast<T>(::sqrt(constants::boltzmann * p.temperature / (p.energy * dt)));
  c.signal_scale = static_cast<T>(p.signal_scale);
  return c;
}

template <class T>
struct AutoOscillatorState {
  T re, im;  // c = re + i im
};

/// What one step adds to the running sums.
template <class T>
struct AutoOscillatorSample {
  T power;          // p
  T power2;         // p^2
  T re, im;         // c
  T phase;          // -d(arg c): positive for the natural rotation exp(-i w t), rad
  T signal2;        // (signal)^2, V^2
};

struct AutoOscillatorAccumulators {
  double power, power2, re, im, phase, signal2;
};

/// Right-hand side dc/dt of the auto-oscillator equation at amplitude c = (re, im), for DC current I
/// and a total drive F = (F_re, F_im) (RF drive, coupling and noise). Everything by value, so that
/// the CPU lane loop keeps it in registers (ARCHITECTURE.md).
template <class T>
SPINNET_HDI AutoOscillatorState<T> auto_oscillator_rhs(const AutoOscillatorState<T> c_now,
                                                       const AutoOscillatorCoefficients<T> c, T current, T F_re,
                                                       T F_im) {
  const T re = c_now.re, im = c_now.im;
  const T p = re * re + im * im;
  const T omega = c.omega0 + c.N * p;
  const T growth = c.sigma * current * (T(1) - p) - c.gamma_G * (T(1) + c.Q * p);  // G-(p) - G+(p)
  // -i w c = -i w (re + i im) = w im - i w re
  return {omega * im + growth * re + F_re, -omega * re + growth * im + F_im};
}

/// Standard deviation per step of each real component of the thermal drive f_n at power p:
/// sqrt(G+(p) kB T / (E0 dt)).
template <class T>
SPINNET_HDI T auto_oscillator_noise_amplitude(const AutoOscillatorCoefficients<T>& c, T p) {
  return fast::sqrt(c.gamma_G * (T(1) + c.Q * p)) * c.noise_per_gamma;
}

/// The end of a step from state s to the integrated `raw` state (a single oscillator's step and a
/// network's, network/): the finiteness check, the sticky status, and what the step adds to the
/// sums. A failed oscillator keeps s.
template <class T>
SPINNET_HDI StepOutcome<AutoOscillatorState<T>, AutoOscillatorSample<T>, T> auto_oscillator_settle(
    const StepContext<T>& context, const AutoOscillatorCoefficients<T> c, const AutoOscillatorState<T> s,
    const AutoOscillatorState<T> raw, std::uint32_t status, std::uint64_t failed_step, std::uint64_t step) {
  const T p = raw.re * raw.re + raw.im * raw.im;
  const std::uint32_t verdict = fast::is_finite(p) ? status_ok : status_not_finite;
  const bool alive = settle_status(verdict, step, status, failed_step);
  const AutoOscillatorState<T> next{alive ? raw.re : s.re, alive ? raw.im : s.im};

  const T weight = (alive && step >= context.transient_steps) ? T(1) : T(0);
  const T pn = next.re * next.re + next.im * next.im;
  // Phase advance of c between the steps, measured clockwise: arg(c_n* c_{n+1}) with c ~ e^{-i w t}.
  const T dphi = -planar_angle(s.re, s.im, next.re, next.im);
  const T signal = c.signal_scale * next.re;
  const AutoOscillatorSample<T> sample{weight * pn, weight * pn * pn, weight * next.re, weight * next.im, weight * dphi,
                                       weight * signal * signal};
  return {next, sample, status, failed_step, signal};
}

struct AutoOscillatorModel {
  using Parameters = AutoOscillatorParameters;
  template <class T>
  using Coefficients = AutoOscillatorCoefficients<T>;
  template <class T>
  using State = AutoOscillatorState<T>;
  template <class T>
  using Sample = AutoOscillatorSample<T>;
  using Accumulators = AutoOscillatorAccumulators;

  template <class T>
  static State<T> initial_state(const Parameters& p) {
    return {static_cast<T>(p.c0_re), static_cast<T>(p.c0_im)};
  }
  static bool thermal(const Parameters& p) { return p.temperature > 0; }

  /// The engine draws the thermal noise: one complex N(0, 1) number per step (device_model.hpp,
  /// NoisePairs: one Philox block serves two steps).
  static constexpr int noise_pairs = 1;

  /// One stochastic Heun step; the noise amplitude sqrt(G+(p)) is taken at the start of the step
  /// and the noise held over it, like the thermal field of the macrospin model. The RF drive is
  /// F(t) = sum_k |F_k| exp(-i theta_k) = cos_x - i sin_x of the drive sample.
  template <class T, bool Thermal>
  SPINNET_HDI static StepOutcome<State<T>, Sample<T>, T> step(const StepContext<T>& context, std::size_t,
                                                              const Coefficients<T> c, const State<T> s,
                                                              std::uint32_t status, std::uint64_t failed_step,
                                                              std::uint64_t step, const DriveSample<T> drive_now,
                                                              const DriveSample<T> drive_next,
                                                              const NoisePairs<T, 1> normal) {
    const T dt = context.dt;
    const T current_now = c.current + drive_now.current;
    const T current_next = c.current + drive_next.current;
    const T F_re_now = drive_now.cos_x, F_im_now = -drive_now.sin_x;
    const T F_re_next = drive_next.cos_x, F_im_next = -drive_next.sin_x;
    T noise_re = T(0), noise_im = T(0);
    if constexpr (Thermal) {
      const T p = s.re * s.re + s.im * s.im;
      const T amplitude = auto_oscillator_noise_amplitude(c, p);
      noise_re = amplitude * normal.re[0];
      noise_im = amplitude * normal.im[0];
    }
    State<T> k1 = auto_oscillator_rhs(s, c, current_now, F_re_now + noise_re, F_im_now + noise_im);
    State<T> predicted{s.re + dt * k1.re, s.im + dt * k1.im};
    State<T> k2 = auto_oscillator_rhs(predicted, c, current_next, F_re_next + noise_re, F_im_next + noise_im);
    const T half_dt = T(0.5) * dt;
    const T new_re = s.re + half_dt * (k1.re + k2.re);
    const T new_im = s.im + half_dt * (k1.im + k2.im);
    return auto_oscillator_settle(context, c, s, State<T>{new_re, new_im}, status, failed_step, step);
  }
};

}  // namespace spinnet
