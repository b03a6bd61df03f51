// Trained-reservoir files and applying them to recordings (trained_reservoir.hpp).
#include "spinnet/reservoir/trained_reservoir.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>

#include "spinnet/core/errors.hpp"
#include "spinnet/data/audio_file.hpp"
#include "spinnet/data/recordings.hpp"
#include "spinnet/reservoir/vortex_nodes.hpp"

namespace spinnet {
namespace {

json vector_json(const Eigen::RowVectorXd& v) {
  json out = json::array();
  for (Eigen::Index i = 0; i < v.size(); ++i) out.push_back(v(i));
  return out;
}

json matrix_json(const Eigen::MatrixXd& m) {
  json out = json::array();
  for (Eigen::Index i = 0; i < m.rows(); ++i) out.push_back(vector_json(m.row(i)));
  return out;
}

/// A JSON array of numbers, with errors naming the file and key.
Eigen::RowVectorXd read_vector(const json& value, const std::string& where, Eigen::Index size) {
  if (!value.is_array() || (size >= 0 && static_cast<Eigen::Index>(value.size()) != size))
    throw ConfigError(where, size >= 0 ? "an array of " + std::to_string(size) + " numbers" : "an array of numbers",
                      describe(value));
  Eigen::RowVectorXd v(static_cast<Eigen::Index>(value.size()));
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (!value[i].is_number()) throw ConfigError(where + "[" + std::to_string(i) + "]", "a number", describe(value[i]));
    v(static_cast<Eigen::Index>(i)) = value[i].get<double>();
  }
  return v;
}

Eigen::MatrixXd read_matrix(const json& value, const std::string& where, Eigen::Index rows, Eigen::Index cols) {
  if (!value.is_array() || static_cast<Eigen::Index>(value.size()) != rows)
    throw ConfigError(where, "an array of " + std::to_string(rows) + " rows", describe(value));
  Eigen::MatrixXd m(rows, cols);
  for (Eigen::Index i = 0; i < rows; ++i)
    m.row(i) = read_vector(value[static_cast<std::size_t>(i)], where + "[" + std::to_string(i) + "]", cols);
  return m;
}

const json& member(const json& object, const std::string& key, const std::string& where) {
  if (!object.is_object() || !object.contains(key)) throw ConfigError(where + "." + key, "a value", "nothing");
  return object.at(key);
}

}  // namespace

bool is_trained_reservoir(const json& document) {
  return document.is_object() && document.contains("format") && document.at("format").is_string() &&
         document.at("format").get<std::string>() == trained_reservoir_format;
}

json trained_reservoir_json(const ReservoirExperiment& experiment, std::size_t preprocessing_index,
                            const std::vector<std::string>& class_names, const FeatureNormalization& normalization,
                            const TimeMultiplexedReservoir& reservoir, const StateReadout& readout,
                            double validation_accuracy) {
  json out = json::object();
  out["format"] = trained_reservoir_format;
  out["version"] = SPINNET_VERSION;
  out["preprocessing_index"] = preprocessing_index;
  out["preprocessing"] = to_string(experiment.preprocessing[preprocessing_index].kind);
  out["class_names"] = class_names;
  out["validation_accuracy"] = validation_accuracy;
  out["normalization"] = {{"mean", vector_json(normalization.mean.transpose())},
                          {"scale", vector_json(normalization.scale.transpose())}};
  out["reservoir"] = reservoir.to_json();
  out["readout"] = {{"fit", readout.fit == ReadoutFit::utterance ? "utterance" : "frames"},
                    {"classes", readout.classes},
                    {"lambda", readout.ridge.lambda},
                    {"relative_lambda", readout.ridge.relative_lambda},
                    {"mean", vector_json(readout.ridge.mean)},
                    {"scale", vector_json(readout.ridge.scale)},
                    {"weights", matrix_json(readout.ridge.weights)},
                    {"intercept", vector_json(readout.ridge.intercept)}};
  out["config"] = experiment.resolved;
  return out;
}

