// Training, evaluation, checkpoints and variability studies of RF networks (see rf_training.hpp).
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

// ---------------------------------------------------------------------------------------------
// Experiment config

namespace {

ChipSpread read_spread(ObjectReader reader) {
  ChipSpread s;
  s.resonance = reader.number("resonance", 0.0, Bound::non_negative);
  s.alpha = reader.number("alpha", 0.0, Bound::non_negative);
  s.power = reader.number("power", 0.0, Bound::non_negative);
  reader.finish();
  return s;
}

}  // namespace

RfExperiment read_rf_experiment(const json& config, const std::string& source) {
  RfExperiment e;
  e.source = source;
  e.resolved = json::object();
  ObjectReader top(config, "", e.resolved);
  const json* name = top.raw("name");
  e.name = name && name->is_string() ? name->get<std::string>()
                                     : std::filesystem::path(source).stem().string();
  top.record("name", e.name);
  e.model = top.choice("model", "rf_network", {"rf_network", "software_mlp"});

  ObjectReader data = top.object("data", true);
  e.data.set = data.choice("set", std::nullopt, {"digits8x8", "mnist", "drones", "iris"});
  const json* path = data.raw("path");
  if (path && !path->is_string()) throw ConfigError(data.path_of("path"), "a file or folder path (string)", describe(*path));
  e.data.path = path ? path->get<std::string>() : "";
  data.record("path", e.data.path);
  e.data.test_fraction = data.number("test_fraction", 0.2, Bound::unit_interval);
  e.data.split_seed = data.integer("split_seed", 0);
  e.data.validation_fraction = data.number("validation_fraction", 0.0, Bound::unit_interval);
  e.data.scaling = data.choice("scaling", "global_max", {"none", "min_max", "global_max", "standardize"});
  e.data.train_limit = data.integer("train_limit", 0);
  data.finish();

  const json* network = top.raw("network");
  if (!network || !network->is_object())
    throw ConfigError(top.path_of("network"), "an object describing the network", network ? describe(*network) : "nothing");
  e.network = *network;

  ObjectReader mlp = top.object("software_mlp");
  if (const json* hidden = mlp.raw("hidden")) {
    if (!hidden->is_array()) throw ConfigError(mlp.path_of("hidden"), "an array of widths", describe(*hidden));
    for (const auto& h : *hidden) {
      if (!h.is_number_integer() || h.get<int>() < 1)
        throw ConfigError(mlp.path_of("hidden"), "positive integer widths", describe(h));
      e.mlp_hidden.push_back(h.get<int>());
    }
    mlp.record("hidden", e.mlp_hidden);
  }
  mlp.finish();

  ObjectReader training = top.object("training");
  auto& t = e.training;
  auto& o = t.optimizer;
  o.kind = training.choice("optimizer", "adam", {"adam", "sgd"}) == "adam" ? OptimizerOptions::Kind::adam
                                                                           : OptimizerOptions::Kind::sgd;
  o.learning_rate = training.number("learning_rate", 1e-2, Bound::positive);
  o.beta1 = training.number("beta1", 0.9, Bound::unit_interval);
  o.beta2 = training.number("beta2", 0.999, Bound::unit_interval);
  o.epsilon = training.number("epsilon", 1e-8, Bound::positive);
  o.momentum = training.number("momentum", 0.9, Bound::unit_interval);
  const std::string schedule = training.choice("schedule", "constant", {"constant", "cosine", "step"});
  o.schedule = schedule == "constant" ? OptimizerOptions::Schedule::constant
               : schedule == "cosine" ? OptimizerOptions::Schedule::cosine
                                      : OptimizerOptions::Schedule::step;
  o.final_fraction = training.number("final_fraction", 0.0, Bound::unit_interval);
  o.step_epochs = static_cast<int>(training.integer("step_epochs", 30, 1));
  o.step_factor = training.number("step_factor", 0.1, Bound::positive);
  t.epochs = static_cast<int>(training.integer("epochs", 100, 1));
  t.batch_size = static_cast<int>(training.integer("batch_size", 64, 1));
  t.patience = static_cast<int>(training.integer("patience", 0));
  t.seed = training.integer("seed", 0);
  t.training_spread = read_spread(training.object("variability_aware"));
  const std::string backend = training.choice("backend", "cpu", {"cpu", "cuda", "auto"});
  e.backend.backend = backend == "cpu" ? Backend::cpu : backend == "cuda" ? Backend::cuda : Backend::automatic;
  if (const json* tf32 = training.raw("tf32")) {
    if (!tf32->is_boolean()) throw ConfigError(training.path_of("tf32"), "true or false", describe(*tf32));
    e.backend.tf32 = tf32->get<bool>();
  }
  training.record("tf32", e.backend.tf32);
  e.backend.setting = training.path_of("backend");
  {
    ObjectReader augment = training.object("augment");
    t.augmentation.shift_pixels = augment.number("shift_pixels", 0.0, Bound::non_negative);
    t.augmentation.rotation_deg = augment.number("rotation_deg", 0.0, Bound::non_negative);
    t.augmentation.zoom = augment.number("zoom", 0.0, Bound::unit_interval);
    augment.finish();
    if (t.augmentation.any() && e.data.set != "mnist" && e.data.set != "digits8x8")
      throw ConfigError(training.path_of("augment"), "an image data set (mnist or digits8x8)",
                        "data.set \"" + e.data.set + "\"");
    if (t.augmentation.any() && (e.data.scaling == "min_max" || e.data.scaling == "standardize"))
      throw ConfigError(training.path_of("augment"),
                        "data.scaling \"global_max\" or \"none\" (a per-pixel scaling does not commute with moving pixels)",
                        "data.scaling \"" + e.data.scaling + "\"");
  }
  training.finish();

  ObjectReader variability = top.object("variability");
  e.variability.chips = static_cast<int>(variability.integer("chips", 0));
  e.variability.seed = variability.integer("seed", 1);
  e.variability.calibration_precision = variability.number("calibration_precision", -1.0);
  if (const json* spreads = variability.raw("spreads")) {
    if (!spreads->is_array()) throw ConfigError(variability.path_of("spreads"), "an array of relative spreads", describe(*spreads));
    for (const auto& s : *spreads) {
      if (!s.is_number() || s.get<double>() < 0)
        throw ConfigError(variability.path_of("spreads"), "non-negative numbers", describe(s));
      e.variability.spreads.push_back(s.get<double>());
    }
  } else {
    e.variability.spreads = {0.001, 0.005, 0.01, 0.02, 0.05};
  }
  variability.record("spreads", e.variability.spreads);
  if (const json* parameters = variability.raw("parameters")) {
    if (!parameters->is_array()) throw ConfigError(variability.path_of("parameters"), "an array", describe(*parameters));
    for (const auto& p : *parameters) {
      const std::string s = p.is_string() ? p.get<std::string>() : "";
      if (s != "resonance" && s != "alpha" && s != "power" && s != "all")
        throw ConfigError(variability.path_of("parameters"), "\"resonance\", \"alpha\", \"power\" or \"all\"", describe(p));
      e.variability.parameters.push_back(s);
    }
  } else {
    e.variability.parameters = {"resonance", "alpha", "power"};
  }
  variability.record("parameters", e.variability.parameters);
  variability.finish();
  top.finish();
  e.resolved["network"] = e.network;
  return e;
}

