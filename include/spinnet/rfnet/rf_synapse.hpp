// Compact device models of the radio-frequency (RF) networks: the spin-diode synapse (rectified
// voltage against the input tone's frequency) and the spin-torque nano-oscillator (STNO) neuron
// (emitted power against DC current). Leroux et al., Phys. Rev. Applied 15, 034067 (2021);
// Ross, Leroux et al., Nat. Nanotechnol. 18, 1273 (2023). SI units throughout: Hz, W, V, A, ohm.
#pragma once

#include "spinnet/core/hostdevice.hpp"

namespace spinnet {

/// Spin diode in the small-signal (linear in power) regime.
template <class T>
struct SpinDiode {
  T alpha;  // Gilbert damping: the resonance half-width is alpha * f_r
  T K_SD;   // sensitivity, V/W: peak rectified voltage per watt of input power
};

/// Rectification G (V/W) of a junction with resonance f_r driven at f_in (Leroux 2021, eq. 3):
///   G = K_SD 2 alpha f_r (f_in - f_r) / ((alpha f_r)^2 + (f_in - f_r)^2).
/// Antisymmetric Lorentzian in d = f_in - f_r with extrema +-K_SD at d = +-alpha f_r.
template <class T>
SPINNET_HDI T spin_diode_response(T f_in, T f_r, T alpha, T K_SD) {
  const T d = f_in - f_r, a = alpha * f_r;
  return K_SD * T(2) * a * d / (a * a + d * d);
}

/// dG/df_r at fixed f_in. With d = f_in - f_r, a = alpha f_r (dd/df_r = -1, da/df_r = alpha):
///   dG/df_r = 2 K_SD (d^2 - a^2)(alpha d + a) / (a^2 + d^2)^2.
template <class T>
SPINNET_HDI T spin_diode_response_dfr(T f_in, T f_r, T alpha, T K_SD) {
  const T d = f_in - f_r, a = alpha * f_r;
  const T q = T(1) / (a * a + d * d);
  return T(2) * K_SD * (d * d - a * a) * (alpha * d + a) * q * q;
}

/// G and dG/df_r together, sharing one division (the backward pass of a chain layer).
template <class T>
SPINNET_HDI void spin_diode_response_and_dfr(T f_in, T f_r, T alpha, T K_SD, T& G, T& dG_dfr) {
  const T d = f_in - f_r, a = alpha * f_r;
  const T q = T(1) / (a * a + d * d);
  G = T(2) * K_SD * a * d * q;
  dG_dfr = T(2) * K_SD * (d * d - a * a) * (alpha * d + a) * q * q;
}

/// Orientation of junction k (0-based) in a chain connected head to tail: s_k = (-1)^(k+1) with the
/// 1-based k of the paper, i.e. +1, -1, +1, ... from the first junction.
SPINNET_HDI int junction_orientation(int k) { return (k % 2 == 0) ? 1 : -1; }

/// Junction k of chain j in a chain layer as the synaptic-matrix kernels see it (shared by the CPU
/// loops in src/rfnet/rf_network.cpp and the CUDA kernels in kernels/rfnet/rf_network_cuda.cu):
/// resonance f_r = (f0_k + Delta_jk) m_jk (m = resonance multiplier of a fabricated chip, 1 when
/// `resonance_multiplier` is null), damping alpha_jk, and the orientation sign folded into the
/// sensitivity (K = s_k K_SD: exact, a sign flip). Arrays are chains x junctions, rows contiguous.
template <class T>
struct ChainJunction {
  T f_r, alpha, K, m;
};

template <class T>
SPINNET_HDI ChainJunction<T> chain_junction(const T* base_resonance, const int* orientation, const T* shift,
                                            const T* resonance_multiplier, const T* alpha, T K_SD, int junctions,
                                            int j, int k) {
  const long jk = static_cast<long>(j) * junctions + k;
  const T m = resonance_multiplier ? resonance_multiplier[jk] : T(1);
  return {(base_resonance[k] + shift[jk]) * m, alpha[jk], orientation[k] > 0 ? K_SD : -K_SD, m};
}

/// STNO neuron (universal auto-oscillator in its steady state; Slavin & Tiberkevich, IEEE Trans.
/// Magn. 45, 1875 (2009)): normalized power p0 = (zeta - 1)/(zeta + Q), zeta = I/I_th, zero
/// below threshold; emitted power P = A p0 R I^2.
template <class T>
struct StnoNeuron {
  T I_th;   // threshold current, A
  T Q;      // nonlinear damping coefficient
  T R;      // resistance, ohm
  T A;      // amplification of the emitted power (1 = none)
  T I_max;  // the current is limited to I_max (reference: 4 I_th) to protect the junction
};

/// Current actually flowing through the STNO. The limit is a clamp of I to [I_th, I_max] (what the
/// reference code does and the issue asks): below threshold the oscillator is off (P = 0, the
/// clamp at I_th gives exactly p0 = 0), above I_max a current limiter holds it at I_max, so P
/// saturates at A p0(I_max) R I_max^2. NaN propagates (no silent repair of a diverged network).
template <class T>
SPINNET_HDI T stno_limited_current(T I, const StnoNeuron<T>& n) {
  return I < n.I_th ? n.I_th : (I > n.I_max ? n.I_max : I);
}

/// Normalized power p0 of the free-running oscillator at current I (zero at and below threshold).
template <class T>
SPINNET_HDI T stno_normalized_power(T I, const StnoNeuron<T>& n) {
  const T zeta = stno_limited_current(I, n) / n.I_th;
  return (zeta - T(1)) / (zeta + n.Q);
}

/// Emitted power P(I) = A p0(I) R I^2 with I limited as above (W).
template <class T>
SPINNET_HDI T stno_power(T I, const StnoNeuron<T>& n) {
  const T Ic = stno_limited_current(I, n);
  const T zeta = Ic / n.I_th;
  return n.A * (zeta - T(1)) / (zeta + n.Q) * n.R * Ic * Ic;
}

/// dP/dI: A R (p0' I^2 + 2 p0 I) inside (I_th, I_max), p0' = (1 + Q)/(I_th (zeta + Q)^2); zero
/// outside, where the clamp holds the current (the gradient the clamp has almost everywhere).
template <class T>
SPINNET_HDI T stno_power_dI(T I, const StnoNeuron<T>& n) {
  if (!(I > n.I_th && I < n.I_max)) return T(0);
  const T zeta = I / n.I_th;
  const T p0 = (zeta - T(1)) / (zeta + n.Q);
  const T dp0 = (T(1) + n.Q) / (n.I_th * (zeta + n.Q) * (zeta + n.Q));
  return n.A * n.R * (dp0 * I * I + T(2) * p0 * I);
}

/// Optional frequency shift of the emitted tone with current (auto-oscillator nonlinear frequency
/// shift, Slavin & Tiberkevich 2009 eq. 27): f = f0 + N p0 / (2 pi), N in rad/s.
template <class T>
SPINNET_HDI T stno_frequency(T f0, T N, T I, const StnoNeuron<T>& n) {
  return f0 + N * stno_normalized_power(I, n) / T(6.283185307179586476925286766559);
}

}  // namespace spinnet
