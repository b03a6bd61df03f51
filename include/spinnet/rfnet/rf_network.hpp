// Radio-frequency spintronic networks (Leroux et al., PR Applied 15, 034067 (2021); Ross et al.,
// Nat. Nanotechnol. 18, 1273 (2023)): input features become the powers of RF tones; a chain layer
// of spin-diode junctions turns the tones into DC voltages, V_j = sum_i P_i W_ji + b_j with
//   W_ji = sum_k s_k G(f_i; f_r,jk),   f_r,jk = f0_k + Delta_jk   (rf_synapse.hpp);
// STNO neurons turn voltages into the tones of the next layer; the last chains' voltages are the
// logits. W depends only on the frequencies: it is computed once per optimizer step and the layer
// is then a matrix product.
//
// RfNetworkSpec is the plain, double-precision description of a (trained) network: what the file
// holds and what a time-domain evaluation needs. RfNetworkModel<T> is its trainable form.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "spinnet/config/config.hpp"
#include "spinnet/rfnet/rf_synapse.hpp"
#include "spinnet/rfnet/trainable_model.hpp"

namespace spinnet {

/// Tones or resonances spread over [f_min, f_max]: linear, or geometric f_i = f_min r^i with
/// r = (f_max/f_min)^(1/(n-1)) (constant ratio: constant spacing in linewidths alpha f).
struct FrequencyPlan {
  enum class Kind { linear, geometric } kind = Kind::linear;
  double f_min_Hz = 2e9, f_max_Hz = 12e9;
  std::vector<double> frequencies(int count) const;
};

/// One chain layer: `chains` chains of `junctions` spin diodes, every junction sees every tone.
struct RfChainLayer {
  std::vector<double> input_frequency_Hz;  // f_i, one per input tone
  std::vector<double> base_resonance_Hz;   // f0_k, one per junction position in a chain
  std::vector<int> orientation;            // s_k = +1, -1, +1, ...
  RowMatrix<double> shift_Hz;              // Delta_jk, chains x junctions (trained)
  std::vector<double> bias_V;              // b_j, one per chain (trained)
  double alpha = 0.01;                     // damping: half-width alpha f_r
  double K_SD_V_per_W = 8839;              // sensitivity (reference: tan(pi/4)/(8 sqrt 2)/I_th, I_th = 10 uA)

  int inputs() const { return static_cast<int>(input_frequency_Hz.size()); }
  int chains() const { return static_cast<int>(shift_Hz.rows()); }
  int junctions() const { return static_cast<int>(base_resonance_Hz.size()); }
  double resonance_Hz(int j, int k) const { return base_resonance_Hz[k] + shift_Hz(j, k); }
};

/// STNO neurons after a chain layer: I_j = g_j (V_j + V_b,j), P_j = stno_power(I_j); neuron j
/// emits the next layer's tone j.
struct RfNeuronLayer {
  std::vector<double> gain_A_per_V;    // g_j (trainable when train_gain)
  std::vector<double> bias_voltage_V;  // V_b,j (trainable when train_bias_voltage)
  StnoNeuron<double> stno{10e-6, 2.0, 1e3, 1.25, 40e-6};
};

/// Feature -> power of its tone: P_i = max_power_W * x_i, x_i the feature scaled to [0, 1] by the
/// affine map x' = (x - offset) * scale fitted on the training data (stored with the network).
struct RfInputEncoding {
  double max_power_W = 1e-6;
  std::vector<double> offset, scale;  // per feature; empty = identity
};

struct RfNetworkSpec {
  std::string name;
  RfInputEncoding encoding;
  std::vector<RfChainLayer> layers;     // at least one
  std::vector<RfNeuronLayer> neurons;   // layers.size() - 1
  double readout_scale_V = 1e-3;        // logits = V_last / readout_scale
  bool train_gain = false, train_bias_voltage = false;
  /// Initial neuron operating point: `from_data` sets every STNO's gain and bias voltage from a batch
  /// of training data (initialize_neurons_from_data) instead of the config's common values.
  struct NeuronInit {
    bool from_data = false;
    double current_over_I_th = 2.5, spread_over_I_th = 0.75;
  } neuron_init;

