// An RF-network experiment, as a config file describes it: data + network + training +
// variability study, and the run that writes its outputs (docs/rfnet.md).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "spinnet/config/config.hpp"
#include "spinnet/data/dataset.hpp"
#include "spinnet/rfnet/chip_variability.hpp"
#include "spinnet/rfnet/rf_training.hpp"

namespace spinnet {

struct DataOptions {
  std::string set;        // digits8x8 | mnist | drones | iris
  std::string path;       // file or folder; "" = the shared data folder
  double test_fraction = 0.2;       // sets without a fixed split
  std::uint64_t split_seed = 0;
  double validation_fraction = 0;   // of the training part, stratified
  std::string scaling = "global_max";  // none | min_max | global_max | standardize
  std::size_t train_limit = 0;      // use only the first N training samples (0 = all)
};

struct RfExperiment {
  std::string name, source;
  std::string model = "rf_network";  // or software_mlp
  DataOptions data;
  json network;  // the "network" object, read when the network is built
  std::vector<int> mlp_hidden;  // software_mlp: hidden widths (default: the RF network's)
  TrainingOptions training;
  RfBackendOptions backend;  // training.backend, training.tf32 (rf_network only)
  VariabilityOptions variability;
  json resolved;
};

/// Errors name `source` and the JSON path ("file.json: training.epochs: expected ...").
RfExperiment read_rf_experiment(const json& config, const std::string& source);

/// Largest relative chip spread a variability study takes (variability.spreads, evaluate --spread):
/// at 50 % a resonance or damping is already as likely halved as kept.
inline constexpr double max_chip_spread = 0.5;

/// Features and classes of a named data set, as its loader returns them.
struct DataShape {
  int features = 0, classes = 0;
};
DataShape known_data_shape(const std::string& set);

/// Reads the experiment's network for its data set's shape without loading the data: every
/// network key and the memory the network needs (ConfigError naming the source and the layer).
/// `spinnet validate` and `spinnet run` both call it before anything is written.
void check_rf_experiment(const RfExperiment& experiment);
/// The same reading, returning the resolved config a run of the experiment writes (resolved.json,
/// checkpoint.json's "config"): experiment.resolved with the network resolved for the data set's
/// shape. It tells whether a directory of an older spinnet holds a run of this config.
json resolved_rf_config(const RfExperiment& experiment);

/// The data of an experiment: train (less validation), validation and test parts, features scaled
/// by the map fitted on the training part (returned in `scaling`).
struct ExperimentData {
  Dataset train, validation, test;
  FeatureScaling scaling;
};
/// Problems with the data are DataErrors: a data.path that does not exist reads
/// "SOURCE: data.path: expected an existing file or folder of the SET data set, got ...".
/// With `fixed_scaling`, that map (a trained network's) is applied instead of fitting one; a feature
/// count that does not match it is a DataError naming the data file and both counts.
ExperimentData load_experiment_data(const DataOptions& options, const std::string& source,
                                    const FeatureScaling* fixed_scaling = nullptr);

struct TrainingRunResult {
  EvaluationResult test;
  std::vector<EpochRecord> history;
  int best_epoch = -1;
  double train_samples_per_second = 0;       // best epoch
  double evaluation_samples_per_second = 0;  // test set, nominal chip
};

/// Runs a whole experiment into `out_dir` (resolved.json, history.csv, confusion.csv, network.json,
/// checkpoint.json, resonances.csv, summary.json, variability.csv); `resume_dir` continues from its
/// checkpoint. `progress` prints a line per epoch when set.
TrainingRunResult run_rf_experiment(const RfExperiment& experiment, const std::string& out_dir,
                                    const std::string& resume_dir, std::function<void(const std::string&)> progress);

}  // namespace spinnet
