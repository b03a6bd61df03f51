// What a device model provides to be an oscillator of a coupled network (network/, docs/networks.md):
// the interface of the per-model adapters coupled_auto_oscillator.hpp, coupled_vortex.hpp and
// coupled_macrospin.hpp, and the plain value types they exchange with the network engine.
//
// An adapter A wraps one device model and adds, for an oscillator inside a network:
//   static constexpr int dim;            // components of the coupling vector (what partners see, and
//                                        // the coupling field that acts back: the same space)
//   static constexpr int noise_pairs;    // complex normals per step (engine-drawn, as device_model.hpp)
//   static constexpr bool circuit;       // whether `electrical` coupling is a circuit current
//                                        // (macrospin, vortex) or a complex mean field (auto-oscillator)
//   output(State)                  -> CouplingVector<T, dim>: what the partners' couplings read
//   noise(Coefficients, State, NoisePairs) -> Noise: the thermal term, at the start of the step
//   derivative(Coefficients, State, field, extra_current, DriveSample, Noise) -> State: d(state)/dt
//                                           with the coupling field and the circuit's RF current
//   advance(s, h, k) and advance(s, h, k1, k2) -> State: s + h k and s + h (k1 + k2)
//   settle(StepContext, Coefficients, State s, State raw, status, failed_step, step, current)
//                                        -> StepOutcome: the model's own end of a step
//   emission(Coefficients, State, current) -> T: the voltage the oscillator puts on a circuit, V
//   phasor(StepContext, Coefficients, State) -> Phasor<T>: e^{i phi} of the oscillation phase
//   resistance(Coefficients)             -> T: its static resistance in a circuit, Ohm
// Everything by value (the CPU lane loops vectorize only then; ARCHITECTURE.md).
#pragma once

#include "spinnet/core/fast_math.hpp"
#include "spinnet/core/hostdevice.hpp"

namespace spinnet {

/// The coupling vector of one oscillator: its output (c, m or the core position u) or the coupling
/// field acting on it (a complex drive, a magnetic field in A/m or a reduced force in 1/s).
template <class T, int D>
struct CouplingVector {
  T v[D];
};

/// e^{i phi} of an oscillator's phase: the unit phasor the Kuramoto order parameter and the
/// phase-locking values average (network/network_observables).
template <class T>
struct Phasor {
  T cos, sin;
};

/// The unit phasor of the planar vector (x, y); (1, 0) at the origin, where the phase is undefined.
template <class T>
SPINNET_HDI Phasor<T> unit_phasor(T x, T y) {
  const T r2 = x * x + y * y;
  const T inverse = r2 > T(0) ? T(1) / fast::sqrt(r2) : T(0);
  return {r2 > T(0) ? x * inverse : T(1), y * inverse};
}

}  // namespace spinnet
