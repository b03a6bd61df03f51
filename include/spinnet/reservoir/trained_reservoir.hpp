// A trained reservoir as a file (mask, input scaling, operating point, preprocessing settings and
// their normalization, readout weights and the config they came from), and applying one to any
// folder of recordings (`spinnet evaluate FILE --data FOLDER`).
#pragma once

#include <Eigen/Core>

#include <limits>
#include <string>
#include <vector>

#include "spinnet/config/config.hpp"
#include "spinnet/reservoir/audio_features.hpp"
#include "spinnet/reservoir/reservoir_config.hpp"
#include "spinnet/reservoir/spoken_digit_study.hpp"
#include "spinnet/reservoir/state_readout.hpp"
#include "spinnet/reservoir/time_multiplexing.hpp"

namespace spinnet {

inline constexpr const char* trained_reservoir_format = "spinnet trained reservoir";

struct TrainedReservoir {
  std::string source;
  ReservoirExperiment experiment;  // the config it was trained with
  std::size_t preprocessing_index = 0;
  std::vector<std::string> class_names;
  FeatureNormalization normalization;
  Eigen::MatrixXd mask;
  double input_scale = 1;
  StateReadout readout;
  double validation_accuracy = std::numeric_limits<double>::quiet_NaN();

  const FeatureOptions& preprocessing() const { return experiment.preprocessing[preprocessing_index]; }
};

/// The file's JSON.
json trained_reservoir_json(const ReservoirExperiment& experiment, std::size_t preprocessing_index,
                            const std::vector<std::string>& class_names, const FeatureNormalization& normalization,
                            const TimeMultiplexedReservoir& reservoir, const StateReadout& readout,
                            double validation_accuracy);

/// Reads a file written by trained_reservoir_json; ConfigError naming the file and the key.
TrainedReservoir read_trained_reservoir(const std::string& path);
/// Whether a JSON document is a trained-reservoir file.
bool is_trained_reservoir(const json& document);

struct ApplyOutcome {
  std::vector<std::string> files;
  std::vector<int> truth;      // -1 where the file name carries no label
  std::vector<int> predicted;
  double accuracy = std::numeric_limits<double>::quiet_NaN();  // over the labelled files
  std::size_t labelled = 0;
  std::vector<std::vector<int>> confusion;
  ReservoirCost cost;
};

/// Classifies every recording of `folder` matching `pattern` (format: the trained one's sample
/// rate; `resample` as given). `folder` empty: the validation part of the training config's split.
ApplyOutcome apply_trained_reservoir(const TrainedReservoir& trained, const std::string& folder,
                                     const std::string& pattern, bool resample, const RunOptions& options,
                                     const ReservoirLog& log);

}  // namespace spinnet
