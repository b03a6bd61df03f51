// The devices the benchmarks time (macrospin_bench, oscillator_bench, network_bench, lane_cpu_time):
// one definition each, so that the figures of the programs are comparable.
#pragma once

#include <cmath>
#include <cstdint>

#include "spinnet/core/constants.hpp"
#include "spinnet/models/auto_oscillator.hpp"
#include "spinnet/models/macrospin.hpp"
#include "spinnet/models/oscillator_network.hpp"

namespace spinnet::bench {

/// An in-plane CoFeB-like free layer, 100 nm x 50 nm ellipse, 1.5 nm thick, in a thin-film
/// geometry (Nz = 1), with its easy axis and the reference layer along x, a 20 mT easy-axis field
/// and a 0.1 mA DC bias (below the ~0.2 mA critical current of these parameters, as in a spin
/// diode). Parameters typical of the junctions in, e.g., Torrejon et al., Nature 547, 428 (2017).
inline MacrospinParameters<double> reference_junction(double temperature) {
  constexpr double mT = 1e-3 / constants::mu0;  // A/m per mT
  MacrospinParameters<double> p{};
  p.alpha = 0.01;
  p.gamma = 1.7609e11;  // electron gyromagnetic ratio, rad/(s T)
  p.Ms = 1.0e6;
  p.volume = constants::pi / 4 * 100e-9 * 50e-9 * 1.5e-9;
  p.Hk = 10 * mT;
  p.ux = 1, p.uy = 0, p.uz = 0;
  p.Nx = 0, p.Ny = 0, p.Nz = 1;
  p.Hx = 20 * mT, p.Hy = 2 * mT, p.Hz = 0;
  p.px = 1, p.py = 0, p.pz = 0;
  p.polarization = 0.5;
  p.lambda = 0.0;
  p.beta = 0.1;
  p.current = 0.1e-3;
  p.temperature = temperature;
  p.R_P = 1000;
  p.R_AP = 2000;
  p.m0x = 0.9, p.m0y = 0.3, p.m0z = 0.05;
  return p;
}

/// An auto-oscillator above threshold at 300 K, its frequency spread over 97 values by index.
inline AutoOscillatorParameters auto_oscillator(std::uint64_t i) {
  AutoOscillatorParameters p{};
  p.frequency = 5e9 * (1 + 1e-3 * static_cast<double>(i % 97));
  p.nonlinear_shift = -2e9;
  p.damping_rate = 3e8;
  p.nonlinear_damping = 2;
  p.threshold_current = 1e-3;
  p.current = 1.5e-3;
  p.temperature = 300;
  p.energy = 2e-17;
  p.signal_scale = 1e-3;
  p.c0_re = 0.3;
  return p;
}

/// A network of M auto-oscillators (auto_oscillator above), all-to-all coupled with
/// Omega = 2e7 1/s, beta = 0.3 rad.
template <int M>
OscillatorNetworkParameters<M> oscillator_network(std::uint64_t i) {
  OscillatorNetworkParameters<M> p{};
  for (int j = 0; j < M; ++j) {
    p.oscillator[j] = auto_oscillator(i * M + static_cast<std::uint64_t>(j));
    for (int k = 0; k < M; ++k) {
      p.coupling_re[j][k] = j == k ? 0.0 : 2e7 * std::cos(0.3);
      p.coupling_im[j][k] = j == k ? 0.0 : 2e7 * std::sin(0.3);
    }
  }
  return p;
}

}  // namespace spinnet::bench
