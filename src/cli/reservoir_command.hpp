// The reservoir experiments on the command line: `spinnet run CONFIG` for a config with
// "experiment": "reservoir" (docs/reservoir.md) is run_reservoir_target (run_command.hpp), and
// `spinnet evaluate FILE` for a trained-reservoir file is run_reservoir_evaluate, which returns the
// exit code (2 on a user error, reported on one line of stderr).
#pragma once

#include <string>

#include "spinnet/config/config.hpp"

namespace spinnet::cli {


struct ReservoirEvaluateArguments {
  std::string file, data, pattern, out, backend = "cpu";
  bool resample = false, quiet = false;
  int threads = 0;
};

int run_reservoir_evaluate(const ReservoirEvaluateArguments& arguments);

}  // namespace spinnet::cli
