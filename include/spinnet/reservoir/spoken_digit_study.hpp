// The spoken-digit study of a reservoir config (task "spoken_digits"): for every preprocessing, the
// STNO reservoir and its baselines (preprocessing only, a linear reservoir of the same size, an
// echo-state network) on the same split, with the same readout; the validation (and test)
// accuracies, the gains of the STNO over each baseline, leave-one-speaker-out accuracies, the
// trained reservoirs, the sweeps of the STNO over N_v, theta and temperature, and the outputs
// (docs/reservoir.md lists the files).
#pragma once

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "spinnet/reservoir/reservoir.hpp"
#include "spinnet/reservoir/reservoir_config.hpp"

namespace spinnet {

/// One line of progress or result text (the CLI prints it on stderr unless --quiet).
using ReservoirLog = std::function<void(const std::string&)>;

struct MethodOutcome {
  std::string preprocessing, method;
  int state_size = 0;
  double train_accuracy = 0, validation_accuracy = 0;
  double test_accuracy = std::numeric_limits<double>::quiet_NaN();  // NaN: no test part
  double loso_accuracy = std::numeric_limits<double>::quiet_NaN();  // mean over speakers; NaN: not run
  std::vector<std::pair<std::string, double>> loso;                 // per held-out speaker
  double relative_lambda = 0, cv_accuracy = 0;
  std::vector<std::vector<int>> confusion;  // validation part, [true][predicted]
  std::vector<int> predicted;               // per recording of the set (main readout)
  ReservoirCost cost;
  double readout_seconds = 0;
};

struct SweepPoint {
  std::string parameter;  // "nodes", "theta_ns", "temperature_K"
  double value = 0;
  double validation_accuracy = 0;  // NaN when the point failed
  double device_steps_per_second = 0;
  double seconds = 0;
  std::string failure;  // why the simulation stopped (e.g. the core left the disk), else ""
};

struct SpokenDigitOutcome {
  std::vector<MethodOutcome> methods;
  std::vector<SweepPoint> sweeps;
  std::size_t recordings = 0, train = 0, validation = 0, test = 0;
  double read_seconds = 0, feature_seconds = 0, wall_seconds = 0;
  double stno_device_steps = 0, stno_engine_seconds = 0;  // every STNO transform of the main study
};

/// Runs the study and writes its outputs into out_dir (which must exist).
SpokenDigitOutcome run_spoken_digit_study(const ReservoirExperiment& experiment, const std::string& out_dir,
                                          const RunOptions& options, const ReservoirLog& log);

/// Writes result.json, accuracy.csv, loso.csv, confusion.csv, predictions.csv, sweeps.csv.
void write_spoken_digit_outputs(const ReservoirExperiment& experiment, const SpokenDigitOutcome& outcome,
                                const std::vector<std::string>& files, const std::vector<int>& labels,
                                const std::vector<std::string>& parts, const std::string& out_dir);

}  // namespace spinnet
