// RF network trained and evaluated on a CUDA GPU: the same parameters, forward pass (encoding ->
// chain layers -> STNO neurons -> readout logits) and backward pass as RfNetworkModel<float>
// (rf_network.hpp), with W, activations and gradients on the device and the layer products on
// cuBLAS. No CUDA types here: host code includes this header; the class exists only in builds with
// the CUDA backend (SPINNET_HAVE_CUDA). Use make_rf_network (rf_training.hpp) to pick a backend.
//
// Per training step: prepare() uploads the parameters (a few tens of thousands of floats) and
// computes W on the device; forward() uploads the batch once and downloads the logits (the loss is
// computed on the host); backward() uploads dL/dlogits and downloads the parameter gradients, which
// the host optimizer (optimizer_step) consumes. The parameters and the Adam moments therefore live
// on the host, as for the CPU model, and checkpoints work unchanged.
#pragma once

#include <memory>

#include "spinnet/rfnet/rf_network.hpp"

namespace spinnet {

namespace cuda {
class RfNetworkDevice;
}

struct RfCudaOptions {
  bool tf32 = false;  // matrix products on TF32 tensor cores (10-bit mantissa); default full float32
};

class RfNetworkCuda final : public RfTrainableNetwork<float> {
 public:
  /// Throws RunError when the CUDA device cannot be used (no device, out of memory).
  explicit RfNetworkCuda(const RfNetworkSpec& spec, const RfCudaOptions& options = {});
  ~RfNetworkCuda() override;

  int input_count() const override { return inputs_; }
  int output_count() const override { return static_cast<int>(layers_.back().bias.size()); }
  void prepare() override;
  void forward(const RowMatrix<float>& inputs, RowMatrix<float>& logits) override;
  void backward(const RowMatrix<float>& dlogits) override;
  std::vector<ParameterBlock<float>> parameters() override;

  void set_chip(const ChipDeviation& chip) override;
  void nominal_chip() override;
  RfNetworkSpec to_spec(const RfNetworkSpec& base) const override;

  /// Synaptic matrix of layer l as last prepared (chains x inputs), copied from the device.
  RowMatrix<float> weights(int layer);

 private:
  struct Layer {
    RowMatrix<float> shift, shift_grad;
    Eigen::VectorXf bias, bias_grad;
    float alpha0 = 0, shift_scale = 1;
  };
  struct Neurons {
    Eigen::VectorXf gain, gain_grad, bias_voltage, bias_voltage_grad;
  };
  int inputs_ = 0;
  float readout_scale_ = 1;
  bool train_gain_ = false, train_bias_voltage_ = false;
  std::vector<Layer> layers_;
  std::vector<Neurons> neurons_;
  std::unique_ptr<cuda::RfNetworkDevice> device_;
};

}  // namespace spinnet
