// The reservoir experiments on the command line: `spinnet run CONFIG` for a config with
// "experiment": "reservoir" (docs/reservoir.md), and `spinnet evaluate FILE` for a trained-reservoir
// file. Each returns the exit code (2 on a user error, reported on one line of stderr).
#pragma once

#include <string>

#include "spinnet/config/config.hpp"

namespace spinnet::cli {

struct ReservoirRunArguments {
  std::string config_file, out_dir, backend = "auto";
  int threads = 0;
  bool quiet = false, plot = false;
};

int run_reservoir_config(const json& document, const ReservoirRunArguments& arguments);

struct ReservoirEvaluateArguments {
  std::string file, data, pattern, out, backend = "cpu";
  bool resample = false, quiet = false;
  int threads = 0;
};

int run_reservoir_evaluate(const ReservoirEvaluateArguments& arguments);

}  // namespace spinnet::cli
