// Run configs of any model: sweep expansion into one batch, auto-oscillator units, measurement
// sections, and the errors a user sees for bad sweeps.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "spinnet/core/constants.hpp"
#include "config_helpers.hpp"
#include "spinnet/config/run_config.hpp"

namespace {

using spinnet::ConfigError;
using spinnet::json;
using spinnet::read_run_config;

json oscillator_config() {
  return json::parse(R"({
    "model": "auto_oscillator",
    "devices": {"count": 2, "frequency_GHz": 5, "nonlinear_shift_GHz": -1, "damping_rate_per_ns": 0.2,
                "threshold_current_mA": 1, "current_mA": 1.5, "energy_aJ": 20, "temperature_K": 300,
                "rf_drive": [{"amplitude_per_ns": 0.1, "frequency_GHz": 4.5}]},
    "integration": {"dt_ps": 2, "duration_ns": 10}
  })");
}

std::string error_of(const json& config) { return spinnet::test::run_config_error(config); }

TEST(RunConfig, AutoOscillatorUnitsAreConvertedAtTheEdge) {
  const auto run = read_run_config(oscillator_config(), "test.json");
  ASSERT_EQ(run.model, spinnet::ModelKind::auto_oscillator);
  ASSERT_EQ(run.auto_oscillator.size(), 2u);
  const auto& p = run.auto_oscillator[1];
  EXPECT_DOUBLE_EQ(p.frequency, 5e9);
  EXPECT_DOUBLE_EQ(p.nonlinear_shift, -1e9);
  EXPECT_DOUBLE_EQ(p.damping_rate, 2e8);
  EXPECT_DOUBLE_EQ(p.threshold_current, 1e-3);
  EXPECT_DOUBLE_EQ(p.current, 1.5e-3);
  EXPECT_DOUBLE_EQ(p.energy, 20e-18);
  ASSERT_EQ(run.drive.vector_tones.size(), 1u);
  EXPECT_DOUBLE_EQ(run.drive.vector_tones[0].amplitude_x[1], 1e8);  // per ns -> per s
  EXPECT_DOUBLE_EQ(run.drive.vector_tones[0].frequency[1], 4.5e9);
  EXPECT_EQ(run.control.steps, 5000u);
  // Every default is in the resolved config, which reads back to itself.
  EXPECT_EQ(run.resolved.at("devices").at("nonlinear_damping_Q"), 0.0);
  EXPECT_EQ(read_run_config(run.resolved, "resolved.json").resolved, run.resolved);
}

TEST(RunConfig, SweepExpandsToOneBatchWithTheLastAxisFastest) {
  json config = oscillator_config();
  config["sweep"] = json::parse(R"({"axes": [
      {"path": "devices.current_mA", "values": [1.2, 2.0]},
      {"path": "devices.rf_drive[0].frequency_GHz", "linear": {"start": 4.0, "stop": 5.0, "count": 3}}]})");
  const auto run = read_run_config(config, "test.json");
  ASSERT_EQ(run.sweep.points, 6u);
  ASSERT_EQ(run.sweep.devices_per_point, 2u);
  ASSERT_EQ(run.auto_oscillator.size(), 12u);
  // Device d belongs to point d / 2; point p = (current index) * 3 + (frequency index).
  for (std::size_t d = 0; d < 12; ++d) {
    const std::size_t point = d / 2;
    EXPECT_DOUBLE_EQ(run.auto_oscillator[d].current, (point / 3 == 0 ? 1.2 : 2.0) * 1e-3) << d;
    EXPECT_DOUBLE_EQ(run.drive.vector_tones[0].frequency[d], (4.0 + 0.5 * static_cast<double>(point % 3)) * 1e9) << d;
    EXPECT_DOUBLE_EQ(run.sweep.value(point, 1), 4.0 + 0.5 * static_cast<double>(point % 3));
  }
}

TEST(RunConfig, LogarithmicAxisIsGeometric) {
  json config = oscillator_config();
  config["sweep"] = json::parse(R"({"axes": [{"path": "devices.temperature_K", "log": {"start": 1, "stop": 100, "count": 3}}]})");
  const auto run = read_run_config(config, "test.json");
  ASSERT_EQ(run.sweep.axes[0].values.size(), 3u);
  EXPECT_NEAR(run.sweep.axes[0].values[1], 10.0, 1e-12);
}