TrainedReservoir read_trained_reservoir(const std::string& path) {
  const json document = load_json_file(path);
  if (!is_trained_reservoir(document))
    throw ConfigError(path, std::string("a trained-reservoir file (\"format\": \"") + trained_reservoir_format + "\")",
                      document.is_object() && document.contains("format") ? describe(document.at("format"))
                                                                           : "a file without one");
  TrainedReservoir t;
  t.source = path;
  t.experiment = read_reservoir_experiment(member(document, "config", path), path + ": config");
  const json& index = member(document, "preprocessing_index", path);
  if (!index.is_number_unsigned() || index.get<std::size_t>() >= t.experiment.preprocessing.size())
    throw ConfigError(path + ": preprocessing_index", "an index into config.preprocessing", describe(index));
  t.preprocessing_index = index.get<std::size_t>();
  for (const json& name : member(document, "class_names", path)) {
    if (!name.is_string()) throw ConfigError(path + ": class_names", "strings", describe(name));
    t.class_names.push_back(name.get<std::string>());
  }
  const FeatureExtractor extractor(t.preprocessing(), t.experiment.data.format.sample_rate);
  const auto channels = static_cast<Eigen::Index>(extractor.channels());
  const json& normalization = member(document, "normalization", path);
  t.normalization.mean = read_vector(member(normalization, "mean", path + ": normalization"), path + ": normalization.mean", channels).transpose();
  t.normalization.scale = read_vector(member(normalization, "scale", path + ": normalization"), path + ": normalization.scale", channels).transpose();
  const json& reservoir = member(document, "reservoir", path);
  const json& scale = member(reservoir, "input_scale", path + ": reservoir");
  if (!scale.is_number()) throw ConfigError(path + ": reservoir.input_scale", "a number", describe(scale));
  t.input_scale = scale.get<double>();
  t.mask = read_matrix(member(reservoir, "mask", path + ": reservoir"), path + ": reservoir.mask", t.experiment.nodes, channels);
  const json& readout = member(document, "readout", path);
  const json& fit = member(readout, "fit", path + ": readout");
  t.readout.fit = fit == "frames" ? ReadoutFit::frames : ReadoutFit::utterance;
  t.readout.classes = static_cast<int>(t.class_names.size());
  const auto states = static_cast<Eigen::Index>(t.experiment.nodes);
  t.readout.ridge.mean = read_vector(member(readout, "mean", path + ": readout"), path + ": readout.mean", states);
  t.readout.ridge.scale = read_vector(member(readout, "scale", path + ": readout"), path + ": readout.scale", states);
  t.readout.ridge.weights = read_matrix(member(readout, "weights", path + ": readout"), path + ": readout.weights", states,
                                        t.readout.classes);
  t.readout.ridge.intercept =
      read_vector(member(readout, "intercept", path + ": readout"), path + ": readout.intercept", t.readout.classes);
  if (document.contains("validation_accuracy") && document.at("validation_accuracy").is_number())
    t.validation_accuracy = document.at("validation_accuracy").get<double>();
  return t;
}

ApplyOutcome apply_trained_reservoir(const TrainedReservoir& t, const std::string& folder, const std::string& pattern,
                                     bool resample, const RunOptions& options, const ReservoirLog& log) {
  const ReservoirExperiment& e = t.experiment;
  RecordingSet set;
  std::vector<std::size_t> which;
  if (folder.empty()) {  // the validation part of the training split
    set = list_recordings(e.data.folder, e.data.pattern);
    which = split_recordings(set, e.data.split).validation;
  } else {
    set = list_recordings(folder, pattern.empty() ? e.data.pattern : pattern);
    for (std::size_t i = 0; i < set.recordings.size(); ++i) which.push_back(i);
  }
  if (set.labelled()) relabel(set, t.class_names);
  std::vector<std::string> paths;
  for (std::size_t i : which) paths.push_back(set.recordings[i].path);
  AudioFormat format = e.data.format;
  format.resample = format.resample || resample;
  const std::vector<AudioClip> clips = read_audio_files(paths, format);
  const FeatureExtractor extractor(t.preprocessing(), format.sample_rate);
  std::vector<FeatureFrames> features = extractor.compute_all(clips);
  for (auto& f : features) f = t.normalization.apply(f);
  TimeMultiplexedReservoir reservoir("stno", std::make_shared<VortexNodes>(e.vortex), t.mask);
  reservoir.set_input_scale(t.input_scale);
  if (log) log(t.source + ": " + std::to_string(which.size()) + " recordings of " + set.folder);
  const std::vector<StateFrames> states = reservoir.transform(features, 0, options, {});
  std::vector<std::size_t> all(states.size());
  for (std::size_t k = 0; k < all.size(); ++k) all[k] = k;
  ApplyOutcome out;
  out.predicted = t.readout.classify(states, all);
  out.cost = reservoir.cost();
  const std::size_t classes = t.class_names.size();
  out.confusion.assign(classes, std::vector<int>(classes, 0));
  double correct = 0;
  for (std::size_t k = 0; k < which.size(); ++k) {
    const Recording& r = set.recordings[which[k]];
    out.files.push_back(r.name);
    out.truth.push_back(r.label);
    if (r.label >= 0) {
      ++out.labelled;
      correct += r.label == out.predicted[k] ? 1.0 : 0.0;
      ++out.confusion[static_cast<std::size_t>(r.label)][static_cast<std::size_t>(out.predicted[k])];
    }
  }
  if (out.labelled > 0) out.accuracy = correct / static_cast<double>(out.labelled);
  return out;
}

}  // namespace spinnet
