// Training and evaluation of RF networks and the software MLP: loss, optimizer, checkpoints, the
// epoch loop (rf_training.hpp). The experiment around it is rf_experiment.cpp.
#include "spinnet/rfnet/rf_training.hpp"

#include <unistd.h>
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "spinnet/core/errors.hpp"
#include "spinnet/study/output.hpp"
#if defined(SPINNET_HAVE_CUDA)
#include "spinnet/rfnet/rf_network_cuda.hpp"
#endif

namespace spinnet {

// ---------------------------------------------------------------------------------------------
// Loss

template <class T>
double softmax_cross_entropy(const RowMatrix<T>& logits, const int* labels, RowMatrix<T>* dlogits, int* correct) {
  const Eigen::Index batch = logits.rows(), classes = logits.cols();
  if (dlogits) dlogits->resize(batch, classes);
  double loss = 0;
  int hits = 0;
  for (Eigen::Index b = 0; b < batch; ++b) {
    Eigen::Index arg = 0;
    const T top = logits.row(b).maxCoeff(&arg);
    if (arg == labels[b]) ++hits;
    double sum = 0;
    for (Eigen::Index c = 0; c < classes; ++c) sum += std::exp(static_cast<double>(logits(b, c) - top));
    loss += std::log(sum) - static_cast<double>(logits(b, labels[b]) - top);
    if (dlogits) {
      for (Eigen::Index c = 0; c < classes; ++c)
        (*dlogits)(b, c) = static_cast<T>(std::exp(static_cast<double>(logits(b, c) - top)) / sum / batch);
      (*dlogits)(b, labels[b]) -= static_cast<T>(1.0 / batch);
    }
  }
  if (correct) *correct = hits;
  return loss / std::max<Eigen::Index>(batch, 1);
}

template double softmax_cross_entropy<float>(const RowMatrix<float>&, const int*, RowMatrix<float>*, int*);
template double softmax_cross_entropy<double>(const RowMatrix<double>&, const int*, RowMatrix<double>*, int*);

// ---------------------------------------------------------------------------------------------
// Backend

bool rf_backend_uses_cuda(const RfBackendOptions& options) {
  switch (options.backend) {
    case Backend::cpu: return false;
    case Backend::automatic: return cuda_available();
    case Backend::cuda:
#if defined(SPINNET_HAVE_CUDA)
      if (!cuda_available()) throw RunError(options.setting + " = cuda: no CUDA device is visible on this machine");
      return true;
#else
      throw RunError(options.setting +
                     " = cuda: this spinnet was built without the CUDA backend (configure with nvcc available)");
#endif
  }
  return false;
}

std::unique_ptr<RfTrainableNetwork<float>> make_rf_network(const RfNetworkSpec& spec, const RfBackendOptions& options) {
#if defined(SPINNET_HAVE_CUDA)
  if (rf_backend_uses_cuda(options)) return std::make_unique<RfNetworkCuda>(spec, RfCudaOptions{options.tf32});
#else
  rf_backend_uses_cuda(options);  // throws when cuda was asked for
#endif
  return std::make_unique<RfNetworkModel<float>>(spec);
}

// ---------------------------------------------------------------------------------------------
// Optimizer

double OptimizerOptions::learning_rate_at(int epoch, int epochs) const {
  switch (schedule) {
    case Schedule::constant:
      return learning_rate;
    case Schedule::cosine: {
      const double t = epochs > 1 ? static_cast<double>(epoch) / (epochs - 1) : 0.0;
      return learning_rate * (final_fraction + (1 - final_fraction) * 0.5 * (1 + std::cos(M_PI * t)));
    }
    case Schedule::step:
      return learning_rate * std::pow(step_factor, epoch / std::max(step_epochs, 1));
  }
  return learning_rate;
}

void optimizer_step(const OptimizerOptions& options, double learning_rate, std::vector<ParameterBlock<float>>& blocks,
                    OptimizerState& state) {
  std::size_t total = 0;
  for (const auto& b : blocks) total += b.size;
  if (state.m.size() != total) state.m.assign(total, 0.0f);
  if (options.kind == OptimizerOptions::Kind::adam && state.v.size() != total) state.v.assign(total, 0.0f);
  ++state.steps;
  const float lr = static_cast<float>(learning_rate);
  std::size_t offset = 0;
  if (options.kind == OptimizerOptions::Kind::adam) {
    const float b1 = static_cast<float>(options.beta1), b2 = static_cast<float>(options.beta2);
    const float eps = static_cast<float>(options.epsilon);
    const double t = static_cast<double>(state.steps);
    const float c1 = static_cast<float>(1.0 / (1.0 - std::pow(options.beta1, t)));
    const float c2 = static_cast<float>(1.0 / (1.0 - std::pow(options.beta2, t)));
    for (auto& b : blocks) {
      float* m = state.m.data() + offset;
      float* v = state.v.data() + offset;
      const float s = b.scale;
#pragma omp simd
      for (std::size_t i = 0; i < b.size; ++i) {
        const float g = b.gradient[i] * s;
        m[i] = b1 * m[i] + (1 - b1) * g;
        v[i] = b2 * v[i] + (1 - b2) * g * g;
        b.value[i] -= s * lr * (m[i] * c1) / (std::sqrt(v[i] * c2) + eps);
      }
      offset += b.size;
    }
  } else {
    const float mu = static_cast<float>(options.momentum);
    for (auto& b : blocks) {
      float* m = state.m.data() + offset;
      const float s = b.scale;
#pragma omp simd
      for (std::size_t i = 0; i < b.size; ++i) {
        m[i] = mu * m[i] + b.gradient[i] * s;
        b.value[i] -= s * lr * m[i];
      }
      offset += b.size;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Checkpoint state

namespace {

json record_to_json(const EpochRecord& r) {
  return {{"epoch", r.epoch},
          {"learning_rate", r.learning_rate},
          {"train_loss", r.train_loss},
          {"train_accuracy", r.train_accuracy},
          {"validation_loss", r.validation_loss},
          {"validation_accuracy", r.validation_accuracy},
          {"seconds", r.seconds},
          {"samples_per_second", r.samples_per_second}};
}

EpochRecord record_from_json(const json& j) {
  EpochRecord r;
  r.epoch = j.at("epoch").get<int>();
  r.learning_rate = j.at("learning_rate").get<double>();
  r.train_loss = j.at("train_loss").get<double>();
  r.train_accuracy = j.at("train_accuracy").get<double>();
  r.validation_loss = j.at("validation_loss").get<double>();
  r.validation_accuracy = j.at("validation_accuracy").get<double>();
  r.seconds = j.at("seconds").get<double>();
  r.samples_per_second = j.at("samples_per_second").get<double>();
  return r;
}

}  // namespace

json training_state_to_json(const TrainingState& state, const std::vector<std::string>& block_names) {
  // Floats go through double, which JSON prints with 17 significant digits: exact round trip.
  json parameters = json::object(), best = json::object();
  for (std::size_t b = 0; b < state.parameters.size(); ++b) {
    parameters[block_names.at(b)] = std::vector<double>(state.parameters[b].begin(), state.parameters[b].end());
    if (b < state.best_parameters.size())
      best[block_names.at(b)] = std::vector<double>(state.best_parameters[b].begin(), state.best_parameters[b].end());
  }
  json history = json::array();
  for (const auto& r : state.history) history.push_back(record_to_json(r));
  return {{"next_epoch", state.next_epoch},
          {"optimizer_steps", state.optimizer.steps},
          {"optimizer_m", std::vector<double>(state.optimizer.m.begin(), state.optimizer.m.end())},
          {"optimizer_v", std::vector<double>(state.optimizer.v.begin(), state.optimizer.v.end())},
          {"parameters", parameters},
          {"best_parameters", best},
          {"best_validation", state.best_validation},
          {"best_epoch", state.best_epoch},
          {"epochs_since_best", state.epochs_since_best},
          {"history", history}};
}

TrainingState training_state_from_json(const json& document, const std::string& source) {
  TrainingState state;
  try {
    state.next_epoch = document.at("next_epoch").get<int>();
    state.optimizer.steps = document.at("optimizer_steps").get<std::uint64_t>();
    for (double x : document.at("optimizer_m")) state.optimizer.m.push_back(static_cast<float>(x));
    for (double x : document.at("optimizer_v")) state.optimizer.v.push_back(static_cast<float>(x));
    for (const auto& [name, values] : document.at("parameters").items()) {
      std::vector<float> p;
      for (double x : values) p.push_back(static_cast<float>(x));
      state.parameters.push_back(std::move(p));
    }
    for (const auto& [name, values] : document.at("best_parameters").items()) {
      std::vector<float> p;
      for (double x : values) p.push_back(static_cast<float>(x));
      state.best_parameters.push_back(std::move(p));
    }
    state.best_validation = document.at("best_validation").get<double>();
    state.best_epoch = document.at("best_epoch").get<int>();
    state.epochs_since_best = document.at("epochs_since_best").get<int>();
    for (const auto& r : document.at("history")) state.history.push_back(record_from_json(r));
  } catch (const json::exception& e) {
    throw ConfigError(source, std::string("not a valid training checkpoint: ") + e.what(), 0);
  }
  return state;
}

// ---------------------------------------------------------------------------------------------
// Training loop

namespace {

void gather_batch(const Dataset& data, const std::vector<std::size_t>& order, std::size_t begin, std::size_t end,
                  RowMatrix<float>& x, std::vector<int>& y) {
  const Eigen::Index n = static_cast<Eigen::Index>(end - begin);
  x.resize(n, data.features.cols());
  y.resize(static_cast<std::size_t>(n));
  for (Eigen::Index r = 0; r < n; ++r) {
    const std::size_t s = order.empty() ? begin + r : order[begin + r];
    x.row(r) = data.features.row(static_cast<Eigen::Index>(s));
    y[r] = data.labels[s];
  }
}

/// The sample order of an epoch: a Fisher-Yates shuffle keyed by (seed, epoch) alone, so that a
/// resumed run draws the same order without saving generator state.
std::vector<std::size_t> epoch_order(std::size_t n, std::uint64_t seed, int epoch) {
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + static_cast<std::uint64_t>(epoch) + 1);
  for (std::size_t i = n; i > 1; --i) std::swap(order[i - 1], order[rng() % i]);
  return order;
}

std::vector<std::vector<float>> snapshot(const std::vector<ParameterBlock<float>>& blocks) {
  std::vector<std::vector<float>> out;
  for (const auto& b : blocks) out.emplace_back(b.value, b.value + b.size);
  return out;
}

void restore(std::vector<ParameterBlock<float>>& blocks, const std::vector<std::vector<float>>& values,
             const std::string& what) {
  if (values.size() != blocks.size()) throw RunError(what + ": " + std::to_string(values.size()) +
                                                     " parameter arrays, the network has " + std::to_string(blocks.size()));
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    if (values[b].size() != blocks[b].size)
      throw RunError(what + ": parameter " + blocks[b].name + " has " + std::to_string(values[b].size()) +
                     " values, the network has " + std::to_string(blocks[b].size));
    std::copy(values[b].begin(), values[b].end(), blocks[b].value);
  }
}

}  // namespace

EvaluationResult evaluate_model(TrainableModel<float>& model, const Dataset& data, int classes, int batch_size) {
  EvaluationResult result;
  result.confusion.assign(classes, std::vector<int>(classes, 0));
  RowMatrix<float> x, logits;
  std::vector<int> y;
  double loss = 0;
  int correct = 0;
  for (std::size_t begin = 0; begin < data.size(); begin += batch_size) {
    const std::size_t end = std::min(data.size(), begin + batch_size);
    gather_batch(data, {}, begin, end, x, y);
    model.forward(x, logits);
    int hits = 0;
    loss += softmax_cross_entropy<float>(logits, y.data(), nullptr, &hits) * static_cast<double>(end - begin);
    correct += hits;
    for (Eigen::Index r = 0; r < logits.rows(); ++r) {
      Eigen::Index arg = 0;
      logits.row(r).maxCoeff(&arg);
      if (y[r] >= 0 && y[r] < classes) ++result.confusion[y[r]][arg];
    }
  }
  const double n = std::max<std::size_t>(data.size(), 1);
  result.loss = loss / n;
  result.accuracy = correct / n;
  return result;
}

void flush_denormals_to_zero() {
#if defined(__SSE__)
#pragma omp parallel
  _mm_setcsr(_mm_getcsr() | 0x8040);  // FTZ | DAZ, in every OpenMP worker
#endif
}

void train_model(TrainableModel<float>& model, const Dataset& train, const Dataset& validation,
                 const TrainingOptions& options, TrainingState& state, const TrainingHooks& hooks) {
  flush_denormals_to_zero();
  std::vector<ParameterBlock<float>> blocks = model.parameters();
  if (!state.parameters.empty()) restore(blocks, state.parameters, "checkpoint");
  model.prepare();
  const int classes = model.output_count();
  const bool early_stopping = options.patience > 0 && validation.size() > 0;
  RowMatrix<float> x, logits, dlogits;
  std::vector<int> y;
  const std::size_t batch = static_cast<std::size_t>(std::max(options.batch_size, 1));
  const std::uint64_t steps_per_epoch = (train.size() + batch - 1) / batch;
  const bool augment = options.augmentation.any();
  if (augment && (train.image_rows <= 0 || static_cast<std::size_t>(train.image_rows) * train.image_cols !=
                                               train.feature_count()))
    throw RunError(train.source + ": training.augment needs images, but " + train.name + " samples are " +
                   std::to_string(train.feature_count()) + " features without an image shape");

  for (int epoch = state.next_epoch; epoch < options.epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    const double lr = options.optimizer.learning_rate_at(epoch, options.epochs);
    const std::vector<std::size_t> order = epoch_order(train.size(), options.seed, epoch);
    double loss_sum = 0;
    int correct = 0;
    std::uint64_t step = static_cast<std::uint64_t>(epoch) * steps_per_epoch;
    for (std::size_t begin = 0; begin < train.size(); begin += batch, ++step) {
      const std::size_t end = std::min(train.size(), begin + batch);
      gather_batch(train, order, begin, end, x, y);
      if (augment) {
        for (std::size_t r = 0; r < end - begin; ++r) {
          const std::size_t sample = order[begin + r];
          warp_image(draw_affine(options.augmentation, options.seed, epoch, sample), train.image_rows,
                     train.image_cols, options.augmentation_fill,
                     train.features.row(static_cast<Eigen::Index>(sample)).data(),
                     x.row(static_cast<Eigen::Index>(r)).data());
        }
      }
      if (hooks.before_step) {
        hooks.before_step(step);
        model.prepare();
      }
      model.forward(x, logits);
      int hits = 0;
      const double loss = softmax_cross_entropy(logits, y.data(), &dlogits, &hits);
      if (!std::isfinite(loss))
        throw RunError("training diverged at epoch " + std::to_string(epoch + 1) + " (non-finite loss at step " +
                       std::to_string(step) + "); the last good checkpoint is kept");
      loss_sum += loss * static_cast<double>(end - begin);
      correct += hits;
      model.backward(dlogits);
      optimizer_step(options.optimizer, lr, blocks, state.optimizer);
      model.prepare();
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EpochRecord record;
    record.epoch = epoch + 1;
    record.learning_rate = lr;
    record.train_loss = loss_sum / std::max<std::size_t>(train.size(), 1);
    record.train_accuracy = static_cast<double>(correct) / std::max<std::size_t>(train.size(), 1);
    record.seconds = seconds;
    record.samples_per_second = train.size() / std::max(seconds, 1e-9);
    if (hooks.before_evaluation) {
      hooks.before_evaluation();
      model.prepare();
    }
    if (validation.size() > 0) {
      const EvaluationResult v = evaluate_model(model, validation, classes);
      record.validation_loss = v.loss;
      record.validation_accuracy = v.accuracy;
    }
    state.history.push_back(record);
    state.next_epoch = epoch + 1;
    if (validation.size() > 0 && record.validation_accuracy > state.best_validation) {
      state.best_validation = record.validation_accuracy;
      state.best_epoch = epoch + 1;
      state.epochs_since_best = 0;
      state.best_parameters = snapshot(blocks);
    } else {
      ++state.epochs_since_best;
    }
    state.parameters = snapshot(blocks);
    if (hooks.on_epoch) hooks.on_epoch(record);
    if (hooks.on_checkpoint) hooks.on_checkpoint(state);
    if (early_stopping && state.epochs_since_best >= options.patience) break;
  }
  if (early_stopping && !state.best_parameters.empty()) {
    restore(blocks, state.best_parameters, "best parameters");
  }
  model.prepare();
}

}  // namespace spinnet
