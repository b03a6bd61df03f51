// `spinnet run CONFIG` for every kind of config, and `--resume DIR` for every kind of run
// (issue 15; issue 17 #3, #8, #9, #11). `spinnet train`, `size-study` and `physics-in-the-loop`
// are the same command restricted to their kind, with their extra options.
#pragma once

#include <optional>
#include <string>

#include "run_flags.hpp"
#include "run_kinds.hpp"
#include "spinnet/config/config.hpp"
#include "spinnet/rfnet/size_study.hpp"
#include "study/mpi_world.hpp"

namespace spinnet::cli {

/// What a run runs: the config document, where it came from, and where it writes.
struct RunTarget {
  RunKind kind = RunKind::simulation;
  json document;
  std::string config_file;
  std::string out;
  bool resume = false;
};

/// size-study flags given on the command line, over the config's size_study section.
struct SizeStudyOverrides {
  std::optional<std::vector<int>> widths, depths;
  std::optional<int> seeds, epochs;
  bool baseline = false;  // --baseline (adds the MLP; the config's true stays)
  std::optional<double> baseline_learning_rate;
  void apply(SizeStudyOptions& options) const;
};

/// Options of the specialised commands that a config cannot carry.
struct RunExtras {
  SizeStudyOverrides size_study;
  /// physics-in-the-loop without a config: the config its flags describe (named `document_name`
  /// in messages).
  std::optional<json> document;
  std::string document_name;
};

/// Runs `flags` (a config, or --resume DIR, or both); `only` restricts the kind (the specialised
/// commands; their name is `command`). Returns the exit code; user errors are one line and 2.
int run_any(const RunFlags& flags, const MpiWorld& world, std::optional<RunKind> only = std::nullopt,
            const std::string& command = "run", const RunExtras& extras = {});

// The runners, one per kind (simulation_command.cpp, rf_commands.cpp, physics_in_the_loop_command.cpp,
// reservoir_command.cpp).
/// `resumable` is set when the run failed in a way a resume can fix (a full disk): its outputs stay.
int run_simulation(const RunFlags& flags, const RunTarget& target, const MpiWorld& world, bool& resumable);
/// "i/n" with 0 <= i < n (--shard).
std::pair<std::size_t, std::size_t> parse_shard(const std::string& text);
int run_training(const RunFlags& flags, const RunTarget& target);
int run_size_study_target(const RunFlags& flags, const RunTarget& target, const RunExtras& extras);
int run_physics_in_the_loop_target(const RunFlags& flags, const RunTarget& target);
int run_reservoir_target(const RunFlags& flags, const RunTarget& target);  // reservoir_command.cpp

}  // namespace spinnet::cli
