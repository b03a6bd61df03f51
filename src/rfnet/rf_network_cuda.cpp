// Host side of the CUDA RF network (include/spinnet/rfnet/rf_network_cuda.hpp): parameter mirrors,
// chip deviations and the TrainableModel interface over cuda::RfNetworkDevice
// (kernels/rfnet/rf_network_cuda.cu). Compiled only with the CUDA backend.
#include "spinnet/rfnet/rf_network_cuda.hpp"

#include <cmath>

#include "kernels/rfnet/rf_network_cuda.hpp"
#include "spinnet/core/errors.hpp"

namespace spinnet {

RfNetworkCuda::RfNetworkCuda(const RfNetworkSpec& spec, const RfCudaOptions& options)
    : inputs_(spec.input_count()),
      readout_scale_(static_cast<float>(spec.readout_scale_V)),
      train_gain_(spec.train_gain),
      train_bias_voltage_(spec.train_bias_voltage) {
  spec.validate(spec.name.empty() ? "network" : spec.name);
  std::vector<cuda::RfLayerShape> shapes;
  for (const auto& L : spec.layers) {
    cuda::RfLayerShape shape;
    shape.inputs = L.inputs();
    shape.chains = L.chains();
    shape.junctions = L.junctions();
    shape.input_frequency.assign(L.input_frequency_Hz.begin(), L.input_frequency_Hz.end());
    shape.base_resonance.assign(L.base_resonance_Hz.begin(), L.base_resonance_Hz.end());
    shape.orientation = L.orientation;
    shape.K_SD = static_cast<float>(L.K_SD_V_per_W);
    shapes.push_back(std::move(shape));

    // The same float values and optimizer scales as RfNetworkModel<float>.
    Layer layer;
    layer.shift = L.shift_Hz.cast<float>();
    layer.shift_grad = RowMatrix<float>::Zero(L.chains(), L.junctions());
    layer.bias = Eigen::Map<const Eigen::VectorXd>(L.bias_V.data(), L.chains()).cast<float>();
    layer.bias_grad = Eigen::VectorXf::Zero(L.chains());
    layer.alpha0 = static_cast<float>(L.alpha);
    const Eigen::VectorXf base = Eigen::Map<const Eigen::VectorXd>(L.base_resonance_Hz.data(), L.junctions()).cast<float>();
    layer.shift_scale = static_cast<float>(L.alpha * base.cast<double>().mean());
    layers_.push_back(std::move(layer));
  }
  std::vector<StnoNeuron<float>> stnos;
  for (const auto& n : spec.neurons) {
    const int count = static_cast<int>(n.gain_A_per_V.size());
    Neurons neurons;
    neurons.gain = Eigen::Map<const Eigen::VectorXd>(n.gain_A_per_V.data(), count).cast<float>();
    neurons.bias_voltage = Eigen::Map<const Eigen::VectorXd>(n.bias_voltage_V.data(), count).cast<float>();
    neurons.gain_grad = Eigen::VectorXf::Zero(count);
    neurons.bias_voltage_grad = Eigen::VectorXf::Zero(count);
    neurons_.push_back(std::move(neurons));
    stnos.push_back({static_cast<float>(n.stno.I_th), static_cast<float>(n.stno.Q), static_cast<float>(n.stno.R),
                     static_cast<float>(n.stno.A), static_cast<float>(n.stno.I_max)});
  }
  device_ = std::make_unique<cuda::RfNetworkDevice>(shapes, stnos, static_cast<float>(spec.encoding.max_power_W),
                                                    readout_scale_, options.tf32);
  nominal_chip();
  prepare();
}

RfNetworkCuda::~RfNetworkCuda() = default;

void RfNetworkCuda::set_chip(const ChipDeviation& chip) {
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const int layer = static_cast<int>(l);
    const RowMatrix<float> multiplier = chip.resonance[l].cast<float>();
    // As RfNetworkModel: alpha_jk = float(multiplier_jk * double(alpha0)).
    const RowMatrix<float> alpha = (chip.alpha[l] * static_cast<double>(layers_[l].alpha0)).cast<float>();
    device_->upload(cuda::RfArray::resonance_multiplier, layer, multiplier.data(), multiplier.size());
    device_->upload(cuda::RfArray::alpha, layer, alpha.data(), alpha.size());
  }
  for (std::size_t l = 0; l < neurons_.size(); ++l) {
    const std::vector<float> p(chip.neuron_power[l].begin(), chip.neuron_power[l].end());
    device_->upload(cuda::RfArray::neuron_power_multiplier, static_cast<int>(l), p.data(), p.size());
  }
  const std::vector<float> input(chip.input_power.begin(), chip.input_power.end());
  device_->upload(cuda::RfArray::input_power_multiplier, 0, input.data(), input.size());
}

