// validate_config: every problem of a config, schema violations first (all of them), then the
// first cross-key problem the reader finds.
#include "spinnet/config/config_schema.hpp"
#include "spinnet/config/run_config.hpp"

namespace spinnet {

namespace {

std::string prefixed(const std::string& source, const std::string& path) {
  return source.empty() ? path : source + ": " + path;
}

}  // namespace

std::vector<ConfigProblem> validate_config(const json& config, const std::string& source) {
  std::vector<ConfigProblem> problems;
  for (const SchemaProblem& p : schema_problems(config, config_schema())) {
    const ConfigError error(prefixed(source, p.path), p.expected, p.given);
    problems.push_back({error.path(), p.expected, p.given, error.what()});
  }
  if (!problems.empty()) return problems;
  // The simulation reader for simulation configs; the other kinds (and experiment configs) are read
  // by their layers (rfnet, reservoir, cli: src/cli/run_kinds.cpp check_config).
  if (config.is_object() && config.contains("experiment")) return problems;
  const std::string model = config.is_object() && config.contains("model") && config.at("model").is_string()
                                ? config.at("model").get<std::string>()
                                : "macrospin";
  if (model != "macrospin" && model != "auto_oscillator" && model != "vortex") return problems;
  try {
    read_run_config(config, source);
  } catch (const ConfigError& e) {
    problems.push_back({e.path(), e.expected(), e.given(), e.what()});
  }
  return problems;
}

}  // namespace spinnet
