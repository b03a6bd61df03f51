// Network-size study (docs/rfnet.md, "Network-size study"): accuracy and training throughput of RF
// networks against hidden width and depth. Every (model, depth, width, seed) is an ordinary training
// run (run_rf_experiment) in its own folder, so a killed study resumes without redoing finished
// runs; the table of all of them is written after each run.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "spinnet/config/config.hpp"

namespace spinnet {

/// The grid of a study and what each run changes in the base training config.
struct SizeStudyOptions {
  std::vector<int> widths{16, 32, 64, 128, 256};  // chains per hidden layer
  std::vector<int> depths{1, 2, 3};               // hidden STNO layers
  int seeds = 3;                                  // training.seed = base seed + 0 .. seeds-1
  int epochs = 0;                                 // > 0: overrides training.epochs
  bool baseline = false;                          // also the software MLP of the same shape
  double baseline_learning_rate = 0;              // > 0: training.learning_rate of the MLP rows
};

/// The grid of the config's "size_study" object (the schema has checked its types; defaults as
/// SizeStudyOptions). ConfigError naming `source` and the path.
SizeStudyOptions read_size_study_options(const json& config, const std::string& source);

/// The "network" object of `network` with `depth` hidden layers of `width` chains, then the readout
/// layer. Each hidden layer is a copy of the config's first layer object and the readout layer of
/// its last, with "chains" replaced (the readout's removed: one chain per class); "junctions" stays
/// as the config gives it (default: the layer's input count). Throws ConfigError naming `source`
/// when the network has no "layers" array or depth/width < 1.
json size_study_network(const json& network, int depth, int width, const std::string& source);

/// The complete training config of one run: `base` with the network above, `model`
/// ("rf_network" or "software_mlp", whose hidden widths are then depth x width), training.seed =
/// base seed + seed_index, the epochs override, and no variability study (chips 0).
json size_study_run_config(const json& base, const std::string& model, int depth, int width, int seed_index,
                           const SizeStudyOptions& options, const std::string& source);

/// One training run of the grid (read back from its summary.json).
struct SizeStudyRun {
  std::string model;
  int depth = 0, width = 0, seed_index = 0;
  std::uint64_t seed = 0;
  std::size_t parameters = 0;
  double test_accuracy = 0;
  double train_samples_per_second = 0;       // best epoch
  double mean_train_samples_per_second = 0;  // mean over epochs
  double evaluation_samples_per_second = 0;
  double wall_seconds = 0;
  bool from_earlier = false;  // finished before a --resume
};

/// Folder of a run inside the study folder: runs/<model>_d<depth>_w<width>_s<seed index>.
std::string size_study_run_folder(const std::string& model, int depth, int width, int seed_index);

/// size_study.csv: one row per (model, depth, width) with every seed's accuracy (';'-separated),
/// mean and sample standard deviation, mean throughputs, summed wall time.
std::string size_study_table_csv(const std::vector<SizeStudyRun>& runs);
/// size_study_runs.csv: one row per run.
std::string size_study_runs_csv(const std::vector<SizeStudyRun>& runs);
/// The same aggregate as a fixed-width text table for the terminal.
std::string size_study_table_text(const std::vector<SizeStudyRun>& runs);

/// Runs (or resumes) a study in `out_dir`: writes size_study.json (base config, grid, seeds) first,
/// then every run not finished yet (finished = its summary.json exists; a run with only a
/// checkpoint continues from it), rewriting size_study.csv and size_study_runs.csv atomically
/// after each. `progress` gets one line per run. `base` is the config document, `source` its path.
std::vector<SizeStudyRun> run_size_study(const json& base, const std::string& source, const SizeStudyOptions& options,
                                         const std::string& out_dir, std::function<void(const std::string&)> progress);

/// A study's stored base config, source and options (size_study.json of `out_dir`), for --resume.
void read_size_study(const std::string& out_dir, json& base, std::string& source, SizeStudyOptions& options);

}  // namespace spinnet