void RfNetworkCuda::nominal_chip() {
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const int layer = static_cast<int>(l);
    const RowMatrix<float> alpha = RowMatrix<float>::Constant(layers_[l].shift.rows(), layers_[l].shift.cols(), layers_[l].alpha0);
    device_->upload(cuda::RfArray::resonance_multiplier, layer, nullptr, 0);
    device_->upload(cuda::RfArray::alpha, layer, alpha.data(), alpha.size());
  }
  for (std::size_t l = 0; l < neurons_.size(); ++l)
    device_->upload(cuda::RfArray::neuron_power_multiplier, static_cast<int>(l), nullptr, 0);
  device_->upload(cuda::RfArray::input_power_multiplier, 0, nullptr, 0);
}

void RfNetworkCuda::prepare() {
  // The optimizer changed the host values: send them, then W from the frequencies.
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const int layer = static_cast<int>(l);
    device_->upload(cuda::RfArray::shift, layer, layers_[l].shift.data(), layers_[l].shift.size());
    device_->upload(cuda::RfArray::bias, layer, layers_[l].bias.data(), layers_[l].bias.size());
  }
  for (std::size_t l = 0; l < neurons_.size(); ++l) {
    const int layer = static_cast<int>(l);
    device_->upload(cuda::RfArray::gain, layer, neurons_[l].gain.data(), neurons_[l].gain.size());
    device_->upload(cuda::RfArray::bias_voltage, layer, neurons_[l].bias_voltage.data(), neurons_[l].bias_voltage.size());
  }
  device_->prepare();
}

void RfNetworkCuda::forward(const RowMatrix<float>& inputs, RowMatrix<float>& logits) {
  if (inputs.cols() != inputs_)
    throw RunError("CUDA RF network: a batch of " + std::to_string(inputs.cols()) + " features per sample, the network has " +
                   std::to_string(inputs_) + " input tones");
  logits.resize(inputs.rows(), output_count());
  if (inputs.rows() == 0) return;
  device_->forward(inputs.data(), static_cast<int>(inputs.rows()), logits.data());
}

void RfNetworkCuda::backward(const RowMatrix<float>& dlogits) {
  if (dlogits.cols() != output_count())
    throw RunError("CUDA RF network: dL/dlogits with " + std::to_string(dlogits.cols()) + " columns, the network has " +
                   std::to_string(output_count()) + " outputs");
  device_->backward(dlogits.data(), static_cast<int>(dlogits.rows()));
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const int layer = static_cast<int>(l);
    device_->download(cuda::RfArray::shift_gradient, layer, layers_[l].shift_grad.data(), layers_[l].shift_grad.size());
    device_->download(cuda::RfArray::bias_gradient, layer, layers_[l].bias_grad.data(), layers_[l].bias_grad.size());
  }
  for (std::size_t l = 0; l < neurons_.size(); ++l) {
    const int layer = static_cast<int>(l);
    if (train_gain_)
      device_->download(cuda::RfArray::gain_gradient, layer, neurons_[l].gain_grad.data(), neurons_[l].gain_grad.size());
    if (train_bias_voltage_)
      device_->download(cuda::RfArray::bias_voltage_gradient, layer, neurons_[l].bias_voltage_grad.data(),
                        neurons_[l].bias_voltage_grad.size());
  }
}

std::vector<ParameterBlock<float>> RfNetworkCuda::parameters() {
  return rf_parameter_blocks<float>(layers_, neurons_, train_gain_, train_bias_voltage_, readout_scale_);
}

RfNetworkSpec RfNetworkCuda::to_spec(const RfNetworkSpec& base) const {
  return rf_spec_with_values(base, layers_, neurons_);
}

RowMatrix<float> RfNetworkCuda::weights(int layer) {
  if (layer < 0 || layer >= static_cast<int>(layers_.size()))
    throw RunError("CUDA RF network: no layer " + std::to_string(layer));
  const Eigen::Index chains = layers_[layer].shift.rows();
  const Eigen::Index inputs = layer == 0 ? inputs_ : layers_[layer - 1].shift.rows();
  RowMatrix<float> W(chains, inputs);
  device_->download(cuda::RfArray::weights, layer, W.data(), W.size());
  return W;
}

}  // namespace spinnet
