// The config schema (src/config/spinnet.schema.json) is the single source of key names, types, units,
// defaults and bounds: the validator understands every keyword it uses, every example config
// satisfies it, the reader's defaults are the schema's, docs/config.md documents every key, and
// `spinnet validate` reports every problem, one line each.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <set>
#include <string>

#include "cli_helpers.hpp"
#include "spinnet/config/config_schema.hpp"
#include "spinnet/config/run_config.hpp"

namespace spinnet {
namespace {

namespace fs = std::filesystem;

/// Calls `visit(schema node, key path)` for every schema object in the file.
void walk(const json& node, const std::string& at, const std::function<void(const json&, const std::string&)>& visit) {
  if (node.is_object()) {
    visit(node, at);
    for (const auto& [key, child] : node.items()) {
      if (key == "properties" || key == "$defs") {
        for (const auto& [name, schema] : child.items()) walk(schema, at + "/" + key + "/" + name, visit);
      } else if (key != "default" && key != "const" && key != "enum" && key != "examples") {
        walk(child, at + "/" + key, visit);
      }
    }
  } else if (node.is_array()) {
    for (std::size_t k = 0; k < node.size(); ++k) walk(node[k], at + "/" + std::to_string(k), visit);
  }
}

TEST(ConfigSchema, UsesOnlyKeywordsTheValidatorUnderstands) {
  const auto& supported = supported_schema_keywords();
  std::size_t nodes = 0;
  walk(config_schema(), "#", [&](const json& node, const std::string& at) {
    ++nodes;
    for (const auto& [key, unused] : node.items())
      EXPECT_TRUE(supported.count(key)) << at << ": keyword \"" << key << "\" is not interpreted";
  });
  EXPECT_GT(nodes, 100u);
}

TEST(ConfigSchema, EveryExampleConfigIsValid) {
  for (const auto& file : test::example_configs()) {
    const json config = load_json_file(file.string());
    const auto problems = validate_config(config, file.filename().string());
    for (const auto& p : problems) ADD_FAILURE() << p.message;
    // And what the reader resolves (every default filled in) satisfies the schema too.
    EXPECT_TRUE(schema_problems(read_run_config(config, file.string()).resolved, config_schema()).empty()) << file;
  }
}

/// Every JSON block of README.md and docs/*.md that is a whole config (an object with "devices",
/// "network" or a "model").
std::vector<std::pair<std::string, json>> documented_configs() {
  std::vector<std::pair<std::string, json>> out;
  std::vector<fs::path> files{test::source_dir() / "README.md"};
  for (const auto& entry : fs::directory_iterator(test::source_dir() / "docs"))
    if (entry.path().extension() == ".md") files.push_back(entry.path());
  for (const auto& file : files) {
    const std::string text = test::read_text(file);
    for (std::size_t at = text.find("```json"); at != std::string::npos; at = text.find("```json", at + 1)) {
      const std::size_t begin = text.find('\n', at) + 1, end = text.find("```", begin);
      try {
        const json block = json::parse(text.substr(begin, end - begin));
        if (block.is_object() && (block.contains("devices") || block.contains("network") || block.contains("model")))
          out.emplace_back(file.filename().string() + " at " + std::to_string(at), block);
      } catch (const json::exception&) {  // a fragment, not a config
      }
    }
  }
  return out;
}

TEST(ConfigSchema, EveryShippedAndDocumentedConfigOfEveryKindIsValid) {
  // Training, size-study and physics-in-the-loop configs too (issue 17 #1: the schema had no branch
  // for them, so validate and editors rejected every rfnet_*.json).
  std::size_t checked = 0;
  test::TempDir scratch;  // the CLI's captured output, not in the source tree
  for (const auto& entry : fs::directory_iterator(test::source_dir() / "configs")) {
    if (entry.path().extension() != ".json") continue;
    const auto problems = validate_config(load_json_file(entry.path().string()), entry.path().filename().string());
    for (const auto& p : problems) ADD_FAILURE() << p.message;
    const auto run = test::run_cli({"validate", entry.path().string()}, scratch.path());
    EXPECT_EQ(run.exit_code, 0) << run.err;
    ++checked;
  }
  for (const auto& [where, config] : documented_configs()) {
    for (const auto& p : validate_config(config, where)) ADD_FAILURE() << p.message;
    ++checked;
  }
  EXPECT_GE(checked, 16u);
}

TEST(ConfigSchema, AKeyOfAnotherKindOfConfigIsNamed) {
  const json config = json::parse(R"({"devices": {}, "integration": {"dt_ps": 1, "duration_ns": 1},
                                      "training": {"epochs": 3}})");
  const auto problems = validate_config(config, "mixed.json");
  ASSERT_FALSE(problems.empty());
  EXPECT_NE(problems.front().message.find("mixed.json: training: expected no \"training\" key in a simulation config"),
            std::string::npos)
      << problems.front().message;
}

TEST(ConfigSchema, TheReaderUsesTheSchemaDefaults) {
  // A minimal config of each model, with one tone, a schedule-free device section and a spectrum:
  // every key with a "default" in the schema must come back with that value in resolved.
  std::size_t compared = 0;
  for (const std::string model : {"macrospin", "auto_oscillator", "vortex"}) {
    json config = json::parse(R"({"devices": {}, "integration": {"dt_ps": 1, "duration_ns": 10},
                                  "measure": {"spectrum": {"segment_samples": 64}}})");
    config["model"] = model;
    const std::string tones = model == "macrospin" ? "rf_field" : model == "auto_oscillator" ? "rf_drive" : "rf_current";
    config["devices"][tones] = json::array({json::object()});
    const json resolved = read_run_config(config, model + ".json").resolved;
    const json& schema = config_schema();
    auto compare = [&](const json& properties, const json& values, const std::string& at) {
      for (const auto& [key, property] : properties.items()) {
        if (!property.contains("default") || !values.contains(key)) continue;
        if (key == "model" || key == tones || key == "segment_samples") continue;  // given above
        ++compared;
        EXPECT_EQ(values.at(key), property.at("default")) << model << ": " << at << key;
      }
    };
    compare(schema.at("properties"), resolved, "");
    const json& devices = schema.at("$defs").at(model + "_devices").at("properties");
    compare(devices, resolved.at("devices"), "devices.");
    compare(devices.at(tones).at("items").at("properties"), resolved.at("devices").at(tones).at(0), tones + "[0].");
    compare(devices.at("current_schedule").at("properties"), resolved.at("devices").at("current_schedule"),
            "current_schedule.");
    for (const std::string section : {"integration", "observables", "coupling"})
      compare(schema.at("properties").at(section).at("properties"), resolved.at(section), section + ".");
    compare(schema.at("properties").at("observables").at("properties").at("trace").at("properties"),
            resolved.at("observables").at("trace"), "observables.trace.");
    compare(schema.at("properties").at("measure").at("properties").at("spectrum").at("properties"),
            resolved.at("measure").at("spectrum"), "measure.spectrum.");
  }
  EXPECT_GT(compared, 80u);
}

