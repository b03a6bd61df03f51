// One `spinnet run` for every kind of config (issue 15) and the hardening of the command line a new
// user meets (issue 17): --resume DIR alone resumes any kind of run; the shared flags exist on every
// running command; output directories are refused when they hold another run (unless --force); a
// run that fails before it can be resumed leaves nothing behind; --plot failures are one spinnet
// line; unknown models list the known ones.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "cli_helpers.hpp"
#include "spinnet/config/config.hpp"

namespace spinnet {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

json simulation() {
  return json::parse(R"({"name": "sim", "devices": {"count": 4, "alpha": 0.01, "field_mT": [0, 0, 100],
    "m0": [1, 0, 0.1]}, "integration": {"dt_ps": 1, "duration_ns": 1}})");
}

/// A training of a tiny RF network on the shipped 8x8 digits (the shared data folder).
json training(int epochs = 2) {
  json config = load_json_file((test::source_dir() / "configs" / "rfnet_digits8x8.json").string());
  config["name"] = "tiny_training";
  config["network"]["layers"][0]["chains"] = 8;
  config["network"]["layers"][0]["junctions"] = 8;
  config["network"]["layers"][1]["junctions"] = 8;
  config["training"]["epochs"] = epochs;
  config["variability"] = {{"chips", 3}, {"spreads", {0.01}}, {"parameters", {"resonance"}}};
  return config;
}

std::string write(const TempDir& dir, const std::string& name, const json& config) {
  test::write_text(dir / name, config.dump(2));
  return (dir / name).string();
}

std::string one_line(const test::CliResult& r) {
  EXPECT_EQ(r.exit_code, test::exit_user_error) << r.err;
  EXPECT_EQ(r.error_lines().size(), 1u) << r.err;
  return r.error_lines().empty() ? "" : r.error_lines()[0];
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(RunCommand, RunsATrainingConfigWithItsEvaluationAndVariability) {
  TempDir dir;
  const auto r = test::run_cli({"run", write(dir, "t.json", training()), "--out", (dir / "out").string(), "--quiet"},
                               dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "test accuracy")) << r.out;
  for (const char* file : {"network.json", "summary.json", "variability.csv", "spinnet-run.json"})
    EXPECT_TRUE(fs::exists(dir / "out" / file)) << file;
}

TEST(RunCommand, UnknownModelListsTheKnownOnes) {
  TempDir dir;
  json config = simulation();
  config["model"] = "spiking";
  const std::string line = one_line(test::run_cli({"run", write(dir, "u.json", config)}, dir.path()));
  for (const char* model : {"macrospin", "auto_oscillator", "vortex", "rf_network", "software_mlp", "physics_in_the_loop"})
    EXPECT_TRUE(has(line, model)) << line;
  EXPECT_TRUE(has(line, "u.json: model:")) << line;
}

TEST(RunCommand, ResumeDirAloneResumesATraining) {
  TempDir dir;
  const fs::path out = dir / "out";
  const std::string file = write(dir, "t.json", training());
  ASSERT_EQ(test::run_cli({"run", file, "--out", out.string(), "--quiet"}, dir.path()).exit_code, 0);
  for (const std::vector<std::string>& resume :
       {std::vector<std::string>{"train", "--resume", out.string(), "--quiet"},
        std::vector<std::string>{"run", "--resume", out.string(), "--quiet"},
        std::vector<std::string>{"train", file, "--resume", out.string(), "--quiet"}}) {
    const auto r = test::run_cli(resume, dir.path());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(has(r.out, "results in " + out.string())) << r.out;  // into DIR, not spinnet-out/NAME
  }
  EXPECT_FALSE(fs::exists(dir / "spinnet-out"));
  // A config other than the run's is refused.
  const std::string other = write(dir, "other.json", training(3));
  EXPECT_TRUE(has(one_line(test::run_cli({"train", other, "--resume", out.string()}, dir.path())), "another config"));
}

TEST(RunCommand, EveryRunningCommandTakesTheSharedFlags) {
  TempDir dir;
  for (const char* command : {"run", "train", "size-study", "physics-in-the-loop"})
    for (const char* flag : {"--plot", "--out", "--threads", "--backend", "--resume", "--quiet", "--force"}) {
      const auto r = test::run_cli({command, "--help"}, dir.path());
      EXPECT_TRUE(has(r.out, flag)) << command << " lacks " << flag;
    }
  const auto evaluate = test::run_cli({"evaluate", "--help"}, dir.path());
  for (const char* flag : {"--plot", "--quiet", "--backend", "--threads", "--out"}) EXPECT_TRUE(has(evaluate.out, flag)) << flag;
}

