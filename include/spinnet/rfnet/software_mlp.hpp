// A plain software multilayer perceptron (dense layers, ReLU, linear readout) of the same shape as
// an RF network: the baseline the spintronic networks are compared with ("within 1 point").
#pragma once

#include <cstdint>
#include <vector>

#include "spinnet/config/config.hpp"
#include "spinnet/rfnet/trainable_model.hpp"

namespace spinnet {

struct SoftwareMlpSpec {
  std::vector<int> sizes;                 // inputs, hidden..., outputs
  std::vector<RowMatrix<double>> weight;  // per layer, outputs x inputs
  std::vector<std::vector<double>> bias;  // per layer
  std::vector<double> offset, scale;      // feature scaling fitted on the training data

  /// PyTorch's nn.Linear initialization: U(-1/sqrt(inputs), 1/sqrt(inputs)), keyed by seed.
  static SoftwareMlpSpec initial(const std::vector<int>& sizes, std::uint64_t seed);
};

json software_mlp_to_json(const SoftwareMlpSpec& spec);
SoftwareMlpSpec software_mlp_from_json(const json& document, const std::string& source);

template <class T>
class SoftwareMlp final : public TrainableModel<T> {
 public:
  explicit SoftwareMlp(const SoftwareMlpSpec& spec);
  int input_count() const override { return static_cast<int>(weight_.front().cols()); }
  int output_count() const override { return static_cast<int>(weight_.back().rows()); }
  void prepare() override {}
  void forward(const RowMatrix<T>& inputs, RowMatrix<T>& logits) override;
  void backward(const RowMatrix<T>& dlogits) override;
  std::vector<ParameterBlock<T>> parameters() override;
  SoftwareMlpSpec to_spec(const SoftwareMlpSpec& base) const;

 private:
  std::vector<RowMatrix<T>> weight_, weight_grad_, activation_;  // activation_[l]: input of layer l
  std::vector<Eigen::Matrix<T, Eigen::Dynamic, 1>> bias_, bias_grad_;
};

}  // namespace spinnet