TEST(RunConfig, BadSweepsNameTheirPath) {
  json config = oscillator_config();
  config["sweep"] = json::parse(R"({"axes": [{"path": "integration.dt_ps", "values": [1, 2]}]})");
  EXPECT_NE(error_of(config).find("test.json: sweep.axes[0].path: expected a config path inside \"devices\""),
            std::string::npos)
      << error_of(config);
  config["sweep"] = json::parse(R"({"axes": [{"path": "devices.rf_drive[3].frequency_GHz", "values": [1]}]})");
  EXPECT_NE(error_of(config).find("sweep.axes[0].path: expected a per-device number of this model's devices section"),
            std::string::npos)
      << error_of(config);
  // Only per-device numbers can be swept (devices.count and schedule intervals are shared).
  config["sweep"] = json::parse(R"({"axes": [{"path": "devices.current_schedule.interval_ns", "values": [1]}]})");
  EXPECT_NE(error_of(config).find("sweep.axes[0].path: expected a per-device number"), std::string::npos)
      << error_of(config);
  config["sweep"] = json::parse(
      R"({"axes": [{"path": "devices.current_mA", "values": [1], "linear": {"start": 0, "stop": 1, "count": 2}}]})");
  EXPECT_NE(error_of(config).find("exactly one of"), std::string::npos) << error_of(config);
  // A value that is only wrong at one sweep point names the point.
  config["sweep"] = json::parse(R"({"axes": [{"path": "devices.temperature_K", "values": [300, -1]}]})");
  const std::string message = error_of(config);
  EXPECT_NE(message.find("test.json: devices.temperature_K: expected a number >= 0, got -1"), std::string::npos)
      << message;
  EXPECT_NE(message.find("at sweep point 1: devices.temperature_K = -1"), std::string::npos) << message;
  // A misspelt key inside the devices section of a sweep still gets its hint.
  config.erase("sweep");
  config["devices"]["curent_mA"] = 1.0;
  EXPECT_NE(error_of(config).find("did you mean \"current_mA\""), std::string::npos) << error_of(config);
}

TEST(RunConfig, HugeStudiesAreRefusedBeforeAnythingIsExpanded) {
  // Found by the config fuzzer: a 3e9-value axis used to be generated (24 GB) before any check.
  // 3e9 points fit the 32-bit device ids but not memory (2 x 3e9 x ~240-byte parameter sets, 1.4 TB).
  json config = oscillator_config();
  config["sweep"] = json::parse(R"({"axes": [{"path": "devices.current_mA", "linear": {"start": 1, "stop": 2, "count": 3e9}}]})");
  EXPECT_NE(error_of(config).find("sweep.axes[0].linear.count: expected a study that fits in this machine's memory"),
            std::string::npos)
      << error_of(config);
  config["sweep"] = json::parse(R"({"axes": [{"path": "devices.current_mA", "linear": {"start": 1, "stop": 2, "count": 5e9}}]})");
  EXPECT_NE(error_of(config).find("sweep.axes[0].linear.count: expected at most 4294967295 sweep points"),
            std::string::npos)
      << error_of(config);
  config["sweep"] = json::parse(R"({"axes": [{"path": "devices.current_mA", "linear": {"start": 1, "stop": 2, "count": 70000}},
                                             {"path": "devices.temperature_K", "linear": {"start": 1, "stop": 2, "count": 70000}}]})");
  EXPECT_NE(error_of(config).find("sweep.axes[1].linear.count: expected at most 4294967295 sweep points"),
            std::string::npos)
      << error_of(config);
  // 4e9 devices fit the 32-bit ids but not this machine's memory (2 x 4e9 x 200 bytes).
  config.erase("sweep");
  config["devices"]["count"] = 1;
  config["instances"] = 4000000000u;
  EXPECT_NE(error_of(config).find("instances: expected a study that fits in this machine's memory"), std::string::npos)
      << error_of(config);
}

TEST(RunConfig, MeasurementsAreValidated) {
  json config = oscillator_config();
  config["measure"] = json::parse(R"({"spectrum": {"sample_every_ps": 3}})");
  EXPECT_NE(error_of(config).find("measure.spectrum.sample_every_ps: expected a whole multiple"), std::string::npos)
      << error_of(config);
  config["measure"] = json::parse(R"({"spectrum": {"sample_every_ps": 10, "segment_samples": 4096}})");
  EXPECT_NE(error_of(config).find("segment_samples: expected at most the number of signal samples"), std::string::npos)
      << error_of(config);
  config["devices"].erase("rf_drive");
  config["measure"] = json::parse(R"({"locking": {}})");
  EXPECT_NE(error_of(config).find("measure.locking: expected a config with an RF drive tone"), std::string::npos)
      << error_of(config);
}

TEST(RunConfig, CurrentScheduleHeldPerDevice) {
  json config = oscillator_config();
  config["devices"]["current_schedule"] =
      json::parse(R"({"kind": "held", "interval_ns": 1, "samples_mA": {"values": [[0, 1, 2], [0, -1, -2]]}})");
  const auto run = read_run_config(config, "test.json");
  ASSERT_EQ(run.drive.schedule.kind, spinnet::ScheduleKind::held);
  ASSERT_EQ(run.drive.schedule.values.size(), 3u);  // [sample][device]
  EXPECT_DOUBLE_EQ(run.drive.schedule.values[2][1], -2e-3);
  EXPECT_DOUBLE_EQ(run.drive.schedule.interval, 1e-9);
  config["devices"]["current_schedule"]["samples_mA"] = json::parse(R"({"values": [[0, 1], [0]]})");
  EXPECT_NE(error_of(config).find("samples_mA.values[1]: expected as many samples as device 0"), std::string::npos)
      << error_of(config);
}

}  // namespace
