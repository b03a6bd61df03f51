// The flags every running command shares (`spinnet run`, `train`, `size-study`,
// `physics-in-the-loop`): they mean the same for every kind of config (issue 15).
#pragma once

#include <CLI/CLI.hpp>

#include <cstddef>
#include <string>

namespace spinnet::cli {

struct RunFlags {
  std::string config;   // the config file ("" with --resume DIR alone)
  std::string out;      // --out DIR ("": spinnet-out/<name>)
  std::string backend;  // --backend auto|cpu|cuda ("": the config's or the kind's default)
  std::string resume;   // --resume DIR: continue the run in DIR (the config, when given, must be its)
  int threads = 0;      // --threads N (0: all)
  bool quiet = false;   // --quiet: no progress lines
  bool plot = false;    // --plot: PNG figures into the run directory
  bool force = false;   // --force: run into a directory that holds another run
  // simulations only
  std::string shard;
  std::size_t batch_items = 0;
  // rf_network only
  bool tf32 = false;
};

/// Adds the shared flags (and the config positional) to `command`.
void add_run_flags(CLI::App& command, RunFlags& flags);

/// --threads: an integer in [0, 4096] (0: all), with a message that says so (CLI11's
/// NonNegativeNumber printed its 300-digit upper bound).
const CLI::Validator& thread_count();
/// A relative chip spread in [0, 0.5] (evaluate --spread, as variability.spreads).
const CLI::Validator& chip_spread();

}  // namespace spinnet::cli
