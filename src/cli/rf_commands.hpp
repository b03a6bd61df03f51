// `spinnet train`, `spinnet evaluate` and `spinnet size-study`: RF spintronic networks and the
// software MLP baseline.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>

#include "spinnet/rfnet/size_study.hpp"

namespace spinnet::cli {

struct RfCommandOptions {
  CLI::App* train = nullptr;
  CLI::App* evaluate = nullptr;
  CLI::App* size_study = nullptr;
  std::string config, out, resume, network, data;
  int chips = 0, threads = 0;
  std::vector<double> spreads{0.01};
  std::vector<std::string> parameters{"resonance"};
  double calibration = -1;
  bool quiet = false, plot = false;
  std::string backend;  // --backend auto|cpu|cuda ("" = train: training.backend; evaluate: cpu)
  bool tf32 = false;    // --tf32 (cuda: TF32 tensor-core products)
  SizeStudyOptions study;  // size-study grid
  std::string pattern;      // evaluate, trained reservoirs: file-name pattern of --data
  bool resample = false;    // evaluate, trained reservoirs: resample recordings at another rate
};

/// Adds the subcommands; keep the returned object alive until dispatch.
void add_rf_commands(CLI::App& app, RfCommandOptions& options);
/// Runs the selected RF subcommand and returns its exit code (2 on a user error, with one line on
/// stderr), or nothing when none of them was selected.
std::optional<int> dispatch_rf_commands(const RfCommandOptions& options);

}  // namespace spinnet::cli
