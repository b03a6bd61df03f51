// The command line's contract for bad input (src/cli/main.cpp): every user error, whether in the
// config, the command line, the machine's limits or the numerics, ends in exactly one line on
// stderr that names what is wrong (the JSON path, the file, the device and time) and exit code 2,
// without writing results. `spinnet validate` accepts every shipped config.
#include <gtest/gtest.h>

#include <unistd.h>

#include <functional>
#include <regex>
#include <string>
#include <vector>

#include "cli_helpers.hpp"
#include "spinnet/config/config.hpp"
#include "spinnet/engine/engine.hpp"

namespace spinnet {
namespace {

using test::CliResult;
using test::TempDir;
namespace fs = std::filesystem;

using test::exit_user_error;

/// A small valid config that each case breaks in one place.
json good_config() {
  return json::parse(R"({
    "name": "bad_input",
    "devices": {"count": 4, "alpha": 0.01, "field_mT": [0, 0, 100], "m0": [1, 0, 0.1]},
    "integration": {"dt_ps": 1, "duration_ns": 1},
    "observables": {"trace": {"every_ps": 10}}
  })");
}

/// Checks the one-line error contract and returns the line.
std::string expect_one_line_user_error(const CliResult& run) {
  EXPECT_EQ(run.exit_code, exit_user_error) << "stderr: " << run.err;
  const auto lines = run.error_lines();
  EXPECT_EQ(lines.size(), 1u) << "stderr must be exactly one line, got:\n" << run.err;
  EXPECT_TRUE(run.err.empty() || run.err.back() == '\n') << run.err;
  EXPECT_TRUE(run.out.empty()) << "stdout: " << run.out;
  if (lines.empty()) return "";
  EXPECT_EQ(lines[0].rfind("spinnet: ", 0), 0u) << lines[0];
  return lines[0];
}

void expect_contains(const std::string& line, const std::vector<std::string>& fragments) {
  for (const auto& f : fragments) EXPECT_NE(line.find(f), std::string::npos) << "\"" << f << "\" missing from: " << line;
}

/// Runs `spinnet run` on `config` and expects a one-line user error containing `fragments`, no
/// result files; then `spinnet validate` must report the same line.
void expect_config_rejected(const json& config, const std::vector<std::string>& fragments) {
  TempDir dir;
  const fs::path file = dir / "bad.json", out = dir / "out";
  test::write_text(file, config.dump(2));
  const CliResult run = test::run_cli({"run", file.string(), "--out", out.string(), "--quiet"}, dir.path());
  const std::string line = expect_one_line_user_error(run);
  expect_contains(line, fragments);
  expect_contains(line, {file.string() + ": "});  // errors name the file, then the JSON path
  EXPECT_FALSE(fs::exists(out / "result.json")) << "a rejected config must not produce results";

  const CliResult validate = test::run_cli({"validate", file.string()}, dir.path());
  EXPECT_EQ(expect_one_line_user_error(validate), line);
}

json with(const std::function<void(json&)>& edit) {
  json config = good_config();
  edit(config);
  return config;
}

TEST(CliBadInput, GoodConfigRuns) {
  // The baseline the other cases break: it must itself be accepted.
  TempDir dir;
  test::write_text(dir / "good.json", good_config().dump());
  const CliResult run = test::run_cli({"run", (dir / "good.json").string(), "--out", (dir / "out").string(), "--quiet"},
                                      dir.path());
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(run.err.empty()) << run.err;
  EXPECT_TRUE(fs::exists(dir / "out" / "result.json"));
}

TEST(CliBadInput, UnknownKeySuggestsTheClosestOne) {
  expect_config_rejected(with([](json& c) { c["devices"]["alpah"] = 0.02; }),
                         {"devices.alpah", "did you mean", "\"alpha\""});
  expect_config_rejected(with([](json& c) { c["observable"] = c["observables"]; c.erase("observables"); }),
                         {"observable", "did you mean", "\"observables\""});
  expect_config_rejected(with([](json& c) { c["integration"]["transient_ms"] = 0.1; }),
                         {"integration.transient_ms", "did you mean", "\"transient_ns\""});
}

TEST(CliBadInput, WrongType) {
  expect_config_rejected(with([](json& c) { c["devices"]["alpha"] = "0.01"; }), {"devices.alpha", "string"});
  expect_config_rejected(with([](json& c) { c["devices"]["field_mT"] = 100; }), {"devices.field_mT", "[x, y, z]"});
  expect_config_rejected(with([](json& c) { c["integration"]["dt_ps"] = json::array({1}); }),
                         {"integration.dt_ps", "array"});
  expect_config_rejected(with([](json& c) { c["devices"]["count"] = 2.5; }), {"devices.count", "integer"});
  expect_config_rejected(with([](json& c) { c["devices"] = 4; }), {"devices", "object"});
}

TEST(CliBadInput, MissingRequiredField) {
  expect_config_rejected(with([](json& c) { c["integration"].erase("dt_ps"); }), {"integration.dt_ps", "required"});
  expect_config_rejected(with([](json& c) { c["integration"].erase("duration_ns"); }),
                         {"integration.duration_ns", "required"});
  expect_config_rejected(with([](json& c) { c.erase("integration"); }), {"integration", "required"});
}

TEST(CliBadInput, NonPositiveDamping) {
  expect_config_rejected(with([](json& c) { c["devices"]["alpha"] = 0; }), {"devices.alpha", "> 0", "got 0"});
  expect_config_rejected(with([](json& c) { c["devices"]["alpha"] = -0.01; }), {"devices.alpha", "> 0", "-0.01"});
}

TEST(CliBadInput, NonPositiveSaturationMagnetization) {
  expect_config_rejected(with([](json& c) { c["devices"]["Ms_kA_per_m"] = 0; }), {"devices.Ms_kA_per_m", "> 0"});
  expect_config_rejected(with([](json& c) { c["devices"]["Ms_kA_per_m"] = -800; }),
                         {"devices.Ms_kA_per_m", "> 0", "-800"});
}

TEST(CliBadInput, NonPositiveTimeStep) {
  expect_config_rejected(with([](json& c) { c["integration"]["dt_ps"] = 0; }), {"integration.dt_ps", "> 0"});
  expect_config_rejected(with([](json& c) { c["integration"]["dt_ps"] = -1; }), {"integration.dt_ps", "> 0", "-1"});
}

TEST(CliBadInput, NegativeTemperature) {
  expect_config_rejected(with([](json& c) { c["devices"]["temperature_K"] = -1; }),
                         {"devices.temperature_K", ">= 0", "-1"});
  // Also inside a per-device column: the path names the element.
  expect_config_rejected(with([](json& c) { c["devices"]["temperature_K"] = {{"values", {300, 300, -5, 300}}}; }),
                         {"devices.temperature_K.values[2]", ">= 0", "-5"});
}

TEST(CliBadInput, TraceIntervalNotAMultipleOfTheTimeStep) {
  expect_config_rejected(with([](json& c) { c["observables"]["trace"]["every_ps"] = 2.5; }),
                         {"observables.trace.every_ps", "multiple", "dt_ps", "2.5"});
}

TEST(CliBadInput, TransientNotShorterThanDuration) {
  expect_config_rejected(with([](json& c) { c["integration"]["transient_ns"] = 1; }),
                         {"integration.transient_ns", "duration_ns"});
  expect_config_rejected(with([](json& c) { c["integration"]["transient_ns"] = 5; }),
                         {"integration.transient_ns", "duration_ns", "5"});
}

TEST(CliBadInput, PerDeviceColumnOfWrongLength) {
  expect_config_rejected(with([](json& c) { c["devices"]["alpha"] = {{"values", {0.01, 0.02}}}; }),
                         {"devices.alpha.values", "4 numbers", "array of 2"});
}

TEST(CliBadInput, TracedDeviceOutOfRange) {
  expect_config_rejected(with([](json& c) { c["observables"]["trace"]["devices"] = {0, 4}; }),
                         {"observables.trace.devices[1]", "[0, 3]"});
}

TEST(CliBadInput, InvalidJson) {
  TempDir dir;
  const fs::path file = dir / "broken.json";
  test::write_text(file, "{\n  \"devices\": {\"count\": 1,,\n}\n");
  const CliResult run = test::run_cli({"run", file.string(), "--out", (dir / "out").string(), "--quiet"}, dir.path());
  expect_contains(expect_one_line_user_error(run), {file.string(), "invalid JSON", "line 2"});
  EXPECT_FALSE(fs::exists(dir / "out"));
}

TEST(CliBadInput, MissingFile) {
  TempDir dir;
  const fs::path file = dir / "does-not-exist.json";
  const CliResult run = test::run_cli({"run", file.string(), "--quiet"}, dir.path());
  expect_contains(expect_one_line_user_error(run), {file.string(), "cannot open", "No such file"});
  const CliResult validate = test::run_cli({"validate", file.string()}, dir.path());
  expect_contains(expect_one_line_user_error(validate), {file.string(), "cannot open"});
}

TEST(CliBadInput, ConfigPathIsADirectory) {
  TempDir dir;
  const CliResult run = test::run_cli({"run", dir.path().string(), "--quiet"}, dir.path());
  expect_contains(expect_one_line_user_error(run), {dir.path().string(), "directory"});
}

TEST(CliBadInput, UnreadableFile) {
  if (::geteuid() == 0) GTEST_SKIP() << "running as root: file permissions do not stop reads";
  TempDir dir;
  const fs::path file = dir / "secret.json";
  test::write_text(file, good_config().dump());
  fs::permissions(file, fs::perms::none);
  const CliResult run = test::run_cli({"run", file.string(), "--quiet"}, dir.path());
  expect_contains(expect_one_line_user_error(run), {file.string(), "cannot open", "Permission denied"});
}

TEST(CliBadInput, RunTooLargeForMemoryIsRefusedBeforeItStarts) {
  expect_config_rejected(with([](json& c) { c["devices"]["count"] = 2000000000; }),
                         {"devices.count", "memory", "2000000000"});
}

TEST(CliBadInput, TraceTooLargeForMemoryIsRefusedBeforeItStarts) {
  // A small batch whose trace cannot fit: 10^9 samples of 8 devices (~300 GB). validate and run
  // agree (issue 17 #4): both refuse it, with the same line, before allocating anything.
  TempDir dir;
  json config = good_config();
  config["integration"]["duration_ns"] = 1e6;
  config["observables"]["trace"]["every_ps"] = 1;
  test::write_text(dir / "huge_trace.json", config.dump());
  const std::string validate = expect_one_line_user_error(test::run_cli({"validate", (dir / "huge_trace.json").string()}, dir.path()));
  const CliResult run = test::run_cli(
      {"run", (dir / "huge_trace.json").string(), "--out", (dir / "out").string(), "--quiet"}, dir.path());
  const std::string line = expect_one_line_user_error(run);
  expect_contains(line, {"huge_trace.json: ", "memory", "MiB"});
  // The same line, but for the machine's available memory, which changes between the two calls.
  const auto without_available = [](const std::string& text) {
    return std::regex_replace(text, std::regex("has [0-9]+ MiB available"), "has N MiB available");
  };
  EXPECT_EQ(without_available(line), without_available(validate));
  EXPECT_FALSE(fs::exists(dir / "out")) << "a refused run must leave no output folder";
}

TEST(CliBadInput, NumericalBlowUpNamesDeviceAndTime) {
  // Device 2 sits in a 10 T field: gamma0 H dt = 1.8 rad per 1 ps step, far beyond what Heun
  // can integrate; the others (10 mT) are fine. The error must name device 2 and a time.
  TempDir dir;
  json config = good_config();
  config["devices"]["field_mT"] = {{"values", {{0, 0, 10}, {0, 0, 10}, {10000, 0, 0}, {0, 0, 10}}}};
  test::write_text(dir / "blowup.json", config.dump());
  const fs::path out = dir / "out";
  const CliResult run =
      test::run_cli({"run", (dir / "blowup.json").string(), "--out", out.string(), "--quiet"}, dir.path());
  const std::string line = expect_one_line_user_error(run);
  expect_contains(line, {"blow-up", "device 2", "t = ", " ns", "dt_ps"});
  EXPECT_EQ(line.find("device 0"), std::string::npos) << line;
  EXPECT_FALSE(fs::exists(out / "result.json"));
}

TEST(CliBadInput, UnwritableOutputDirectory) {
  TempDir dir;
  test::write_text(dir / "good.json", good_config().dump());
  test::write_text(dir / "a-file", "not a directory\n");
  const fs::path out = dir / "a-file" / "out";  // unwritable even for root
  const CliResult run = test::run_cli({"run", (dir / "good.json").string(), "--out", out.string(), "--quiet"},
                                      dir.path());
  expect_contains(expect_one_line_user_error(run), {"output directory", out.string()});
}

TEST(CliBadInput, BadCommandLine) {
  TempDir dir;
  test::write_text(dir / "good.json", good_config().dump());
  const std::string config = (dir / "good.json").string();
  expect_contains(expect_one_line_user_error(test::run_cli({"run", config, "--backend", "gpu"}, dir.path())),
                  {"--backend"});
  expect_contains(expect_one_line_user_error(test::run_cli({"run", config, "--threads", "-3"}, dir.path())),
                  {"--threads"});
  expect_one_line_user_error(test::run_cli({"run"}, dir.path()));
  expect_one_line_user_error(test::run_cli({"frobnicate", config}, dir.path()));
}

TEST(CliBadInput, CudaBackendWithoutCuda) {
  if (cuda_available()) GTEST_SKIP() << "a CUDA device is visible: --backend cuda is valid here";
  TempDir dir;
  test::write_text(dir / "good.json", good_config().dump());
  const CliResult run = test::run_cli(
      {"run", (dir / "good.json").string(), "--out", (dir / "out").string(), "--quiet", "--backend", "cuda"},
      dir.path());
  expect_contains(expect_one_line_user_error(run), {"--backend cuda"});
}

TEST(CliValidate, AcceptsEveryExampleConfig) {
  TempDir dir;
  const auto configs = test::example_configs();
  ASSERT_FALSE(configs.empty());
  for (const auto& file : configs) {
    SCOPED_TRACE(file.string());
    const CliResult run = test::run_cli({"validate", file.string()}, dir.path());
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_TRUE(run.err.empty()) << run.err;
    EXPECT_NE(run.out.find("valid"), std::string::npos) << run.out;
  }
}

}  // namespace
}  // namespace spinnet