TEST(ConfigSchema, EveryKeyIsDocumented) {
  // Simulation keys in docs/config.md, training keys in docs/rfnet.md, physics-in-the-loop keys in
  // docs/spin_diode.md, reservoir keys in docs/reservoir.md.
  const std::string docs = test::read_text(test::source_dir() / "docs" / "config.md") +
                           test::read_text(test::source_dir() / "docs" / "rfnet.md") +
                           test::read_text(test::source_dir() / "docs" / "spin_diode.md") +
                           test::read_text(test::source_dir() / "docs" / "reservoir.md");
  std::set<std::string> keys;
  walk(config_schema(), "#", [&](const json& node, const std::string&) {
    if (node.contains("properties"))
      for (const auto& [key, unused] : node.at("properties").items()) keys.insert(key);
  });
  EXPECT_GT(keys.size(), 80u);
  for (const auto& key : keys) {
    // Documented as `key`, or as the last part of a dotted name such as `rf_field[k].phase_rad`.
    const bool found = docs.find("`" + key + "`") != std::string::npos || docs.find("." + key + "`") != std::string::npos;
    EXPECT_TRUE(found) << "docs/config.md does not document \"" << key << "\"";
  }
}

TEST(ConfigSchema, ValidateReportsEveryProblemWithItsPath) {
  const json config = json::parse(R"({
    "model": "macrospin", "sed": 3, "instances": 0,
    "devices": {"alpah": 0.01, "Ms_kA_per_m": -5, "field_mT": [0, 0], "temperature_K": "hot",
                "anisotropy_field_mT": {"normal": {"mean": 10, "std": -1}},
                "rf_field": [{"frequency_GHz": 1, "phase": 0}]},
    "integration": {"dt_ps": 1}
  })");
  const auto problems = validate_config(config, "c.json");
  std::vector<std::string> lines;
  for (const auto& p : problems) lines.push_back(p.message);
  const std::vector<std::string> expected = {
      "c.json: sed: expected a known key (did you mean \"seed\"?), got unknown key \"sed\"",
      "c.json: instances: expected an integer >= 1, got 0",
      "c.json: devices.alpah: expected a known key (did you mean \"alpha\"?), got unknown key \"alpah\"",
      "c.json: devices.Ms_kA_per_m: expected a number > 0, got -5",
      "c.json: devices.field_mT: expected an array of 3 items, got an array of 2 ([0,0])",
      "c.json: devices.temperature_K: expected a number, {\"values\": [...]} with one number per device, or a "
      "distribution such as {\"normal\": {\"mean\": ..., \"std\": ...}}, got string \"hot\"",
      "c.json: devices.anisotropy_field_mT.normal.std: expected a number >= 0, got -1",
      "c.json: devices.rf_field[0].phase: expected a known key (did you mean \"phase_rad\"?), got unknown key \"phase\"",
      "c.json: integration.duration_ns: expected a number > 0, got nothing (the key is required)",
  };
  for (const auto& line : expected)
    EXPECT_NE(std::find(lines.begin(), lines.end(), line), lines.end()) << "missing: " << line;
  EXPECT_EQ(lines.size(), expected.size());
  for (const auto& line : lines) EXPECT_NE(std::find(expected.begin(), expected.end(), line), expected.end()) << line;
  // read_run_config (and so `spinnet run`) stops at the first of them.
  try {
    read_run_config(config, "c.json");
    ADD_FAILURE() << "accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), lines.at(0));
  }
}

TEST(ConfigSchema, CommandLineValidatePrintsEveryProblem) {
  test::TempDir scratch;
  const fs::path file = scratch / "bad.json";
  test::write_text(file, R"({"devices": {"alpah": 1, "count": 0}, "integration": {"dt_ps": -1, "duration_ns": 1}})");
  const auto result = test::run_cli({"validate", file.string()}, scratch.path());
  EXPECT_EQ(result.exit_code, 2);
  const auto lines = result.error_lines();
  ASSERT_EQ(lines.size(), 3u) << result.err;
  for (const std::string expected : {"bad.json: devices.count: expected an integer >= 1, got 0",
                                     "bad.json: devices.alpah: expected a known key (did you mean \"alpha\"?)",
                                     "bad.json: integration.dt_ps: expected a number > 0, got -1"})
    EXPECT_EQ(std::count_if(lines.begin(), lines.end(),
                            [&](const std::string& line) { return line.find(expected) != std::string::npos; }),
              1)
        << expected << "\n" << result.err;
  // `run` stops at the first.
  const auto run = test::run_cli({"run", file.string(), "--out", (scratch / "out").string()}, scratch.path());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.error_lines().size(), 1u) << run.err;
}

}  // namespace
}  // namespace spinnet
