// One `spinnet run` for every kind of config and run directory (run_command.hpp).
#include "run_command.hpp"

#include <omp.h>

#include <filesystem>
#include <iostream>

#include "plots.hpp"
#include "run_directory.hpp"
#include "spinnet/core/errors.hpp"
#include "spinnet/study/output.hpp"

namespace spinnet::cli {

namespace fs = std::filesystem;

namespace {

constexpr int exit_user_error = 2;

/// The kind and config of the run in `directory` (for --resume DIR): its spinnet-run.json, or the
/// checkpoint files of a run directory of an older spinnet.
void read_run_directory(const std::string& directory, RunTarget& target) {
  if (!fs::is_directory(directory))
    throw RunError("cannot resume " + directory + ": " +
                   (fs::exists(directory) ? "not a directory" : "no such directory") + " (--resume takes a run directory)");
  if (const auto marker = read_run_marker(directory)) {
    target.kind = run_kind_named(marker->kind, (fs::path(directory) / "spinnet-run.json").string());
    target.document = marker->config;
    target.config_file = marker->config_file;
    return;
  }
  const fs::path dir(directory);
  if (fs::exists(dir / "checkpoint" / "plan.json")) {
    target.kind = RunKind::simulation;
    target.document = load_json_file((dir / "checkpoint" / "config.json").string());
  } else if (fs::exists(dir / "size_study.json")) {
    target.kind = RunKind::size_study;
    const json study = load_json_file((dir / "size_study.json").string());
    target.document = study.value("config", json::object());
    target.config_file = study.value("config_file", "");
  } else if (fs::exists(dir / "checkpoint.json")) {
    target.kind = RunKind::training;
    target.document = load_json_file((dir / "checkpoint.json").string()).value("config", json::object());
  } else {
    throw RunError("cannot resume " + directory + ": it holds no spinnet run (no spinnet-run.json, " +
                   (dir / "checkpoint" / "plan.json").string() + ", checkpoint.json or size_study.json): " +
                   "not a spinnet run directory, or the run never started");
  }
  target.config_file = target.config_file.empty() ? (dir / "config.json").string() : target.config_file;
}

std::string kind_words(RunKind kind) {
  switch (kind) {
    case RunKind::simulation: return "a simulation config (model macrospin, auto_oscillator or vortex)";
    case RunKind::training: return "a training config (model rf_network or software_mlp)";
    case RunKind::size_study: return "a size-study config (a training config with size_study)";
    case RunKind::physics_in_the_loop: return "a physics_in_the_loop config";
    case RunKind::reservoir: return "a reservoir config (experiment reservoir)";
  }
  return "";
}

}  // namespace

void SizeStudyOverrides::apply(SizeStudyOptions& options) const {
  if (widths) options.widths = *widths;
  if (depths) options.depths = *depths;
  if (seeds) options.seeds = *seeds;
  if (epochs) options.epochs = *epochs;
  options.baseline = options.baseline || baseline;
  if (baseline_learning_rate) options.baseline_learning_rate = *baseline_learning_rate;
}

int run_any(const RunFlags& flags, const MpiWorld& world, std::optional<RunKind> only, const std::string& command,
            const RunExtras& extras) {
  RunTarget target;
  const std::string spinnet_command = "spinnet " + command;
  if (!flags.resume.empty()) {
    if (!flags.out.empty() && fs::path(flags.out).lexically_normal() != fs::path(flags.resume).lexically_normal())
      throw RunError(spinnet_command + ": --resume DIR continues the run in DIR; give --out only to start a new run");
    read_run_directory(flags.resume, target);
    target.out = flags.resume;
    target.resume = true;
    if (!flags.config.empty() && load_json_file(flags.config) != target.document)
      throw RunError("cannot resume " + flags.resume + " with " + flags.config +
                     ": the directory holds a run of another config (give its own config, or none)");
  } else if (flags.config.empty() && extras.document) {
    target.document = *extras.document;
    target.config_file = extras.document_name;
    target.kind = run_kind_of(target.document, target.config_file, only);
  } else {
    if (flags.config.empty()) throw RunError(spinnet_command + ": give a config file, or --resume DIR");
    target.document = load_json_file(flags.config);
    target.config_file = flags.config;
    target.kind = run_kind_of(target.document, flags.config, only);
  }
  // size-study takes a training config and its grid from the flags.
  if (only == RunKind::size_study && target.kind == RunKind::training) target.kind = RunKind::size_study;
  if (only && *only != target.kind)
    throw ConfigError((target.resume ? flags.resume : flags.config) + ": model",
                      kind_words(*only) + " for " + spinnet_command + " (spinnet run takes every kind)",
                      kind_words(target.kind));
  if (world.size > 1 && target.kind != RunKind::simulation)
    throw RunError("only simulations run under mpirun (one shard per rank); run a " + to_string(target.kind) +
                   " config as one process");

  if (!target.resume) {
    // Every check the run would make before it starts, before anything is written.
    CheckedConfig checked;
    json document = target.document;
    if (target.kind == RunKind::size_study && !document.contains("size_study")) document["size_study"] = json::object();
    const std::vector<std::string> problems = check_config(document, target.config_file, checked, only);
    if (!problems.empty()) {
      std::cerr << "spinnet: " << problems.front() << "\n";
      return exit_user_error;
    }
    std::string suffix = target.kind == RunKind::size_study ? "_size_study" : "";
    if (target.kind == RunKind::simulation && !flags.shard.empty()) {
      const auto [shard, shards] = parse_shard(flags.shard);
      if (shards > 1) suffix = "-shard-" + std::to_string(shard) + "-of-" + std::to_string(shards);
    }
    target.out = flags.out.empty() ? default_output_directory(checked.name, suffix) : flags.out;
    if (world.rank == 0)
      check_output_directory(target.out, target.document, target.config_file,
                             flags.out.empty() ? "output directory" : "--out", flags.force);
  }
  if (flags.threads > 0) omp_set_num_threads(flags.threads);

  // The directory and its marker exist from the start (a killed run resumes from them); a run that
  // fails before it has anything to resume removes the directory it created.
  OutputDirectoryGuard guard(target.out);
  if (world.rank == 0 && !target.resume) {
    prepare_output_directory(target.out);
    write_run_marker(target.out, {to_string(target.kind), target.config_file, target.document});
  }
  int code = exit_user_error;
  bool resumable = false;
  switch (target.kind) {
    case RunKind::simulation: code = run_simulation(flags, target, world, resumable); break;
    case RunKind::training: code = run_training(flags, target); break;
    case RunKind::size_study: code = run_size_study_target(flags, target, extras); break;
    case RunKind::physics_in_the_loop: code = run_physics_in_the_loop_target(flags, target); break;
    case RunKind::reservoir: code = run_reservoir_target(flags, target); break;
  }
  // Kept: a finished run (its --plot may have failed: the results stay), an interrupted one, and
  // one that failed writing (it resumes once there is space: its message says so).
  if (code == 0 || code >= 128 || resumable) guard.keep();
  // A simulation shard (or a non-root rank) has no results to draw yet.
  if (code != 0 || !flags.plot || world.rank != 0) return code;
  if (target.kind == RunKind::simulation && !fs::exists(fs::path(target.out) / "result.json")) return code;
  switch (target.kind) {
    case RunKind::simulation: return run_plot_script("plot.py", "SPINNET_PLOT_SCRIPT", target.out);
    case RunKind::training: return run_plot_script("plot_training.py", "SPINNET_PLOT_TRAINING_SCRIPT", target.out);
    case RunKind::size_study:
      return run_plot_script("plot_size_study.py", "SPINNET_PLOT_SIZE_STUDY_SCRIPT", target.out);
    case RunKind::physics_in_the_loop:
      return run_plot_script("plot_physics_in_the_loop.py", "SPINNET_PLOT_PHYSICS_IN_THE_LOOP_SCRIPT", target.out);
    case RunKind::reservoir: return run_plot_script("plot_reservoir.py", "SPINNET_PLOT_RESERVOIR_SCRIPT", target.out);
  }
  return code;
}

}  // namespace spinnet::cli