  int input_count() const { return layers.front().inputs(); }
  int output_count() const { return layers.back().chains(); }
  /// Throws ConfigError(source, ...) when sizes are inconsistent.
  void validate(const std::string& source) const;
};

/// Builds an untrained network from the "network" object of a config (keys in docs/rfnet.md);
/// initial shifts and biases are drawn from N(0, std) keyed by `seed`.
RfNetworkSpec read_rf_network_config(ObjectReader& network, int input_count, int output_count, std::uint64_t seed);

/// Data-dependent initialization of the STNO operating points (in the spirit of layer-sequential
/// unit-variance initialization, Mishkin & Matas, ICLR 2016): layer by layer, the chain voltages V_j
/// over the batch `x` (scaled features, one row per sample) have mean mu_j and standard deviation
/// sigma_j; g_j = spread I_th / sigma_j and V_b,j = center I_th / g_j - mu_j put the neuron currents
/// at mean center I_th, standard deviation spread I_th, inside (I_th, I_max) where the STNO responds
/// (a current at the limiter or below threshold has zero gradient). Chains whose voltage does not
/// vary over the batch keep their gain. Deterministic: a function of the spec and the batch.
void initialize_neurons_from_data(RfNetworkSpec& spec, const RowMatrix<float>& x, double center_over_I_th,
                                  double spread_over_I_th);

/// The trained-network arrays as JSON (every array with its unit in the key) and back.
json rf_network_to_json(const RfNetworkSpec& spec);
RfNetworkSpec rf_network_from_json(const json& document, const std::string& source);

/// Per-chip device spreads (relative standard deviations): each junction's resonance and damping,
/// each input tone's and each STNO's power, multiplied by (1 + spread X), X ~ N(0, 1), clamped at 0.
struct ChipSpread {
  double resonance = 0, alpha = 0, power = 0;
  bool any() const { return resonance > 0 || alpha > 0 || power > 0; }
};

/// The fabricated deviations of one chip, as multipliers (1 = nominal).
struct ChipDeviation {
  std::vector<RowMatrix<double>> resonance, alpha;  // per layer, chains x junctions
  std::vector<std::vector<double>> neuron_power;    // per neuron layer
  std::vector<double> input_power;                  // per input tone
};

/// Chip `chip_id`'s deviations, keyed by (seed, chip id) with Philox (stream `variability`): the
/// same chip is the same whatever else is evaluated, in any order or thread count.
ChipDeviation draw_chip(const RfNetworkSpec& spec, const ChipSpread& spread, std::uint64_t seed,
                        std::uint64_t chip_id);

/// Per-chip calibration of the resonances: each junction's resonance is measured with relative
/// precision `precision` (Gaussian error, keyed like the chip) and its tuning corrected so that the
/// measured value hits the design. What remains is the residual multiplier 1/(1 + precision X');
/// damping and power deviations are left as they are (tuning does not change them).
ChipDeviation calibrate_chip(const ChipDeviation& chip, double precision, std::uint64_t seed, std::uint64_t chip_id);

/// W_ji = sum_k s_k G(f_i; f_r,jk m_jk, alpha_jk) for chains x inputs, rows of W contiguous;
/// f_r = base + shift, m = resonance multiplier (nullptr = 1), alpha per junction.
template <class T>
void compute_chain_weights(const T* input_frequency, int inputs, const T* base_resonance, const int* orientation,
                           const T* shift, const T* resonance_multiplier, const T* alpha, T K_SD, int chains,
                           int junctions, T* W);
/// dL/dDelta_jk = s_k m_jk sum_i dL/dW_ji dG/df_r(f_i; f_r,jk) (the chain rule through W).
template <class T>
void chain_shift_gradient(const T* input_frequency, int inputs, const T* base_resonance, const int* orientation,
                          const T* shift, const T* resonance_multiplier, const T* alpha, T K_SD, int chains,
                          int junctions, const T* dL_dW, T* dL_dshift);

/// The trainable parameter blocks of an RF network, in the order and with the optimizer scales
/// every backend uses (so checkpoints are interchangeable): per chain layer its shifts (scale: one
/// linewidth) and biases (scale: the readout scale), then per neuron layer its gains (scale: their
/// mean) and bias voltages when trained. `layers` and `neurons` are a backend's own host arrays
/// (members shift, shift_grad, shift_scale, bias, bias_grad; gain, gain_grad, bias_voltage,
/// bias_voltage_grad).
template <class T, class Layers, class NeuronLayers>
std::vector<ParameterBlock<T>> rf_parameter_blocks(Layers& layers, NeuronLayers& neurons, bool train_gain,
                                                   bool train_bias_voltage, T readout_scale) {
  std::vector<ParameterBlock<T>> blocks;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    auto& L = layers[l];
    const std::string p = "layers[" + std::to_string(l) + "].";
    blocks.push_back({p + "shift_Hz", L.shift.data(), L.shift_grad.data(), static_cast<std::size_t>(L.shift.size()),
                      L.shift_scale});
    blocks.push_back({p + "bias_V", L.bias.data(), L.bias_grad.data(), static_cast<std::size_t>(L.bias.size()),
                      readout_scale});
  }
  for (std::size_t l = 0; l < neurons.size(); ++l) {
    auto& n = neurons[l];
    const std::string p = "neurons[" + std::to_string(l) + "].";
    if (train_gain)
      blocks.push_back({p + "gain_A_per_V", n.gain.data(), n.gain_grad.data(), static_cast<std::size_t>(n.gain.size()),
                        n.gain.size() ? static_cast<T>(std::abs(n.gain.mean())) : T(1)});
    if (train_bias_voltage)
      blocks.push_back({p + "bias_voltage_V", n.bias_voltage.data(), n.bias_voltage_grad.data(),
                        static_cast<std::size_t>(n.bias_voltage.size()), readout_scale});
  }
  return blocks;
}

