// The reservoir experiments end to end through the command line: a small spoken-digit study on a
// few FSDD recordings (with every baseline, leave-one-speaker-out and a saved reservoir applied to
// another folder), the sine/square and memory tasks, every configs/reservoir_*.json read, and bad
// input (missing, corrupt or truncated WAV, wrong sample rate, empty split) as one line naming the
// file or folder, exit code 2.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <set>

#include "audio_helpers.hpp"
#include "cli_helpers.hpp"
#include "spinnet/config/config.hpp"
#include "spinnet/data/dataset.hpp"
#include "spinnet/reservoir/reservoir_config.hpp"

namespace spinnet {
namespace {

using test::TempDir;
namespace fs = std::filesystem;

fs::path fsdd() { return fs::path(default_data_directory()) / "fsdd" / "recordings"; }

/// Copies digits 0-9 of two speakers, takes `first`..`last`, into `folder`.
void copy_recordings(const fs::path& folder, int first, int last) {
  fs::create_directories(folder);
  for (int digit = 0; digit < 10; ++digit)
    for (const char* speaker : {"jackson", "theo"})
      for (int take = first; take <= last; ++take) {
        const std::string name = std::to_string(digit) + "_" + speaker + "_" + std::to_string(take) + ".wav";
        fs::copy_file(fsdd() / name, folder / name, fs::copy_options::overwrite_existing);
      }
}

/// A small spoken-digit config on `folder`: 20 nodes of 10 ns, MFCC at 40 ms frames.
json small_config(const fs::path& folder) {
  json config = json::parse(R"({
    "name": "small_digits", "experiment": "reservoir", "seed": 3,
    "data": {"pattern": "{digit}_{speaker}_{take}.wav", "split": {"by": "take", "validation": "5-6"},
             "leave_one_speaker_out": true},
    "preprocessing": [{"kind": "mfcc", "hop_ms": 40, "context_frames": 0}],
    "input": {"nodes": 20, "theta_ns": 10, "delta_current_mA": 0.8, "clip": 2, "warmup_ns": 200},
    "baselines": {"echo_state_network": {"units": 20}},
    "readout": {"folds": 3}
  })");
  config["data"]["folder"] = folder.string();
  return config;
}

class ReservoirCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (default_data_directory().empty() || !fs::is_directory(fsdd())) GTEST_SKIP() << "no shared FSDD folder";
  }
  TempDir scratch;

  test::CliResult run(const json& config, const std::string& name, std::vector<std::string> extra = {}) {
    const fs::path file = scratch / (name + ".json");
    test::write_text(file, config.dump(2));
    std::vector<std::string> args{"run", file.string(), "--out", (scratch / name).string(), "--quiet"};
    args.insert(args.end(), extra.begin(), extra.end());
    return test::run_cli(args, scratch.path());
  }

  /// A user error: exit code 2 and one line on stderr that contains `needle`.
  void expect_user_error(const test::CliResult& r, const std::string& needle) {
    EXPECT_EQ(r.exit_code, test::exit_user_error) << r.err;
    ASSERT_EQ(r.error_lines().size(), 1u) << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
  }
};

TEST_F(ReservoirCli, SmallSpokenDigitStudyAndItsSavedReservoir) {
  copy_recordings(scratch / "recordings", 5, 8);
  json config = small_config(scratch / "recordings");
  const test::CliResult r = run(config, "study");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  for (const char* file : {"result.json", "resolved.json", "accuracy.csv", "confusion.csv", "loso.csv", "predictions.csv",
                           "trained_mfcc.json", "example_nodes.csv", "example_trace.csv"})
    EXPECT_TRUE(fs::is_regular_file(scratch / "study" / file)) << file;
  const json result = json::parse(test::read_text(scratch / "study" / "result.json"));
  EXPECT_EQ(result.at("recordings").at("validation"), 40);
  EXPECT_EQ(result.at("recordings").at("train"), 40);
  std::set<std::string> methods;
  for (const auto& m : result.at("methods")) {
    methods.insert(m.at("method").get<std::string>());
    const double a = m.at("validation_accuracy");
    EXPECT_GE(a, 0.0);
    EXPECT_LE(a, 1.0);
    EXPECT_EQ(m.at("leave_one_speaker_out").size(), 2u);  // two speakers, one fold each
  }
  EXPECT_EQ(methods, (std::set<std::string>{"stno", "preprocessing_only", "linear", "esn"}));
  EXPECT_EQ(result.at("gains").size(), 3u);
  // Ten classes, 40 validation recordings: the MFCC readout alone is far above chance (0.1).
  for (const auto& m : result.at("methods"))
    if (m.at("method") == "preprocessing_only") EXPECT_GT(m.at("validation_accuracy").get<double>(), 0.3);
  EXPECT_GT(result.at("timings").at("stno_device_steps_per_second").get<double>(), 0.0);

  // The saved reservoir applied to recordings it never saw (takes 9-10).
  copy_recordings(scratch / "unseen", 9, 10);
  const test::CliResult e = test::run_cli({"evaluate", (scratch / "study" / "trained_mfcc.json").string(), "--data",
                                           (scratch / "unseen").string(), "--out", (scratch / "applied").string(),
                                           "--quiet"},
                                          scratch.path());
  ASSERT_EQ(e.exit_code, 0) << e.err;
  EXPECT_NE(e.out.find("accuracy"), std::string::npos) << e.out;
  EXPECT_NE(e.out.find("on 40 labelled recordings"), std::string::npos) << e.out;
  EXPECT_TRUE(fs::is_regular_file(scratch / "applied" / "predictions.csv"));
}

