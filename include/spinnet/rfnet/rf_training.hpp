// Training of RF spintronic networks and of the software MLP baseline: Adam/SGD over minibatches,
// learning-rate schedule, validation split with early stopping, per-epoch progress, checkpoint
// state that resumes bit for bit, divergence detection; evaluation and confusion matrix. The
// experiment around it (config, data, outputs) is rf_experiment.hpp; docs/rfnet.md.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "spinnet/rfnet/augmentation.hpp"
#include "spinnet/config/config.hpp"
#include "spinnet/data/dataset.hpp"
#include "spinnet/engine/engine.hpp"
#include "spinnet/rfnet/rf_network.hpp"
#include "spinnet/rfnet/software_mlp.hpp"
#include "spinnet/rfnet/trainable_model.hpp"

namespace spinnet {

struct OptimizerOptions {
  enum class Kind { adam, sgd } kind = Kind::adam;
  double learning_rate = 1e-2;
  double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;  // Adam (Kingma & Ba 2015)
  double momentum = 0.9;                              // SGD (heavy ball)
  enum class Schedule { constant, cosine, step } schedule = Schedule::constant;
  double final_fraction = 0.0;  // cosine: lr at the last epoch / learning_rate
  int step_epochs = 30;         // step: multiply by step_factor every step_epochs
  double step_factor = 0.1;
  double learning_rate_at(int epoch, int epochs) const;
};

/// Optimizer state over the concatenation of a model's parameter blocks.
struct OptimizerState {
  std::vector<float> m, v;  // Adam moments or SGD velocity (m)
  std::uint64_t steps = 0;
};

/// One optimizer step: x -= s lr update(s g) per block (parameters scaled to O(1), see ParameterBlock).
void optimizer_step(const OptimizerOptions& options, double learning_rate, std::vector<ParameterBlock<float>>& blocks,
                    OptimizerState& state);

/// Where an RF network runs: cpu (RfNetworkModel<float>), cuda (RfNetworkCuda, cuBLAS) or auto
/// (cuda when this build has the CUDA backend and a device is visible). `setting` names the choice
/// in errors (the config key or the command-line option).
struct RfBackendOptions {
  Backend backend = Backend::cpu;
  bool tf32 = false;  // cuda: TF32 tensor-core products (off: full float32)
  std::string setting = "training.backend";
};

/// True when `options` selects the CUDA network. Throws RunError naming options.setting when cuda
/// is asked for and this build has no CUDA backend or no device is visible.
bool rf_backend_uses_cuda(const RfBackendOptions& options);

/// An RF network on the chosen backend (see RfBackendOptions); both give the same results within
/// float32 rounding (tests/test_rf_network_cuda.cpp).
std::unique_ptr<RfTrainableNetwork<float>> make_rf_network(const RfNetworkSpec& spec, const RfBackendOptions& options);

struct TrainingOptions {
  OptimizerOptions optimizer;
  int epochs = 100;
  int batch_size = 64;
  int patience = 0;  // early stopping: epochs without validation improvement (0 = off)
  std::uint64_t seed = 0;
  ChipSpread training_spread;  // variability-aware training: a new chip per minibatch when any()
  ImageAugmentation augmentation;  // image sets: a random affine map per sample and epoch when any()
  float augmentation_fill = 0;     // the (scaled) value of a blank pixel
};

struct EpochRecord {
  int epoch = 0;
  double learning_rate = 0, train_loss = 0, train_accuracy = 0, validation_loss = 0, validation_accuracy = 0;
  double seconds = 0, samples_per_second = 0;
};

/// Everything a checkpoint holds: enough to continue exactly where training stopped.
struct TrainingState {
  int next_epoch = 0;
  OptimizerState optimizer;
  std::vector<std::vector<float>> parameters, best_parameters;  // per block
  double best_validation = -1;
  int best_epoch = -1, epochs_since_best = 0;
  std::vector<EpochRecord> history;
};

json training_state_to_json(const TrainingState& state, const std::vector<std::string>& block_names);
TrainingState training_state_from_json(const json& document, const std::string& source);

struct EvaluationResult {
  double loss = 0, accuracy = 0;
  std::vector<std::vector<int>> confusion;  // [true class][predicted class]
};

/// Loss, accuracy and confusion matrix over a data set, in batches.
EvaluationResult evaluate_model(TrainableModel<float>& model, const Dataset& data, int classes, int batch_size = 1000);

struct TrainingHooks {
  std::function<void(const EpochRecord&)> on_epoch;                 // progress
  std::function<void(const TrainingState&)> on_checkpoint;          // after every finite epoch
  std::function<void(std::uint64_t step)> before_step;              // e.g. draw a chip
  std::function<void()> before_evaluation;                          // e.g. back to the nominal chip
};

/// Flushes float denormals to zero on this thread and every OpenMP worker (FTZ/DAZ). Confident
/// predictions make softmax gradients of 1e-30 and less; multiplied by input powers of 1e-6 W they
/// become denormals, which cost ~100 cycles each in the matrix products (a 6x slowdown measured on
/// MNIST). Flushing changes results only below 1.2e-38. train_model calls it.
void flush_denormals_to_zero();

/// Trains `model` on `train`; with a non-empty `validation` set and patience > 0, stops early and
/// restores the parameters of the best validation accuracy. `state` is the starting point (fresh or
/// a checkpoint) and holds the final state. Throws RunError naming the epoch on a non-finite loss.
void train_model(TrainableModel<float>& model, const Dataset& train, const Dataset& validation,
                 const TrainingOptions& options, TrainingState& state, const TrainingHooks& hooks);

}  // namespace spinnet