/// The trained values of a backend's host arrays written into a copy of `base` (shifts and biases
/// per chain layer, gains and bias voltages per neuron layer; the other fields as in `base`).
template <class Layers, class NeuronLayers>
RfNetworkSpec rf_spec_with_values(const RfNetworkSpec& base, const Layers& layers, const NeuronLayers& neurons) {
  RfNetworkSpec spec = base;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    spec.layers[l].shift_Hz = layers[l].shift.template cast<double>();
    for (Eigen::Index j = 0; j < layers[l].bias.size(); ++j) spec.layers[l].bias_V[j] = layers[l].bias[j];
  }
  for (std::size_t l = 0; l < neurons.size(); ++l)
    for (Eigen::Index j = 0; j < neurons[l].gain.size(); ++j) {
      spec.neurons[l].gain_A_per_V[j] = neurons[l].gain[j];
      spec.neurons[l].bias_voltage_V[j] = neurons[l].bias_voltage[j];
    }
  return spec;
}

/// What training, evaluation and the variability study need from an RF network on any backend
/// (RfNetworkModel on the CPU, RfNetworkCuda in rf_network_cuda.hpp): the trainable model, the
/// fabricated chip it is evaluated on, and the trained values.
template <class T>
class RfTrainableNetwork : public TrainableModel<T> {
 public:
  /// Evaluate (and train) on a fabricated chip; nominal_chip() restores the design values. Call
  /// prepare() before the next forward pass.
  virtual void set_chip(const ChipDeviation& chip) = 0;
  virtual void nominal_chip() = 0;
  /// The trained values written back into a spec (the other fields copied from `base`).
  virtual RfNetworkSpec to_spec(const RfNetworkSpec& base) const = 0;
};

/// Trainable form of an RfNetworkSpec in precision T (float for training, double for gradient
/// checks). Holds the chip deviations it is evaluated on (nominal by default).
template <class T>
class RfNetworkModel final : public RfTrainableNetwork<T> {
 public:
  explicit RfNetworkModel(const RfNetworkSpec& spec);

  int input_count() const override { return inputs_; }
  int output_count() const override { return static_cast<int>(layers_.back().bias.size()); }
  void prepare() override;
  void forward(const RowMatrix<T>& inputs, RowMatrix<T>& logits) override;
  void backward(const RowMatrix<T>& dlogits) override;
  std::vector<ParameterBlock<T>> parameters() override;

  void set_chip(const ChipDeviation& chip) override;
  void nominal_chip() override;
  RfNetworkSpec to_spec(const RfNetworkSpec& base) const override;
  /// Synaptic matrix of layer l as last prepared (chains x inputs).
  const RowMatrix<T>& weights(int layer) const { return layers_[layer].W; }

 private:
  struct Layer {
    Eigen::Matrix<T, Eigen::Dynamic, 1> input_frequency, base_resonance;
    std::vector<int> orientation;
    RowMatrix<T> shift, shift_grad, W, W_grad, resonance_multiplier, alpha;
    Eigen::Matrix<T, Eigen::Dynamic, 1> bias, bias_grad;
    T alpha0, K_SD, shift_scale;
    RowMatrix<T> input, output;  // forward batch: layer input powers, chain voltages
  };
  struct Neurons {
    Eigen::Matrix<T, Eigen::Dynamic, 1> gain, gain_grad, bias_voltage, bias_voltage_grad, power_multiplier;
    StnoNeuron<T> stno;
    RowMatrix<T> current;  // forward batch
  };
  int inputs_;
  std::vector<Layer> layers_;
  std::vector<Neurons> neurons_;
  Eigen::Matrix<T, Eigen::Dynamic, 1> input_power_multiplier_;
  T max_power_, readout_scale_;
  bool train_gain_, train_bias_voltage_;
  bool chip_nominal_ = true;
};

}  // namespace spinnet
