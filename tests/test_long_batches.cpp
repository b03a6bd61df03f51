// A batch of very many steps (issue 17 #2): chunks are bounded in wall time, so progress shows
// within seconds and SIGINT/SIGTERM stop it within a second with the resume line; the batch saves
// snapshots of its state and sums, and a resume from one equals an uninterrupted run bit for bit.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <thread>

#include "cli_helpers.hpp"
#include "spinnet/config/config.hpp"

namespace spinnet {
namespace {

namespace fs = std::filesystem;

/// One thermal macrospin, `steps` steps of 1 ps (one batch of one work item).
std::string one_device(double duration_ns) {
  json config = json::parse(R"({"name": "long_batch", "devices": {"count": 1, "alpha": 0.01,
      "field_mT": [0, 0, 100], "m0": [1, 0, 0.1], "temperature_K": 300},
      "integration": {"dt_ps": 1, "duration_ns": 1}})");
  config["integration"]["duration_ns"] = duration_ns;
  return config.dump();
}

bool wait_for(const std::function<bool()>& condition, double seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

int wait_exit(pid_t pid, double& seconds) {
  const auto start = std::chrono::steady_clock::now();
  int status = 0;
  ::waitpid(pid, &status, 0);
  seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(LongBatches, A1e15StepBatchReportsProgressAndStopsWithinASecond) {
  for (int signal : {SIGINT, SIGTERM}) {
    test::TempDir dir;
    test::write_text(dir / "long.json", one_device(1e12));  // 1e15 steps: validate accepts it
    ASSERT_EQ(test::run_cli({"validate", (dir / "long.json").string()}, dir.path()).exit_code, 0);
    const fs::path out = dir / "out";
    const pid_t pid = test::spawn_cli({"run", (dir / "long.json").string(), "--out", out.string()}, dir.path());
    // Progress lines every 5 s off a terminal: the first one within 5 s plus a chunk.
    const fs::path err_file = dir / "child-stderr.txt";
    EXPECT_TRUE(wait_for([&] { return fs::exists(err_file) && test::read_text(err_file).find("progress") != std::string::npos; },
                         8))
        << test::read_text(dir / "child-stderr.txt");
    ::kill(pid, signal);
    double seconds = 0;
    const int code = wait_exit(pid, seconds);
    EXPECT_EQ(code, 128 + signal);
    EXPECT_LT(seconds, 1.0) << "signal " << signal << " took " << seconds << " s to stop the run";
    const std::string err = test::read_text(dir / "child-stderr.txt");
    EXPECT_NE(err.find("resume with: spinnet run --resume " + out.string()), std::string::npos) << err;
    EXPECT_TRUE(fs::exists(out / "checkpoint" / "partial-items-0-1-0.bin")) << "no snapshot of the batch";
  }
}

TEST(LongBatches, ResumeFromASnapshotInsideTheBatchEqualsAnUninterruptedRun) {
  test::TempDir dir;
  test::write_text(dir / "mid.json", one_device(3e4));  // 3e7 steps, about 3 s on one core
  const fs::path reference = dir / "reference", cut = dir / "cut";
  const auto r = test::run_cli({"run", (dir / "mid.json").string(), "--out", reference.string(), "--quiet"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;

  ::setenv("SPINNET_SNAPSHOT_SECONDS", "0.2", 1);
  const pid_t pid = test::spawn_cli({"run", (dir / "mid.json").string(), "--out", cut.string(), "--quiet"}, dir.path());
  ::unsetenv("SPINNET_SNAPSHOT_SECONDS");
  const fs::path snapshot = cut / "checkpoint" / "partial-items-0-1-0.bin";
  const bool saved = wait_for([&] { return fs::exists(snapshot); }, 10);
  ::kill(pid, SIGKILL);  // as a crash would: only the periodic snapshot is on disk
  double seconds = 0;
  wait_exit(pid, seconds);
  ASSERT_TRUE(saved) << "no snapshot within 10 s";
  ASSERT_FALSE(fs::exists(cut / "result.json")) << "the run finished before it was killed: make it longer";

  const auto resumed = test::run_cli({"run", "--resume", cut.string(), "--quiet"}, dir.path());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_FALSE(fs::exists(snapshot)) << "the snapshot outlived its finished batch";
  const json a = load_json_file((reference / "result.json").string()).at("observables");
  const json b = load_json_file((cut / "result.json").string()).at("observables");
  EXPECT_EQ(a, b);
}

}  // namespace
}  // namespace spinnet
