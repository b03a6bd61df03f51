// `spinnet train`, `spinnet evaluate` and `spinnet size-study`: RF spintronic networks and the
// software MLP baseline. train and size-study are `spinnet run` for their kind of config
// (run_command.hpp) with their extra options.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

#include "run_command.hpp"
#include "run_flags.hpp"

namespace spinnet::cli {

struct RfCommandOptions {
  CLI::App* train = nullptr;
  CLI::App* evaluate = nullptr;
  CLI::App* size_study = nullptr;
  RunFlags train_flags, size_study_flags;
  // evaluate
  std::string network, data, out, backend;
  int chips = 0, threads = 0;
  std::vector<double> spreads{0.01};
  std::vector<std::string> parameters{"resonance"};
  double calibration = -1;
  bool quiet = false, plot = false, tf32 = false;
  std::string pattern;    // trained reservoirs: file-name pattern of --data
  bool resample = false;  // trained reservoirs: resample recordings at another rate
  // size-study grid flags
  std::vector<int> widths, depths;
  int seeds = 0, epochs = 0;
  bool baseline = false;
  double baseline_learning_rate = 0;
};

/// Adds the subcommands; keep the returned object alive until dispatch.
void add_rf_commands(CLI::App& app, RfCommandOptions& options);
/// Runs the selected RF subcommand and returns its exit code, or nothing when none of them was
/// selected. Errors are thrown (main turns them into one line and exit code 2).
std::optional<int> dispatch_rf_commands(const RfCommandOptions& options, const MpiWorld& world);

}  // namespace spinnet::cli