TEST_F(ReservoirCli, BadRecordingsAreOneLineNamingTheFile) {
  copy_recordings(scratch / "recordings", 5, 6);
  const json config = small_config(scratch / "recordings");
  // A corrupt file.
  const fs::path corrupt = scratch / "recordings" / "3_theo_7.wav";
  test::write_bytes(corrupt, "RIFF....WAVEnot a real wav");
  expect_user_error(run(config, "corrupt"), corrupt.string());
  fs::remove(corrupt);
  // A truncated one.
  const fs::path truncated = scratch / "recordings" / "3_theo_8.wav";
  test::write_bytes(truncated, test::wav_bytes(std::vector<std::int16_t>(100, 7), 8000, {}, 4000));
  expect_user_error(run(config, "truncated"), truncated.string() + ": truncated");
  fs::remove(truncated);
  // Another sample rate.
  const fs::path fast = scratch / "recordings" / "4_theo_7.wav";
  test::write_bytes(fast, test::wav_bytes(std::vector<std::int16_t>(3200, 7), 16000));
  expect_user_error(run(config, "rate"), fast.string() + ": sample rate 16000 Hz, expected 8000 Hz");
  fs::remove(fast);
  // An empty validation part.
  json empty = config;
  empty["data"]["split"]["validation"] = "30-35";
  expect_user_error(run(empty, "empty"), (scratch / "recordings").string() + ": no recording");
  // A missing folder.
  json missing = config;
  missing["data"]["folder"] = (scratch / "nowhere").string();
  expect_user_error(run(missing, "missing"), (scratch / "nowhere").string() + ": no such folder");
  // A bad key.
  json typo = config;
  typo["input"]["theta"] = 10;
  expect_user_error(run(typo, "typo"), "input.theta");
}

TEST_F(ReservoirCli, SineSquareAndMemoryTasks) {
  // Without thermal noise 24 nodes of 20 ns (one input point = 480 ns, ~8 relaxation times) keep
  // enough of the previous points to tell the two waves apart (measured: 99.9 % at 150 periods).
  const json sine = json::parse(R"({"name": "sine", "experiment": "reservoir", "task": "sine_square",
    "input": {"nodes": 24, "theta_ns": 20, "delta_current_mA": 1.0, "clip": 1.5},
    "oscillator": {"temperature_K": 0},
    "waveform": {"train_periods": 60, "test_periods": 60, "temperatures_K": [300]}})");
  const test::CliResult s = run(sine, "sine");
  ASSERT_EQ(s.exit_code, 0) << s.err;
  const json sine_result = json::parse(test::read_text(scratch / "sine" / "result.json"));
  EXPECT_GE(sine_result.at("test_accuracy").get<double>(), 0.9);
  EXPECT_EQ(sine_result.at("test_accuracy_by_temperature").size(), 1u);
  EXPECT_TRUE(fs::is_regular_file(scratch / "sine" / "waveform.csv"));

  const json memory = json::parse(R"({"name": "memory", "experiment": "reservoir", "task": "memory",
    "input": {"nodes": 10, "delta_current_mA": 0.5},
    "memory": {"samples": 600, "washout": 50, "max_delay": 10, "theta_ns": [5, 10], "current_mA": [6.5, 7.5]}})");
  const test::CliResult m = run(memory, "memory");
  ASSERT_EQ(m.exit_code, 0) << m.err;
  const json points = json::parse(test::read_text(scratch / "memory" / "result.json")).at("points");
  ASSERT_EQ(points.size(), 4u);
  for (const auto& p : points) {
    // Jaeger's bound: the capacity of N readout states is at most N.
    EXPECT_GE(p.at("memory_capacity").get<double>(), 0.0);
    EXPECT_LE(p.at("memory_capacity").get<double>(), 10.0);
    EXPECT_GT(p.at("narma10_nrmse").get<double>(), 0.0);
  }
}

TEST(ReservoirConfigs, EveryShippedReservoirConfigReads) {
  // configs/reservoir_*.json take minutes each (the README's figures): here they are only read.
  std::size_t count = 0;
  for (const auto& entry : fs::directory_iterator(test::source_dir() / "configs")) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("reservoir_", 0) != 0 || entry.path().extension() != ".json") continue;
    SCOPED_TRACE(name);
    const json document = load_json_file(entry.path().string());
    EXPECT_TRUE(is_reservoir_config(document));
    ReservoirExperiment e;
    ASSERT_NO_THROW(e = read_reservoir_experiment(document, name));
    // resolved.json reads back to itself.
    EXPECT_EQ(read_reservoir_experiment(e.resolved, name).resolved, e.resolved);
    ++count;
  }
  EXPECT_GE(count, 3u);
}

}  // namespace
}  // namespace spinnet
