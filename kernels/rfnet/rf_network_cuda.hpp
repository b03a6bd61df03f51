// Device side of the CUDA RF network (kernels/rfnet/rf_network_cuda.cu): the arrays of a chain-layer
// network on one GPU, the synaptic-matrix and STNO kernels, and the cuBLAS products. Plain types
// only (no CUDA, Eigen or JSON types), so host code includes it; the trainable model around it is
// RfNetworkCuda (include/spinnet/rfnet/rf_network_cuda.hpp, src/rfnet/rf_network_cuda.cpp).
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "spinnet/rfnet/rf_synapse.hpp"

namespace spinnet::cuda {

/// The fixed (untrained) description of one chain layer, float32, host pointers.
struct RfLayerShape {
  int inputs = 0, chains = 0, junctions = 0;
  std::vector<float> input_frequency;  // inputs
  std::vector<float> base_resonance;   // junctions
  std::vector<int> orientation;        // junctions
  float K_SD = 0;
};

/// Arrays that can be written from / read into host memory (every one float32, rows contiguous).
enum class RfArray {
  shift,                    // layer: chains x junctions (Hz)
  bias,                     // layer: chains (V)
  alpha,                    // layer: chains x junctions (damping per junction)
  resonance_multiplier,     // layer: chains x junctions (chip; count 0 = nominal, none)
  weights,                  // layer: chains x inputs (read only: W after prepare)
  shift_gradient,           // layer: chains x junctions (read only)
  bias_gradient,            // layer: chains (read only)
  gain,                     // neuron layer: count (A/V)
  bias_voltage,             // neuron layer: count (V)
  neuron_power_multiplier,  // neuron layer: count (chip)
  gain_gradient,            // neuron layer: count (read only)
  bias_voltage_gradient,    // neuron layer: count (read only)
  input_power_multiplier,   // index 0: inputs of layer 0 (chip; count 0 = nominal)
};

/// One network on the current CUDA device, with its own stream and cuBLAS handle. Every CUDA and
/// cuBLAS call is checked and throws spinnet::RunError naming the call. Not copyable; one host
/// thread at a time.
class RfNetworkDevice {
 public:
  /// `neurons` has layers.size() - 1 entries. `tf32`: matrix products on TF32 tensor cores
  /// (10-bit mantissa inputs; off = full float32 products).
  RfNetworkDevice(const std::vector<RfLayerShape>& layers, const std::vector<StnoNeuron<float>>& neurons,
                  float max_power, float readout_scale, bool tf32);
  ~RfNetworkDevice();
  RfNetworkDevice(const RfNetworkDevice&) = delete;
  RfNetworkDevice& operator=(const RfNetworkDevice&) = delete;

  /// Copies `count` floats from the host into array `which` of (neuron) layer `layer`. For the
  /// chip multipliers, count 0 removes them (nominal chip). Throws RunError on a size mismatch.
  void upload(RfArray which, int layer, const float* host, std::size_t count);
  /// Copies array `which` of layer `layer` into `host` (`count` floats; waits for the stream).
  void download(RfArray which, int layer, float* host, std::size_t count);

  /// W_ji of every layer from the frequencies (chain_junction + spin_diode_response, rf_synapse.hpp).
  void prepare();
  /// Logits of `batch` samples (`inputs` row-major, batch x inputs of layer 0, features in [0, 1]);
  /// one upload, one download. Keeps the activations for backward().
  void forward(const float* inputs, int batch, float* logits);
  /// Gradients of every parameter from dLoss/dlogits of the last forward batch (batch x outputs,
  /// row-major); read them with download(*_gradient).
  void backward(const float* dlogits, int batch);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace spinnet::cuda