TEST(RunCommand, AnotherConfigIsNotWrittenOverAnExistingRun) {
  TempDir dir;
  const fs::path out = dir / "out";
  ASSERT_EQ(test::run_cli({"run", write(dir, "a.json", simulation()), "--out", out.string(), "--quiet"}, dir.path()).exit_code, 0);
  // The same config again is fine (its own directory); another one is refused unless --force.
  EXPECT_EQ(test::run_cli({"run", (dir / "a.json").string(), "--out", out.string(), "--quiet"}, dir.path()).exit_code, 0);
  json other = simulation();
  other["devices"]["alpha"] = 0.02;
  const std::string b = write(dir, "b.json", other);
  const std::string line = one_line(test::run_cli({"run", b, "--out", out.string(), "--quiet"}, dir.path()));
  EXPECT_TRUE(has(line, "--force")) << line;
  EXPECT_EQ(test::run_cli({"run", b, "--out", out.string(), "--quiet", "--force"}, dir.path()).exit_code, 0);
}

// A training directory of a spinnet older than the run marker (its files without spinnet-run.json,
// as tools/run_main.sh left spinnet-out/rfnet_digits8x8) holds a run of the same config when its
// checkpoint.json keeps that config's resolved form: the same training runs into it again, another
// one is refused.
TEST(RunCommand, TheSameTrainingRunsAgainIntoADirectoryWithoutMarker) {
  TempDir dir;
  const fs::path out = dir / "out";
  const std::string a = write(dir, "a.json", training());
  ASSERT_EQ(test::run_cli({"train", a, "--out", out.string(), "--quiet"}, dir.path()).exit_code, 0);
  ASSERT_TRUE(fs::remove(out / "spinnet-run.json"));
  ASSERT_TRUE(fs::exists(out / "checkpoint.json"));
  const auto again = test::run_cli({"train", a, "--out", out.string(), "--quiet"}, dir.path());
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(fs::exists(out / "spinnet-run.json")) << "the run marks its directory";
  ASSERT_TRUE(fs::remove(out / "spinnet-run.json"));
  const std::string b = write(dir, "b.json", training(3));
  const std::string line = one_line(test::run_cli({"train", b, "--out", out.string(), "--quiet"}, dir.path()));
  EXPECT_TRUE(has(line, "it holds other files")) << line;
}

TEST(RunCommand, AFailedStartLeavesNoFolder) {
  TempDir dir;
  json missing_data = training();
  missing_data["data"]["path"] = (dir / "no_such_digits.csv").string();
  const std::string line = one_line(
      test::run_cli({"run", write(dir, "d.json", missing_data), "--out", (dir / "spinnet-out" / "d").string()}, dir.path()));
  EXPECT_TRUE(has(line, "d.json: data.path: expected an existing file")) << line;
  EXPECT_FALSE(fs::exists(dir / "spinnet-out")) << "an empty output folder was left behind";

  // A numerical blow-up cannot be resumed (it would blow up again): no checkpoint stays.
  json blow_up = simulation();
  blow_up["devices"]["field_mT"] = {0, 0, 1e5};  // gamma0 H dt = 18 rad per step: beyond Heun
  const fs::path out = dir / "blow";
  const auto r = test::run_cli({"run", write(dir, "b.json", blow_up), "--out", out.string(), "--quiet"}, dir.path());
  EXPECT_EQ(r.exit_code, test::exit_user_error) << r.err;
  EXPECT_FALSE(fs::exists(out / "checkpoint")) << r.err;
}

