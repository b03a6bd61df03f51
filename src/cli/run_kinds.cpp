// Kinds of configs and their full check (run_kinds.hpp).
#include "run_kinds.hpp"

#include <algorithm>

#include "physics_in_the_loop_command.hpp"
#include "spinnet/config/config_schema.hpp"
#include "spinnet/config/run_config.hpp"
#include "spinnet/reservoir/reservoir_config.hpp"
#include "spinnet/rfnet/rf_experiment.hpp"
#include "spinnet/rfnet/size_study.hpp"
#include "spinnet/study/scheduler.hpp"

namespace spinnet::cli {

std::string to_string(RunKind kind) {
  switch (kind) {
    case RunKind::simulation: return "simulation";
    case RunKind::training: return "training";
    case RunKind::size_study: return "size_study";
    case RunKind::physics_in_the_loop: return "physics_in_the_loop";
    case RunKind::reservoir: return "reservoir";
  }
  return "simulation";
}

RunKind run_kind_named(const std::string& name, const std::string& where) {
  for (RunKind k : {RunKind::simulation, RunKind::training, RunKind::size_study, RunKind::physics_in_the_loop,
                     RunKind::reservoir})
    if (to_string(k) == name) return k;
  throw RunError(where + ": a run of kind \"" + name + "\", which this spinnet does not know");
}

const std::vector<std::string>& known_models() {
  static const std::vector<std::string> models = {"macrospin",  "auto_oscillator", "vortex",
                                                  "rf_network", "software_mlp",    "physics_in_the_loop"};
  return models;
}

const std::vector<std::string>& known_experiments() {
  static const std::vector<std::string> experiments = {"reservoir"};
  return experiments;
}

namespace {

/// "one of "a", "b"" for an error message.
std::string one_of(const std::vector<std::string>& names) {
  std::string list;
  for (std::size_t k = 0; k < names.size(); ++k) list += (k ? ", \"" : "one of \"") + names[k] + "\"";
  return list;
}

/// Whether a config without "model" is an rf_network training for this command.
bool trains_without_model(const json& document, std::optional<RunKind> command) {
  return document.is_object() && !document.contains("model") &&
         (command == RunKind::training || command == RunKind::size_study);
}

}  // namespace

RunKind run_kind_of(const json& document, const std::string& file, std::optional<RunKind> command) {
  if (!document.is_object()) throw ConfigError(file + ": (top level)", "a config object", describe(document));
  if (document.contains("experiment")) {
    const json& x = document.at("experiment");
    const auto& known = known_experiments();
    if (!x.is_string() || std::find(known.begin(), known.end(), x.get<std::string>()) == known.end())
      throw ConfigError(file + ": experiment", one_of(known), describe(x));
    return RunKind::reservoir;
  }
  std::string model = trains_without_model(document, command) ? "rf_network" : "macrospin";
  if (document.contains("model")) {
    const json& m = document.at("model");
    const auto& known = known_models();
    if (!m.is_string() || std::find(known.begin(), known.end(), m.get<std::string>()) == known.end())
      throw ConfigError(file + ": model", one_of(known) + " (or an \"experiment\": " + one_of(known_experiments()) + ")",
                        describe(m));
    model = m.get<std::string>();
  }
  if (model == "rf_network" || model == "software_mlp")
    return document.contains("size_study") ? RunKind::size_study : RunKind::training;
  if (model == "physics_in_the_loop") return RunKind::physics_in_the_loop;
  return RunKind::simulation;
}

std::vector<std::string> check_config(const json& document, const std::string& file, CheckedConfig& checked,
                                      std::optional<RunKind> command) {
  std::vector<std::string> problems;
  try {
    checked.kind = run_kind_of(document, file, command);
  } catch (const ConfigError& e) {
    return {e.what()};
  }
  // The schema picks its branch by "model" (none: a simulation); a training without one is checked
  // as the rf_network it is read as.
  json with_model;
  if (trains_without_model(document, command)) {
    with_model = document;
    with_model["model"] = "rf_network";
  }
  for (const SchemaProblem& p : schema_problems(with_model.is_null() ? document : with_model, config_schema()))
    problems.push_back(ConfigError(p.path, p.expected, p.given).prefixed(file).what());
  if (!problems.empty()) return problems;
  try {
    switch (checked.kind) {
      case RunKind::simulation: {
        const RunConfig config = read_run_config(document, file);
        check_study_memory(config);  // as `spinnet run` does before it starts (scheduler.hpp)
        checked.name = config.name;
        checked.summary = to_string(config.model) + ", " + std::to_string(config.device_count()) + " devices in " +
                          std::to_string(config.sweep.points) + " sweep points, " +
                          std::to_string(config.control.steps) + " steps";
        break;
      }
      case RunKind::training:
      case RunKind::size_study: {
        const RfExperiment experiment = read_rf_experiment(document, file);
        check_rf_experiment(experiment);
        checked.name = experiment.name;
        checked.summary = experiment.model + " on " + experiment.data.set + ", " +
                          std::to_string(experiment.training.epochs) + " epochs";
        if (checked.kind == RunKind::size_study) {
          const SizeStudyOptions study = read_size_study_options(document, file);
          checked.summary = "size study of " + checked.summary + ", " +
                            std::to_string(study.widths.size() * study.depths.size() * study.seeds) +
                            " RF runs" + (study.baseline ? " and as many software-MLP runs" : "");
        }
        break;
      }
      case RunKind::physics_in_the_loop: {
        const PhysicsInTheLoopCommand command = read_physics_in_the_loop_config(document, file);
        checked.name = command.name;
        checked.summary = "physics in the loop, " + (command.network.empty() ? std::string("reference network")
                                                                               : "network " + command.network);
        break;
      }
      case RunKind::reservoir: {
        const ReservoirExperiment experiment = read_reservoir_experiment(document, file);
        checked.name = experiment.name;
        checked.summary = "reservoir, task " + to_string(experiment.task);
        break;
      }
    }
  } catch (const ConfigError& e) {
    problems.push_back(e.what());
  } catch (const RunError& e) {
    problems.push_back(file + ": " + e.what());
  }
  return problems;
}

}  // namespace spinnet::cli
