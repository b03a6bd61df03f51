// The JSON config reader (src/config/config.cpp): the resolved config records every default, per-device
// columns are validated with their JSON path, and units are converted once at the edge to SI.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <string>
#include <vector>

#include "spinnet/config/config.hpp"
#include "spinnet/core/constants.hpp"

namespace spinnet {
namespace {

const json minimal = json::parse(R"({"devices": {}, "integration": {"dt_ps": 1, "duration_ns": 1}})");

/// The ConfigError read_macrospin_config throws for `config` (fails the test when none is thrown).
ConfigError rejection(const json& config) {
  try {
    read_macrospin_config(config, "config.json");
  } catch (const ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << "config was accepted: " << config.dump();
  return ConfigError("", "", "");
}

TEST(ConfigReader, ResolvedConfigRecordsEveryDefault) {
  const MacrospinRunConfig config = read_macrospin_config(minimal, "minimal.json");
  const json& r = config.resolved;
  EXPECT_EQ(r.at("name"), "run");
  EXPECT_EQ(r.at("model"), "macrospin");
  EXPECT_EQ(r.at("seed"), 1);
  EXPECT_EQ(r.at("precision"), "float32");

  const json& d = r.at("devices");
  EXPECT_EQ(d.at("count"), 1);
  EXPECT_EQ(d.at("alpha"), 0.01);
  EXPECT_EQ(d.at("gamma_rad_per_s_T"), constants::gyromagnetic_ratio);
  EXPECT_EQ(d.at("Ms_kA_per_m"), 1000.0);
  EXPECT_EQ(d.at("length_nm"), 100.0);
  EXPECT_EQ(d.at("width_nm"), 100.0);
  EXPECT_EQ(d.at("thickness_nm"), 2.0);
  EXPECT_EQ(d.at("anisotropy_field_mT"), 0.0);
  EXPECT_EQ(d.at("anisotropy_axis"), json::array({0.0, 0.0, 1.0}));
  EXPECT_EQ(d.at("demagnetizing_factors"), json::array({0.0, 0.0, 1.0}));
  EXPECT_EQ(d.at("field_mT"), json::array({0.0, 0.0, 0.0}));
  EXPECT_EQ(d.at("polarizer"), json::array({0.0, 0.0, 1.0}));
  EXPECT_EQ(d.at("spin_polarization"), 0.5);
  EXPECT_EQ(d.at("slonczewski_lambda"), 0.0);
  EXPECT_EQ(d.at("field_like_ratio"), 0.0);
  EXPECT_EQ(d.at("current_mA"), 0.0);
  EXPECT_EQ(d.at("temperature_K"), 0.0);
  EXPECT_EQ(d.at("resistance_parallel_Ohm"), 1000.0);
  EXPECT_EQ(d.at("resistance_antiparallel_Ohm"), 2000.0);
  EXPECT_EQ(d.at("m0"), json::array({0.0, 0.0, 1.0}));
  EXPECT_EQ(d.at("rf_field"), json::array());
  EXPECT_EQ(d.at("rf_current"), json::array());

  const json& i = r.at("integration");
  EXPECT_EQ(i.at("dt_ps"), 1.0);
  EXPECT_EQ(i.at("duration_ns"), 1.0);
  EXPECT_EQ(i.at("transient_ns"), 0.0);
  EXPECT_EQ(i.at("norm_drift_limit"), 1e-3);

  const json& o = r.at("observables");
  EXPECT_EQ(o.at("frequency_axis"), json::array({0.0, 0.0, 1.0}));
  EXPECT_EQ(o.at("trace").at("every_ps"), 0.0);
  EXPECT_EQ(o.at("trace").at("devices"), json::array({0}));

  // The defaults also reach the problem.
  const MacrospinProblem& p = config.problem;
  EXPECT_EQ(p.seed, 1u);
  EXPECT_EQ(p.precision, Precision::float32);
  EXPECT_EQ(p.transient_steps, 0u);
  EXPECT_EQ(p.trace_every, 0u);
  ASSERT_EQ(p.devices.size(), 1u);
  EXPECT_EQ(p.devices[0].alpha, 0.01);
  EXPECT_EQ(p.devices[0].temperature, 0.0);
}

TEST(ConfigReader, ResolvedConfigReadsBackToItself) {
  // The resolved config is itself a complete config: reading it again gives the same resolution.
  json config = minimal;
  config["devices"]["count"] = 3;
  config["devices"]["alpha"] = {{"values", {0.01, 0.02, 0.03}}};
  config["devices"]["rf_field"] = json::parse(R"([{"amplitude_mT": [1, 0, 0], "frequency_GHz": 5}])");
  const MacrospinRunConfig first = read_macrospin_config(config, "a.json");
  const MacrospinRunConfig second = read_macrospin_config(first.resolved, "resolved.json");
  EXPECT_EQ(first.resolved, second.resolved);
  ASSERT_EQ(second.problem.devices.size(), 3u);
  EXPECT_EQ(second.problem.devices[2].alpha, 0.03);
}

TEST(ConfigReader, PerDeviceColumns) {
  json config = minimal;
  config["devices"]["count"] = 3;
  config["devices"]["alpha"] = {{"values", {0.01, 0.02, 0.03}}};
  config["devices"]["m0"] = {{"values", {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}}};
  const MacrospinRunConfig run = read_macrospin_config(config, "columns.json");
  ASSERT_EQ(run.problem.devices.size(), 3u);
  EXPECT_EQ(run.problem.devices[0].alpha, 0.01);
  EXPECT_EQ(run.problem.devices[1].alpha, 0.02);
  EXPECT_EQ(run.problem.devices[2].alpha, 0.03);
  EXPECT_EQ(run.problem.devices[1].m0y, 1.0);
  EXPECT_EQ(run.resolved.at("devices").at("alpha").at("values"), json::array({0.01, 0.02, 0.03}));
}

TEST(ConfigReader, PerDeviceColumnOfWrongLengthIsRejectedWithItsPath) {
  json config = minimal;
  config["devices"]["count"] = 3;
  config["devices"]["alpha"] = {{"values", {0.01, 0.02}}};
  ConfigError e = rejection(config);
  EXPECT_EQ(e.path(), "config.json: devices.alpha.values");
  EXPECT_NE(e.expected().find("3 numbers"), std::string::npos) << e.what();
  EXPECT_NE(e.given().find("array of 2"), std::string::npos) << e.what();

  config["devices"]["alpha"] = 0.01;
  config["devices"]["field_mT"] = {{"values", {{0, 0, 1}, {0, 0, 1}, {0, 0, 1}, {0, 0, 1}}}};
  e = rejection(config);
  EXPECT_EQ(e.path(), "config.json: devices.field_mT.values");
  EXPECT_NE(e.expected().find("3 vectors"), std::string::npos) << e.what();

  // Not an array at all, a bad element, a missing "values", an extra key next to it.
  config = minimal;
  config["devices"]["count"] = 2;
  config["devices"]["Ms_kA_per_m"] = {{"values", 800}};
  EXPECT_EQ(rejection(config).path(), "config.json: devices.Ms_kA_per_m.values");
  config["devices"]["Ms_kA_per_m"] = {{"values", {800, "x"}}};
  EXPECT_EQ(rejection(config).path(), "config.json: devices.Ms_kA_per_m.values[1]");
  config["devices"]["Ms_kA_per_m"] = {{"values", {800, -1}}};
  EXPECT_EQ(rejection(config).path(), "config.json: devices.Ms_kA_per_m.values[1]");
  config["devices"]["Ms_kA_per_m"] = json::object();
  EXPECT_EQ(rejection(config).path(), "config.json: devices.Ms_kA_per_m.values");
  config["devices"]["Ms_kA_per_m"] = {{"values", {800, 900}}, {"valeus", 1}};
  e = rejection(config);
  EXPECT_EQ(e.path(), "config.json: devices.Ms_kA_per_m.valeus");
  EXPECT_NE(e.expected().find("did you mean \"values\""), std::string::npos) << e.what();
}

TEST(ConfigReader, ErrorsNameFilePathExpectedAndGiven) {
  json config = minimal;
  config["devices"]["alpha"] = -0.5;
  const ConfigError e = rejection(config);
  EXPECT_EQ(e.path(), "config.json: devices.alpha");
  EXPECT_EQ(e.expected(), "a number > 0");
  EXPECT_EQ(e.given(), "-0.5");
  EXPECT_STREQ(e.what(), "config.json: devices.alpha: expected a number > 0, got -0.5");

  config = minimal;
  config["integration"]["dt_sp"] = 1;
  EXPECT_EQ(rejection(config).path(), "config.json: integration.dt_sp");
}

TEST(ConfigReader, UnitsAreConvertedToSI) {
  const json config = json::parse(R"({
    "seed": 18446744073709551615,
    "precision": "float64",
    "devices": {
      "count": 1,
      "Ms_kA_per_m": 800,
      "length_nm": 120, "width_nm": 60, "thickness_nm": 1.5,
      "anisotropy_field_mT": 50,
      "field_mT": [10, -20, 100],
      "current_mA": -1.5,
      "gamma_rad_per_s_T": 1.7e11,
      "rf_field": [{"amplitude_mT": [2, 0, 0], "frequency_GHz": 4.5, "phase_rad": 0.25}],
      "rf_current": [{"amplitude_mA": 0.3, "frequency_GHz": 7}]
    },
    "integration": {"dt_ps": 0.5, "duration_ns": 3, "transient_ns": 1},
    "observables": {"trace": {"every_ps": 2.5}}
  })");
  const MacrospinRunConfig run = read_macrospin_config(config, "units.json");
  const MacrospinProblem& problem = run.problem;
  const MacrospinParameters<double>& p = problem.devices.at(0);
  const double A_per_m_per_mT = 1e-3 / constants::mu0;  // mu0 H = 1 mT
  EXPECT_DOUBLE_EQ(p.Hx, 10 * A_per_m_per_mT);
  EXPECT_DOUBLE_EQ(p.Hy, -20 * A_per_m_per_mT);
  EXPECT_DOUBLE_EQ(p.Hz, 100 * A_per_m_per_mT);
  EXPECT_NEAR(p.Hz, 79577.4715, 1e-4);  // 0.1 T / mu0
  EXPECT_DOUBLE_EQ(p.Hk, 50 * A_per_m_per_mT);
  EXPECT_DOUBLE_EQ(p.Ms, 8e5);
  EXPECT_DOUBLE_EQ(p.current, -1.5e-3);
  EXPECT_DOUBLE_EQ(p.gamma, 1.7e11);
  // Elliptical pillar: V = pi/4 L W t.
  EXPECT_DOUBLE_EQ(p.volume, constants::pi / 4 * 120e-9 * 60e-9 * 1.5e-9);
  EXPECT_DOUBLE_EQ(problem.dt, 0.5e-12);
  EXPECT_EQ(problem.steps, 6000u);
  EXPECT_EQ(problem.transient_steps, 2000u);
  EXPECT_EQ(problem.trace_every, 5u);
  EXPECT_EQ(problem.seed, 18446744073709551615ULL);
  EXPECT_EQ(problem.precision, Precision::float64);
  ASSERT_EQ(problem.field_tones.size(), 1u);
  EXPECT_DOUBLE_EQ(problem.field_tones[0].amplitude_x.at(0), 2 * A_per_m_per_mT);
  EXPECT_DOUBLE_EQ(problem.field_tones[0].frequency.at(0), 4.5e9);
  EXPECT_DOUBLE_EQ(problem.field_tones[0].phase.at(0), 0.25);
  ASSERT_EQ(problem.current_tones.size(), 1u);
  EXPECT_DOUBLE_EQ(problem.current_tones[0].amplitude.at(0), 0.3e-3);
  EXPECT_DOUBLE_EQ(problem.current_tones[0].frequency.at(0), 7e9);

  // The resolved config keeps the user's units.
  EXPECT_EQ(run.resolved.at("devices").at("field_mT"), json::array({10.0, -20.0, 100.0}));
  EXPECT_EQ(run.resolved.at("integration").at("dt_ps"), 0.5);
}

TEST(ConfigReader, ExplicitVolumeExcludesDimensions) {
  json config = minimal;
  config["devices"]["volume_nm3"] = 5000;
  EXPECT_DOUBLE_EQ(read_macrospin_config(config, "v.json").problem.devices[0].volume, 5000e-27);
  config["devices"]["length_nm"] = 50;
  EXPECT_EQ(rejection(config).path(), "config.json: devices.length_nm");
}

TEST(ConfigReader, RequiredSectionsAndKeys) {
  EXPECT_EQ(rejection(json::parse(R"({"integration": {"dt_ps": 1, "duration_ns": 1}})")).path(),
            "config.json: devices");
  EXPECT_EQ(rejection(json::parse(R"({"devices": {}, "integration": {"duration_ns": 1}})")).path(),
            "config.json: integration.dt_ps");
  EXPECT_EQ(rejection(json::parse(R"([1, 2])")).path(), "config.json: (top level)");
}

TEST(ConfigReader, ADuplicateKeyIsAnErrorWithItsPath) {
  // JSON leaves duplicates undefined and nlohmann keeps the last: a typo'd second "alpha" would win
  // silently (issue 17 #10).
  const std::string text = R"({"devices": {"count": 2, "rf_field": [{"amplitude_mT": 1}, {"amplitude_mT": 2,
                               "amplitude_mT": 3}], "alpha": 0.01}})";
  try {
    parse_json_text(text, "dup.json");
    ADD_FAILURE() << "a duplicate key was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("dup.json: devices.rf_field[1].amplitude_mT: expected each key once"),
              std::string::npos)
        << e.what();
  }
  EXPECT_NO_THROW(parse_json_text(R"({"a": {"x": 1}, "b": {"x": 2}, "c": [{"x": 1}, {"x": 2}]})", "fine.json"));
}

// The duplicate-key check keeps parsing linear in the text: an array of 400 000 small objects (an
// edge list, about 10 MB) parses as json::parse does, in well under a second. nlohmann's parser
// callback rescanned the whole array after each object, which took minutes on this input; the 5 s
// bound leaves an order of magnitude for a loaded machine.
TEST(ConfigReader, AnArrayOfManyObjectsParsesInLinearTime) {
  const std::size_t count = 400000;
  std::string text = R"({"edges": [)";
  for (std::size_t k = 0; k < count; ++k) text += (k ? "," : "") + std::string(R"({"from": 1, "to": 2})");
  text += "]}";
  const auto start = std::chrono::steady_clock::now();
  const json parsed = parse_json_text(text, "edges.json");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 5.0) << "parsing " << text.size() << " bytes";
  EXPECT_EQ(parsed, json::parse(text));
}

}  // namespace
}  // namespace spinnet