ExperimentData load_experiment_data(const DataOptions& options, const std::string& source,
                                    const FeatureScaling* fixed_scaling) {
  std::string base = options.path;
  const bool given = !base.empty();
  if (!given) {
    const std::string folder = default_data_directory();
    if (folder.empty())
      throw DataError(source + ": data.path: no data folder found (set data.path or SPINNET_DATA to where the " +
                      options.set + " data set is)");
    const std::filesystem::path root(folder);
    if (options.set == "digits8x8") base = (root / "digits8x8" / "digits_8x8.csv").string();
    if (options.set == "mnist") base = (root / "mnist").string();
    if (options.set == "drones") base = (root / "drones" / "RadioSpin_D62_RF_fingerprinting.h5").string();
    if (options.set == "iris") base = (root / "iris" / "iris.csv").string();
  }
  DatasetSplit split;
  if (options.set == "digits8x8") split = stratified_split(load_digits8x8_csv(base), options.test_fraction, options.split_seed);
  else if (options.set == "iris") split = stratified_split(load_iris_csv(base), options.test_fraction, options.split_seed);
  else if (options.set == "mnist") split = load_mnist(base);
  else split = load_drones_h5(base);

  ExperimentData out;
  out.test = std::move(split.test);
  if (options.train_limit > 0 && split.train.size() > options.train_limit) {
    std::vector<std::size_t> first(options.train_limit);
    for (std::size_t i = 0; i < first.size(); ++i) first[i] = i;
    split.train = subset(split.train, first);
  }
  if (options.validation_fraction > 0) {
    DatasetSplit tv = stratified_split(split.train, options.validation_fraction, options.split_seed + 1);
    out.train = std::move(tv.train);
    out.validation = std::move(tv.test);
  } else {
    out.train = std::move(split.train);
    out.validation = out.train;
    out.validation.features.resize(0, out.train.features.cols());
    out.validation.labels.clear();
  }
  const FeatureScaling::Kind kind = options.scaling == "none"          ? FeatureScaling::Kind::none
                                    : options.scaling == "min_max"     ? FeatureScaling::Kind::min_max
                                    : options.scaling == "standardize" ? FeatureScaling::Kind::standardize
                                                                       : FeatureScaling::Kind::global_max;
  if (fixed_scaling) {
    if (fixed_scaling->kind != FeatureScaling::Kind::none &&
        fixed_scaling->offset.size() != static_cast<Eigen::Index>(out.test.feature_count()))
      throw DataError(out.test.source + ": " + std::to_string(out.test.feature_count()) + " features per sample, but " +
                      source + " expects " + std::to_string(fixed_scaling->offset.size()) + " (one per input tone)");
    out.scaling = *fixed_scaling;
  } else {
    out.scaling = FeatureScaling::fit(out.train, kind);
  }
  out.scaling.apply(out.train);
  out.scaling.apply(out.validation);
  out.scaling.apply(out.test);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Variability

std::vector<VariabilityRow> variability_study(const RfNetworkSpec& spec, const Dataset& test, int classes,
                                              const VariabilityOptions& options, const RfBackendOptions& backend) {
  std::vector<VariabilityRow> rows;
  const std::unique_ptr<RfTrainableNetwork<float>> network = make_rf_network(spec, backend);
  RfTrainableNetwork<float>& model = *network;
  for (const std::string& parameter : options.parameters)
    for (double spread : options.spreads) {
      VariabilityRow row;
      row.parameter = parameter;
      row.spread = spread;
      ChipSpread s;
      if (parameter == "resonance" || parameter == "all") s.resonance = spread;
      if (parameter == "alpha" || parameter == "all") s.alpha = spread;
      if (parameter == "power" || parameter == "all") s.power = spread;
      for (int chip = 0; chip < options.chips; ++chip) {
        const ChipDeviation drawn = draw_chip(spec, s, options.seed, static_cast<std::uint64_t>(chip));
        model.set_chip(drawn);
        model.prepare();
        row.accuracies.push_back(evaluate_model(model, test, classes).accuracy);
        if (options.calibration_precision >= 0) {
          model.set_chip(calibrate_chip(drawn, options.calibration_precision, options.seed, static_cast<std::uint64_t>(chip)));
          model.prepare();
          row.calibrated_accuracies.push_back(evaluate_model(model, test, classes).accuracy);
        }
      }
      rows.push_back(std::move(row));
    }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Whole runs

namespace {

void write_text(const std::string& path, const std::string& text) { write_file_atomically(path, text); }

std::string history_csv(const std::vector<EpochRecord>& history) {
  std::ostringstream s;
  s << "epoch,learning_rate,train_loss,train_accuracy,validation_loss,validation_accuracy,seconds,samples_per_second\n";
  s.precision(8);
  for (const auto& r : history)
    s << r.epoch << ',' << r.learning_rate << ',' << r.train_loss << ',' << r.train_accuracy << ',' << r.validation_loss
      << ',' << r.validation_accuracy << ',' << r.seconds << ',' << r.samples_per_second << '\n';
  return s.str();
}

std::string confusion_csv(const EvaluationResult& r, const std::vector<std::string>& names) {
  std::ostringstream s;
  s << "true\\predicted";
  for (std::size_t c = 0; c < r.confusion.size(); ++c) s << ',' << (c < names.size() ? names[c] : std::to_string(c));
  s << '\n';
  for (std::size_t t = 0; t < r.confusion.size(); ++t) {
    s << (t < names.size() ? names[t] : std::to_string(t));
    for (int n : r.confusion[t]) s << ',' << n;
    s << '\n';
  }
  return s.str();
}

std::string resonances_csv(const RfNetworkSpec& spec) {
  std::ostringstream s;
  s.precision(10);
  s << "kind,layer,chain,junction,frequency_GHz,base_GHz,orientation\n";
  for (std::size_t l = 0; l < spec.layers.size(); ++l) {
    const auto& L = spec.layers[l];
    for (int i = 0; i < L.inputs(); ++i) s << "tone," << l << ",-1," << i << ',' << L.input_frequency_Hz[i] * 1e-9 << ",,\n";
    for (int j = 0; j < L.chains(); ++j)
      for (int k = 0; k < L.junctions(); ++k)
        s << "resonance," << l << ',' << j << ',' << k << ',' << L.resonance_Hz(j, k) * 1e-9 << ','
          << L.base_resonance_Hz[k] * 1e-9 << ',' << L.orientation[k] << '\n';
  }
  return s.str();
}

}  // namespace

std::string variability_table_csv(const std::vector<VariabilityRow>& rows) {
  std::ostringstream s;
  s.precision(6);
  s << "parameter,spread,calibrated,chips,mean_accuracy,std_accuracy,min_accuracy,p05_accuracy,median_accuracy,max_accuracy\n";
  for (const auto& row : rows)
  for (int calibrated = 0; calibrated < 2; ++calibrated) {
    const auto& r = row;
    std::vector<double> a = calibrated ? r.calibrated_accuracies : r.accuracies;
    if (a.empty()) continue;
    std::sort(a.begin(), a.end());
    double mean = 0, var = 0;
    for (double x : a) mean += x / a.size();
    for (double x : a) var += (x - mean) * (x - mean) / std::max<std::size_t>(a.size() - 1, 1);
    auto q = [&](double p) { return a.empty() ? 0.0 : a[static_cast<std::size_t>(p * (a.size() - 1) + 0.5)]; };
    s << r.parameter << ',' << r.spread << ',' << calibrated << ',' << a.size() << ',' << mean << ',' << std::sqrt(var) << ','
      << (a.empty() ? 0 : a.front()) << ',' << q(0.05) << ',' << q(0.5) << ',' << (a.empty() ? 0 : a.back()) << '\n';
  }
  return s.str();
}

namespace {

std::vector<double> to_double(const Eigen::VectorXf& v) { return std::vector<double>(v.data(), v.data() + v.size()); }

}  // namespace

TrainingRunResult run_rf_experiment(const RfExperiment& experiment, const std::string& out_dir,
                                    const std::string& resume_dir, std::function<void(const std::string&)> progress) {
  std::filesystem::create_directories(out_dir);
  ExperimentData data = load_experiment_data(experiment.data, experiment.source);
  const int classes = data.train.classes;
  const int features = static_cast<int>(data.train.feature_count());
  json resolved = experiment.resolved;

  // Build the network (and the baseline MLP of the same shape).
  RfNetworkSpec spec;
  SoftwareMlpSpec mlp_spec;
  std::unique_ptr<TrainableModel<float>> model;
  RfTrainableNetwork<float>* rf = nullptr;
  const bool on_cuda = experiment.model == "rf_network" && rf_backend_uses_cuda(experiment.backend);
  SoftwareMlp<float>* mlp = nullptr;
  {
    json network_resolved = json::object();
    ObjectReader network(experiment.network, "network", network_resolved);
    spec = read_rf_network_config(network, features, classes, experiment.training.seed);
    network.finish();
    resolved["network"] = network_resolved;
    spec.name = experiment.name;
    spec.encoding.offset = to_double(data.scaling.offset);
    spec.encoding.scale = to_double(data.scaling.scale);
    if (spec.neuron_init.from_data) {  // the first (up to) 1000 training samples, as stored
      const Eigen::Index rows = std::min<Eigen::Index>(1000, data.train.features.rows());
      initialize_neurons_from_data(spec, data.train.features.topRows(rows), spec.neuron_init.current_over_I_th,
                                   spec.neuron_init.spread_over_I_th);
    }
  }
  if (experiment.model == "rf_network") {
    auto m = make_rf_network(spec, experiment.backend);
    rf = m.get();
    model = std::move(m);
  } else {
    std::vector<int> sizes{features};
    if (!experiment.mlp_hidden.empty()) {
      sizes.insert(sizes.end(), experiment.mlp_hidden.begin(), experiment.mlp_hidden.end());
    } else {
      for (std::size_t l = 0; l + 1 < spec.layers.size(); ++l) sizes.push_back(spec.layers[l].chains());
    }
    sizes.push_back(classes);
    mlp_spec = SoftwareMlpSpec::initial(sizes, experiment.training.seed);
    mlp_spec.offset = spec.encoding.offset;
    mlp_spec.scale = spec.encoding.scale;
    auto m = std::make_unique<SoftwareMlp<float>>(mlp_spec);
    mlp = m.get();
    model = std::move(m);
  }
  write_text((std::filesystem::path(out_dir) / "resolved.json").string(), resolved.dump(2) + "\n");

  std::vector<std::string> names;
  for (const auto& b : model->parameters()) names.push_back(b.name);
  const std::filesystem::path out(out_dir);

  TrainingState state;
  if (!resume_dir.empty()) {
    const std::string file = (std::filesystem::path(resume_dir) / "checkpoint.json").string();
    if (!std::filesystem::exists(file)) throw RunError(file + ": no checkpoint to resume from");
    const json checkpoint = load_json_file(file);
    json a = checkpoint.value("config", json::object()), b = resolved;
    // The backend changes where the arithmetic runs, not the problem: a run may continue on another.
    for (json* c : {&a, &b})
      if (c->contains("training"))
        for (const char* key : {"epochs", "backend", "tf32"}) (*c)["training"].erase(key);
    if (a != b)
      throw ConfigError(file, "a checkpoint of the same config (only training.epochs may change)",
                        "a checkpoint of a different config");
    state = training_state_from_json(checkpoint.at("state"), file);
  }

  TrainingHooks hooks;
  hooks.on_epoch = [&](const EpochRecord& r) {
    if (!progress) return;
    char line[256], validation[64] = "";
    // Without a validation split there is no validation loss or accuracy to show.
    if (data.validation.size() > 0)
      std::snprintf(validation, sizeof validation, "  val_loss %.4f  val_acc %.2f%%", r.validation_loss,
                    100 * r.validation_accuracy);
    std::snprintf(line, sizeof line, "epoch %3d/%d  lr %.2e  loss %.4f  acc %.2f%%%s  %.0f samples/s", r.epoch,
                  experiment.training.epochs, r.learning_rate, r.train_loss, 100 * r.train_accuracy, validation,
                  r.samples_per_second);
    progress(line);
  };
  hooks.on_checkpoint = [&](const TrainingState& s) {
    json checkpoint = {{"format", "spinnet-rf-checkpoint"}, {"config", resolved},
                       {"state", training_state_to_json(s, names)}};
    write_text((out / "checkpoint.json").string(), checkpoint.dump() + "\n");
    write_text((out / "history.csv").string(), history_csv(s.history));
  };
  if (rf && experiment.training.training_spread.any()) {
    hooks.before_step = [&, rf](std::uint64_t step) {
      rf->set_chip(draw_chip(spec, experiment.training.training_spread, experiment.training.seed + 0x5eed, step));
    };
    hooks.before_evaluation = [rf] { rf->nominal_chip(); };
  }
  TrainingOptions training = experiment.training;
  if (data.scaling.offset.size() > 0) training.augmentation_fill = -data.scaling.offset[0] * data.scaling.scale[0];
  train_model(*model, data.train, data.validation, training, state, hooks);

  TrainingRunResult result;
  result.history = state.history;
  result.best_epoch = state.best_epoch;
  double sps = 0, mean_sps = 0, train_seconds = 0;
  for (const auto& r : state.history) {
    sps = std::max(sps, r.samples_per_second);
    mean_sps += r.samples_per_second / state.history.size();
    train_seconds += r.seconds;
  }
  result.train_samples_per_second = sps;
  if (rf) rf->nominal_chip(), rf->prepare();
  // Evaluation throughput: the test set is evaluated again until 0.1 s have passed (a small test
  // set takes about a millisecond, too short to time once).
  const auto evaluation_start = std::chrono::steady_clock::now();
  std::size_t evaluated = 0;
  double evaluation_seconds = 0;
  do {
    result.test = evaluate_model(*model, data.test, classes);
    evaluated += data.test.size();
    evaluation_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - evaluation_start).count();
  } while (evaluation_seconds < 0.1 && data.test.size() > 0);
  result.evaluation_samples_per_second = evaluated / std::max(evaluation_seconds, 1e-9);
  std::size_t parameter_count = 0;
  for (const auto& b : model->parameters()) parameter_count += b.size;

  json trained;
  if (rf) {
    spec = rf->to_spec(spec);
    trained = rf_network_to_json(spec);
    write_text((out / "resonances.csv").string(), resonances_csv(spec));
  } else {
    trained = software_mlp_to_json(mlp->to_spec(mlp_spec));
  }
  trained["config"] = resolved;
  write_text((out / "network.json").string(), trained.dump() + "\n");
  write_text((out / "confusion.csv").string(), confusion_csv(result.test, data.test.class_names));
  write_text((out / "history.csv").string(), history_csv(state.history));
  json summary = {{"name", experiment.name},
                  {"model", experiment.model},
                  {"data_set", experiment.data.set},
                  {"train_samples", data.train.size()},
                  {"validation_samples", data.validation.size()},
                  {"test_samples", data.test.size()},
                  {"epochs_run", state.history.size()},
                  {"best_epoch", state.best_epoch},
                  {"test_accuracy", result.test.accuracy},
                  {"test_loss", result.test.loss},
                  {"train_samples_per_second_best_epoch", sps},
                  {"train_samples_per_second_mean", mean_sps},
                  {"train_seconds", train_seconds},
                  {"evaluation_samples_per_second", result.evaluation_samples_per_second},
                  {"parameter_count", parameter_count},
                  {"seed", experiment.training.seed},
                  {"backend", on_cuda ? (experiment.backend.tf32 ? "cuda (tf32)" : "cuda") : "cpu"}};
  if (rf && experiment.variability.chips > 0) {
    if (progress) progress("variability: " + std::to_string(experiment.variability.chips) + " chips per spread");
    const auto rows = variability_study(spec, data.test, classes, experiment.variability, experiment.backend);
    write_text((out / "variability.csv").string(), variability_table_csv(rows));
    json table = json::array();
    for (const auto& r : rows) {
      double mean = 0, calibrated = 0;
      for (double a : r.accuracies) mean += a / r.accuracies.size();
      for (double a : r.calibrated_accuracies) calibrated += a / r.calibrated_accuracies.size();
      json entry = {{"parameter", r.parameter}, {"spread", r.spread}, {"mean_accuracy", mean}};
      if (!r.calibrated_accuracies.empty()) entry["mean_accuracy_calibrated"] = calibrated;
      table.push_back(entry);
    }
    summary["variability"] = table;
  }
  write_text((out / "summary.json").string(), summary.dump(2) + "\n");
  return result;
}

}  // namespace spinnet
