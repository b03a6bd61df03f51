// An RF-network experiment from its config: data, network, training, variability study; the run
// directory with its CSV and JSON outputs, checkpoints and resume (rf_experiment.hpp).
#include "spinnet/rfnet/rf_experiment.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "spinnet/core/errors.hpp"
#include "spinnet/study/output.hpp"

namespace spinnet {

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

namespace {

RfExperiment read_unprefixed(const json& config, const std::string& source) {
  RfExperiment e;
  e.source = source;
  e.resolved = json::object();
  ObjectReader top(config, "", e.resolved);
  const json* name = top.raw("name");
  e.name = name ? checked_run_name(*name, "name") : std::filesystem::path(source).stem().string();
  top.record("name", e.name);
  top.raw("size_study");  // read by read_size_study_options (size_study.hpp)
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
      if (!s.is_number() || !(s.get<double>() >= 0 && s.get<double>() <= max_chip_spread))
        throw ConfigError(variability.path_of("spreads"), "relative spreads in [0, 0.5]", describe(s));
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

}  // namespace

RfExperiment read_rf_experiment(const json& config, const std::string& source) {
  try {
    return read_unprefixed(config, source);
  } catch (const ConfigError& e) {
    throw e.prefixed(source);  // "file.json: training.epochs: expected ..."
  }
}

DataShape known_data_shape(const std::string& set) {
  if (set == "digits8x8") return {64, 10};
  if (set == "mnist") return {784, 10};
  if (set == "drones") return {256, 10};
  return {4, 3};  // iris
}

json resolved_rf_config(const RfExperiment& experiment) {
  // The network as run_rf_experiment builds it, for the data set's shape (the data are not read):
  // every key, and the memory check before any layer is allocated.
  const DataShape shape = known_data_shape(experiment.data.set);
  json network_resolved = json::object();
  try {
    ObjectReader network(experiment.network, "network", network_resolved);
    read_rf_network_config(network, shape.features, shape.classes, experiment.training.seed);
    network.finish();
  } catch (const ConfigError& e) {
    throw e.prefixed(experiment.source);
  }
  json resolved = experiment.resolved;
  resolved["network"] = network_resolved;  // as run_rf_experiment writes it
  return resolved;
}

void check_rf_experiment(const RfExperiment& experiment) { resolved_rf_config(experiment); }

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
  // A DataError, as every other problem with the data (load_experiment_data's contract), in the
  // config errors' words.
  if (given && !std::filesystem::exists(base))
    throw DataError(ConfigError(source + ": data.path", "an existing file or folder of the " + options.set + " data set",
                                describe(json(base)) + " (no such file or folder)")
                        .what());
  DatasetSplit split;
  try {
    if (options.set == "digits8x8") split = stratified_split(load_digits8x8_csv(base), options.test_fraction, options.split_seed);
    else if (options.set == "iris") split = stratified_split(load_iris_csv(base), options.test_fraction, options.split_seed);
    else if (options.set == "mnist") split = load_mnist(base);
    else split = load_drones_h5(base);
  } catch (const DataError& e) {
    // The loader names the data file; the config's key says where it came from.
    if (given) throw DataError(source + ": data.path: " + e.what());
    throw;
  }

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

namespace {

void write_text(const std::string& path, const std::string& text) { write_file_atomically(path, text); }

/// One row per epoch; without a validation split the validation cells are empty (there is no such
/// loss: 0 would read as a perfect one).
std::string history_csv(const std::vector<EpochRecord>& history, bool has_validation) {
  std::ostringstream s;
  s << "epoch,learning_rate,train_loss,train_accuracy,validation_loss,validation_accuracy,seconds,samples_per_second\n";
  s.precision(8);
  for (const auto& r : history) {
    s << r.epoch << ',' << r.learning_rate << ',' << r.train_loss << ',' << r.train_accuracy << ',';
    if (has_validation) s << r.validation_loss << ',' << r.validation_accuracy;
    else s << ',';
    s << ',' << r.seconds << ',' << r.samples_per_second << '\n';
  }
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
    write_text((out / "history.csv").string(), history_csv(s.history, data.validation.size() > 0));
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
  write_text((out / "history.csv").string(), history_csv(state.history, data.validation.size() > 0));
  json summary = {{"name", experiment.name},
                  {"model", experiment.model},
                  {"data_set", experiment.data.set},
                  {"train_samples", data.train.size()},
                  {"validation_samples", data.validation.size()},
                  {"test_samples", data.test.size()},
                  {"epochs_run", state.history.size()},
                  // The best epoch is chosen on the validation split: none without one.
                  {"best_epoch", state.best_epoch >= 0 ? json(state.best_epoch) : json(nullptr)},
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
