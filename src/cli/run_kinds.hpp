// The kinds of config `spinnet run` runs, told apart by the config's "model" (issue 15): one
// command for every config, and one place that knows them all.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "spinnet/config/config.hpp"

namespace spinnet::cli {

enum class RunKind { simulation, training, size_study, physics_in_the_loop, reservoir };

/// "simulation", "training", "size_study", "physics_in_the_loop", "reservoir" (the kind in
/// spinnet-run.json).
std::string to_string(RunKind kind);
/// The kind named so; RunError for a name no spinnet knows.
RunKind run_kind_named(const std::string& name, const std::string& where);

/// Every "model" a config may name, in the order the error message lists them.
const std::vector<std::string>& known_models();
/// Every "experiment" a config may name (a config with "experiment" is an experiment of that kind,
/// docs/reservoir.md).
const std::vector<std::string>& known_experiments();

/// The kind of a config document: a simulation for macrospin, auto_oscillator and vortex, a
/// training for rf_network and software_mlp (a size study when it has "size_study"),
/// physics_in_the_loop; a reservoir for "experiment": "reservoir". An unknown model or experiment is one ConfigError "FILE: model: expected one of ...".
/// Without "model" the kind is the command's: `spinnet train` and `size-study` (`command` training
/// or size_study) read an rf_network training, as they always have (docs/rfnet.md: `model` defaults
/// to rf_network there); any other command a macrospin simulation (docs/config.md).
RunKind run_kind_of(const json& document, const std::string& file, std::optional<RunKind> command = std::nullopt);

/// What a checked config says about itself ("macrospin, 4 devices in 1 sweep points, 1000 steps").
struct CheckedConfig {
  RunKind kind = RunKind::simulation;
  std::string name;     // the run's name (its default output folder)
  std::string summary;  // for `spinnet validate`
};

/// Every problem of a config, one line each ("FILE: path: expected ..., got ..."): the schema's
/// (all of them), then the first the kind's reader finds, including what the run would refuse
/// before it starts (memory), so that validate and run agree. Empty when the config is valid; then
/// `checked` describes it.
/// `command` as for run_kind_of.
std::vector<std::string> check_config(const json& document, const std::string& file, CheckedConfig& checked,
                                      std::optional<RunKind> command = std::nullopt);

}  // namespace spinnet::cli
