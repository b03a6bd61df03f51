// What the trainer needs from a network: a batched forward pass to logits, a backward pass that
// fills parameter gradients, and the parameters as named flat blocks. Implemented by the RF
// spintronic network (rf_network.hpp) and by the plain software MLP (software_mlp.hpp).
#pragma once

#include <Eigen/Core>
#include <string>
#include <vector>

namespace spinnet {

template <class T>
using RowMatrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// One trainable array: values and gradients in physical units, and the scale s that makes it
/// O(1) for the optimizer (Adam steps theta = x / s; a learning rate means the same for every
/// block: a resonance shift moves by about lr linewidths per step, a bias by lr volts-scale units).
template <class T>
struct ParameterBlock {
  std::string name;
  T* value = nullptr;
  T* gradient = nullptr;
  std::size_t size = 0;
  T scale = 1;
};

template <class T>
class TrainableModel {
 public:
  virtual ~TrainableModel() = default;
  virtual int input_count() const = 0;
  virtual int output_count() const = 0;
  /// Called once after the parameters changed (an optimizer step): precompute what depends only on
  /// the parameters (the RF network's synaptic matrices).
  virtual void prepare() = 0;
  /// Logits of a batch (rows = samples, columns = input features scaled to [0, 1]). Keeps what the
  /// backward pass needs.
  virtual void forward(const RowMatrix<T>& inputs, RowMatrix<T>& logits) = 0;
  /// Gradients of the loss with respect to every parameter block, given dLoss/dlogits of the last
  /// forward batch. Overwrites the gradient arrays.
  virtual void backward(const RowMatrix<T>& dlogits) = 0;
  virtual std::vector<ParameterBlock<T>> parameters() = 0;
};

/// Mean softmax cross-entropy of a batch and its gradient with respect to the logits (written into
/// dlogits when non-null); `correct` counts argmax hits. Stable (max subtracted).
template <class T>
double softmax_cross_entropy(const RowMatrix<T>& logits, const int* labels, RowMatrix<T>* dlogits, int* correct);

}  // namespace spinnet