TEST(RunCommand, NamesThatLeaveSpinnetOutAreRefused) {
  TempDir dir;
  for (const char* name : {"../../evil", "a/b", ".hidden", "tab\there", "..", ""}) {
    json config = simulation();
    config["name"] = name;
    const std::string file = write(dir, "n.json", config);
    for (const std::vector<std::string>& command : {std::vector<std::string>{"validate", file},
                                                    std::vector<std::string>{"run", file, "--quiet"}}) {
      const std::string line = one_line(test::run_cli(command, dir.path()));
      EXPECT_TRUE(has(line, "n.json: name: expected a non-empty name")) << command[0] << " " << name << ": " << line;
    }
    json t = training();
    t["name"] = name;
    EXPECT_TRUE(has(one_line(test::run_cli({"run", write(dir, "t.json", t)}, dir.path())), "t.json: name:")) << name;
  }
  EXPECT_FALSE(fs::exists(dir / "spinnet-out"));
  EXPECT_FALSE(fs::exists(dir.path().parent_path().parent_path() / "evil"));
}

TEST(RunCommand, AMissingPythonIsOneSpinnetLineAndTheResultsStay) {
  TempDir dir;
  ::setenv("SPINNET_PYTHON", "/nonexistent/python3", 1);
  const auto r = test::run_cli({"run", write(dir, "s.json", simulation()), "--out", (dir / "out").string(), "--quiet",
                                "--plot"},
                               dir.path());
  ::unsetenv("SPINNET_PYTHON");
  EXPECT_EQ(r.exit_code, test::exit_user_error);
  ASSERT_EQ(r.error_lines().size(), 1u) << r.err;
  EXPECT_TRUE(has(r.err, "spinnet: --plot: SPINNET_PYTHON=/nonexistent/python3 not found")) << r.err;
  EXPECT_TRUE(has(r.err, "python3-matplotlib")) << r.err;
  EXPECT_FALSE(has(r.err, "sh: ")) << r.err;
  EXPECT_TRUE(fs::exists(dir / "out" / "result.json"));
}

TEST(RunCommand, TrainPlotListsTheFiguresItWrote) {
  TempDir dir;
  const auto r = test::run_cli({"train", write(dir, "t.json", training()), "--out", (dir / "out").string(), "--quiet",
                                "--plot"},
                               dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* png : {"learning_curves.png", "confusion.png", "resonances.png", "variability.png"}) {
    EXPECT_TRUE(fs::exists(dir / "out" / png)) << png;
    EXPECT_TRUE(has(r.out, (dir / "out" / png).string())) << r.out;
  }
}

TEST(RunCommand, NoValidationSplitWritesNoValidationNumbers) {
  TempDir dir;
  ASSERT_EQ(test::run_cli({"run", write(dir, "t.json", training()), "--out", (dir / "out").string(), "--quiet"},
                          dir.path()).exit_code, 0);
  const std::string history = test::read_text(dir / "out" / "history.csv");
  EXPECT_TRUE(has(history, "\n1,")) << history;
  EXPECT_TRUE(has(history, ",,,")) << "the validation cells must be empty: " << history;
  EXPECT_TRUE(load_json_file((dir / "out" / "summary.json").string()).at("best_epoch").is_null());
}

TEST(RunCommand, BadFlagsReadAsFlags) {
  TempDir dir;
  const std::string threads = one_line(test::run_cli({"run", "x.json", "--threads", "-1"}, dir.path()));
  EXPECT_TRUE(has(threads, "--threads: expected a thread count in [0, 4096]")) << threads;
  EXPECT_LT(threads.size(), 200u) << threads;
  const std::string spread = one_line(test::run_cli({"evaluate", "x.json", "--spread", "1e6"}, dir.path()));
  EXPECT_TRUE(has(spread, "--spread: expected a relative spread in [0, 0.5]")) << spread;
}

TEST(RunCommand, PhysicsInTheLoopRefusesCudaAndResume) {
  TempDir dir;
  EXPECT_TRUE(has(one_line(test::run_cli({"physics-in-the-loop", "--backend", "cuda"}, dir.path())), "CPU only"));
  EXPECT_FALSE(fs::exists(dir / "spinnet-out"));
}

TEST(RunCommand, ThePhysicsInTheLoopConfigRunsAndPlots) {
  TempDir dir;
  const auto r = test::run_cli({"run", (test::source_dir() / "configs" / "physics_in_the_loop_digits8x8.json").string(),
                                "--out", (dir / "out").string(), "--quiet", "--plot"},
                               dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir / "out" / "physics_in_the_loop.json"));
  EXPECT_TRUE(has(r.out, (dir / "out" / "physics_in_the_loop.png").string())) << r.out;
}

}  // namespace
}  // namespace spinnet
