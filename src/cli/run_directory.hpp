// Run directories as the command line sees them: the default spinnet-out/<name>, the marker that
// says which run a directory holds (spinnet-run.json: its kind and config), the refusal to run
// into a directory that holds another run's results, and the cleanup of a run that failed to start.
#pragma once

#include <optional>
#include <string>

#include "spinnet/config/config.hpp"

namespace spinnet::cli {

/// What spinnet-run.json of a run directory says.
struct RunMarker {
  std::string kind;         // run_kinds.hpp: simulation, training, size_study, physics_in_the_loop
  std::string config_file;  // as given on the command line
  json config;              // the config document as given
};

/// The marker of `directory`; nothing when it has none. Directories of older spinnet versions
/// have none: their kind is recognised by their checkpoint files (checkpoint/plan.json,
/// checkpoint.json, size_study.json). RunError for a damaged marker.
std::optional<RunMarker> read_run_marker(const std::string& directory);
/// Writes `directory`/spinnet-run.json (atomically).
void write_run_marker(const std::string& directory, const RunMarker& marker);

/// spinnet-out/<name><suffix>, checked to resolve inside spinnet-out/ (names are checked when read,
/// config.hpp checked_run_name; this is the second line of defence).
std::string default_output_directory(const std::string& name, const std::string& suffix = "");

/// Refuses (RunError, naming `flag` and the directory) to run into an existing directory that is not
/// empty, unless it holds a run of the same config document (read from `config_file`) or `force`
/// is set.
void check_output_directory(const std::string& directory, const json& document, const std::string& config_file,
                            const std::string& flag, bool force);

/// Removes what a failed start left behind: the directory itself when this process created it
/// (and the run never finished), else only the named sub-paths (a stale checkpoint/).
class OutputDirectoryGuard {
 public:
  explicit OutputDirectoryGuard(std::string directory);
  ~OutputDirectoryGuard();
  OutputDirectoryGuard(const OutputDirectoryGuard&) = delete;
  OutputDirectoryGuard& operator=(const OutputDirectoryGuard&) = delete;
  /// The run's outputs stay from now on (it finished, or it can be resumed).
  void keep() { keep_ = true; }

 private:
  std::string directory_;
  bool existed_ = false, keep_ = false;
};

}  // namespace spinnet::cli
