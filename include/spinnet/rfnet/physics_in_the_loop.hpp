// Physics in the loop: a trained single-layer RF network (input tones, chains of spin-diode
// synapses, biases) evaluated with every synapse simulated in the time domain as a driven
// macrospin junction (spin_diode.hpp) with thermal noise, beside the compact model it was trained
// with. See docs/spin_diode.md ("Physics in the loop") for the JSON layout and the choices of tone
// grid, averaging window and time step.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "spinnet/measure/spin_diode.hpp"

namespace spinnet {

/// A trained single-layer network of spin-diode chains (Leroux 2021), in the file layout of the
/// rfnet branch's RfNetworkSpec ("format": "spinnet-rf-network", one layer, no neurons):
///   P_i = max_power x'_i,  x'_i = (x_i - offset_i) scale_i (identity when offset/scale are empty),
///   W_ji = sum_k s_k G(f_i; f_r,jk),  f_r,jk = f0_k + Delta_jk,  V_j = sum_i P_i W_ji + b_j,
///   G(f; f_r) = K_SD 2 alpha f_r (f - f_r) / ((alpha f_r)^2 + (f - f_r)^2); logits V_j / readout_scale.
struct SpinDiodeNetwork {
  double max_power = 1e-6;                     // W
  std::vector<double> offset, scale;           // per feature; empty = identity
  std::vector<double> input_frequency;         // f_i, Hz (N)
  std::vector<std::vector<double>> resonance;  // f_r,jk = f0_k + Delta_jk, Hz [chain j][junction k] (M x K)
  std::vector<int> orientation;                // s_k (K); empty: +1, -1, +1, ...
  std::vector<double> bias;                    // b_j, V (M)
  double alpha = 0.01;
  double K_SD = 1;             // V/W
  double readout_scale = 1;    // V (logits = V / readout_scale; the argmax does not depend on it)
};

/// Reads a network file (rfnet's layout; docs/spin_diode.md). Errors name the file, the JSON path,
/// what was expected and what was found; a network with more than one layer or with neuron layers
/// is refused (physics in the loop covers single-layer networks).
SpinDiodeNetwork load_spin_diode_network(const std::string& path);
/// Writes it in the same layout.
void save_spin_diode_network(const SpinDiodeNetwork& network, const std::string& path);

/// Input powers (W) of one feature vector; throws RunError if the feature count is not N.
std::vector<double> input_powers(const SpinDiodeNetwork& network, const std::vector<double>& features);

/// Compact-model chain voltages V_j (V) of one sample.
std::vector<double> compact_outputs(const SpinDiodeNetwork& network, const std::vector<double>& features);

/// How the physical junctions realize the network.
struct PhysicsInTheLoopOptions {
  SpinDiodeJunction junction;  // template: everything but resonance (set per synapse) and alpha (the network's)
  double temperature = 300;    // K
  // Physical power per network watt is chosen so that a tone of the largest network power drives a
  // junction at resonance to this small-signal cone angle (rad): the scale sets signal against
  // thermal noise (larger) and against nonlinearity (smaller: error ~ cone^2).
  double peak_cone = 0.05;
  // Field-like efficiency of each junction scaled by f_r / f_ref (f_ref: mean resonance of the
  // network), which makes K_SD the same for all junctions as the compact model assumes (at fixed
  // efficiency K_SD is proportional to 1 / f_r). False: every junction has the template's efficiency.
  bool equalize_sensitivity = true;
  double dt = 1e-12;      // s
  double transient = 0;   // s; 0: 8 decay times 1 / (2 pi alpha f_r,min)
  double window = 0;      // s; 0: the smallest whole number of beat periods 1 / df_min >= 4 decay times
  std::uint64_t seed = 1;
  int threads = 0;        // 0: OpenMP default
};

struct PhysicsInTheLoopResult {
  std::vector<std::vector<double>> time_domain;  // [sample][chain], V in the network's units
  std::vector<std::vector<double>> compact;      // [sample][chain]
  double power_scale = 0;        // physical W per network W
  double voltage_scale = 0;      // network V per physical V
  double transient = 0, window = 0, dt = 0;  // s, as used
  double beat_bound = 0;         // relative bound of unaveraged beats: 1 / (pi df_min window) (0 on the grid)
  double wall_seconds = 0;
  double junction_steps_per_second = 0;
};

/// Simulates every synapse of every sample as a macrospin junction with thermal noise: per sample,
/// the chains' junctions share one current waveform I(t) = sum_i I_i cos(2 pi f_i t + phi_i) (computed
/// once per step for all of them), the field-like torque is the field b_J(t) along the polarizer,
/// V_jk = <(R_jk(t) - R0) I(t)> and V_j = sum_k s_k V_jk, converted to network units and biased.
/// Tone phases are drawn once from the seed (independent sources). Batched over samples x junctions.
PhysicsInTheLoopResult evaluate_physics_in_the_loop(const SpinDiodeNetwork& network,
                                                    const std::vector<std::vector<double>>& features,
                                                    const PhysicsInTheLoopOptions& options);

/// A small compact-model trainer for single-layer networks, so that physics in the loop can be run
/// and tested before the rfnet branch's trainer (rf_training.hpp, the real one) is on main: full-batch
/// Adam on the resonance shifts (in units of the half-width) and the biases, softmax cross-entropy
/// on V_j / readout_scale, analytic gradients through G (dG/df_r = 2 K (d^2 - a^2)(alpha d + a) /
/// (a^2 + d^2)^2). Tones and base resonances: linear plans over [f_min, f_max].
struct ReferenceTrainingOptions {
  int junctions = 16;                   // K per chain
  double f_min = 3.0e9, f_max = 6.15e9;  // Hz: 64 tones 50 MHz apart for 8x8 digits
  double alpha = 0.01;
  double K_SD = 391.4;           // V/W (the default junction at 5 GHz)
  double max_power = 1e-6;       // W
  double readout_scale = 1e-4;   // V
  int epochs = 400;
  double learning_rate = 0.05;
  std::uint64_t seed = 0;
};

/// Trains on features already scaled to [0, 1] (the returned network's offset/scale stay empty
/// unless the caller sets them). Returns the network; `train_accuracy` receives the final
/// training accuracy of the compact model when not null.
SpinDiodeNetwork train_reference_network(const std::vector<std::vector<double>>& features,
                                         const std::vector<int>& labels, int classes,
                                         const ReferenceTrainingOptions& options, double* train_accuracy = nullptr);

/// Fraction of samples whose largest output is the label.
double top_one_accuracy(const std::vector<std::vector<double>>& outputs, const std::vector<int>& labels);

}  // namespace spinnet
