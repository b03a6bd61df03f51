// Checkpoints and resume through the real command line: a run killed by SIGKILL, SIGINT or
// SIGTERM, or stopped by a failing write, resumes with `spinnet run --resume DIR`, recomputes no
// finished batch, and ends with results.h5 datasets bit-identical to an uninterrupted run.
// Shard-and-merge through the CLI equals one run as well.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <thread>

#include "cli_helpers.hpp"
#include "h5_helpers.hpp"
#include "spinnet/config/config.hpp"

namespace spinnet {
namespace {

using test::fs::path;

/// 12 sweep points x 64 thermal oscillators, 60k steps: 12 batches of one point (--batch-items 1),
/// each a few tenths of a second here, so a signal lands mid-run.
void write_study(const path& file) {
  test::write_text(file, R"({
    "name": "resume_test", "model": "auto_oscillator", "seed": 23, "precision": "float32",
    "devices": {"count": 64, "frequency_GHz": 5.0, "nonlinear_shift_GHz": -2.0, "damping_rate_per_ns": 0.5,
                "nonlinear_damping_Q": 1.0, "threshold_current_mA": 1.0, "current_mA": 2.0,
                "temperature_K": 300, "energy_aJ": 2},
    "sweep": {"axes": [{"path": "devices.current_mA", "linear": {"start": 1.2, "stop": 3.4, "count": 12}}]},
    "integration": {"dt_ps": 2, "duration_ns": 120, "transient_ns": 20},
    "observables": {"trace": {"every_ps": 2000, "devices": [0, 700]}}
  })");
}

/// Starts `spinnet args...` as a child process with stdout/stderr in files; returns its pid.
std::vector<path> batch_files(const path& run) {
  std::vector<path> files;
  std::error_code ec;
  for (const auto& entry : test::fs::directory_iterator(run / "checkpoint", ec))
    // Finished batches only (a snapshot of a batch in progress is partial-items-*.bin).
    if (entry.path().extension() == ".bin" && entry.path().filename().string().rfind("items-", 0) == 0)
      files.push_back(entry.path());
  return files;
}

/// Waits until the run has at least `batches` finished batches (or exits); false on timeout.
bool wait_for_batches(pid_t pid, const path& run, std::size_t batches) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline) {
    if (batch_files(run).size() >= batches) return true;
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

/// Inode and modification time of every batch file: a recomputed batch gets a new inode (rename).
std::map<std::string, std::pair<ino_t, long>> identities(const path& run) {
  std::map<std::string, std::pair<ino_t, long>> out;
  for (const auto& f : batch_files(run)) {
    struct stat s {};
    ::stat(f.c_str(), &s);
    out[f.filename().string()] = {s.st_ino, s.st_mtim.tv_nsec};
  }
  return out;
}

class Resume : public ::testing::Test {
 protected:
  void SetUp() override {
    write_study(dir / "study.json");
    reference = dir / "reference";
    const auto r = test::run_cli({"run", (dir / "study.json").string(), "--out", reference.string(), "--quiet",
                                  "--backend", "cpu", "--batch-items", "1"},
                                 dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_TRUE(test::fs::exists(reference / "results.h5"));
  }

  /// Kills a run after two batches with `signal`; returns the child's wait status.
  int interrupt_run(const path& run, int signal) {
    const pid_t pid = test::spawn_cli({"run", (dir / "study.json").string(), "--out", run.string(), "--quiet", "--backend",
                                 "cpu", "--batch-items", "1"},
                                dir.path());
    EXPECT_TRUE(wait_for_batches(pid, run, 2)) << "the run ended or stalled before two batches";
    ::kill(pid, signal);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return status;
  }

  /// Resumes `run` and checks: finished batches untouched, results equal to the reference.
  void resume_and_compare(const path& run) {
    const auto before = identities(run);
    ASSERT_GE(before.size(), 2u);
    ASSERT_LT(before.size(), 12u) << "the run finished before the signal: make the study longer";
    const auto r = test::run_cli({"run", "--resume", run.string(), "--quiet", "--backend", "cpu"}, dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("(" + std::to_string(before.size()) + " from the checkpoint)"), std::string::npos) << r.out;
    const auto after = identities(run);
    for (const auto& [name, identity] : before) EXPECT_EQ(after.at(name), identity) << name << " was recomputed";
    EXPECT_EQ(after.size(), 12u);
    EXPECT_EQ(test::compare_h5_datasets((reference / "results.h5").string(), (run / "results.h5").string()), "");
    EXPECT_EQ(test::read_text(reference / "trace.csv"), test::read_text(run / "trace.csv"));
  }

  test::TempDir dir;
  path reference;
};

TEST_F(Resume, AfterSigkillEqualsAnUninterruptedRun) {
  const path run = dir / "killed";
  const int status = interrupt_run(run, SIGKILL);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  EXPECT_FALSE(test::fs::exists(run / "results.h5"));
  resume_and_compare(run);
}

TEST_F(Resume, SigintStopsCleanlyWithAResumeLine) {
  const path run = dir / "interrupted";
  const int status = interrupt_run(run, SIGINT);
  ASSERT_TRUE(WIFEXITED(status)) << "SIGINT must end the run through its handler";
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGINT);
  const std::string err = test::read_text(dir / "child-stderr.txt");
  EXPECT_NE(err.find("resume with: spinnet run --resume " + run.string()), std::string::npos) << err;
  resume_and_compare(run);
}

TEST_F(Resume, SigtermStopsCleanly) {
  const path run = dir / "terminated";
  const int status = interrupt_run(run, SIGTERM);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGTERM);
  resume_and_compare(run);
}

TEST_F(Resume, FailingWriteNamesTheFileAndKeepsFinishedBatches) {
  // Writes of a run: spinnet-run.json, config.json, plan.json, then one per batch; the 7th write
  // is batch 4's (items 3 to 4), which fails as on a full disk.
  const path run = dir / "full";
  const std::string command = "SPINNET_INJECT_WRITE_FAILURE=7 " + test::shell_quote(test::cli_path().string()) +
                              " run " + test::shell_quote((dir / "study.json").string()) + " --out " +
                              test::shell_quote(run.string()) + " --quiet --backend cpu --batch-items 1 2>" +
                              test::shell_quote((dir / "full-stderr.txt").string());
  const int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2);
  const std::string err = test::read_text(dir / "full-stderr.txt");
  EXPECT_NE(err.find("cannot write " + (run / "checkpoint" / "items-3-4.bin").string() + ": No space left on device"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("the 3 finished batches are kept"), std::string::npos) << err;
  EXPECT_EQ(batch_files(run).size(), 3u);
  resume_and_compare(run);
}

TEST_F(Resume, ShardsMergedByTheCliEqualOneRun) {
  std::vector<std::string> merge{"merge"};
  for (int s = 0; s < 3; ++s) {
    const path shard = dir / ("shard" + std::to_string(s));
    const auto r = test::run_cli({"run", (dir / "study.json").string(), "--shard", std::to_string(s) + "/3", "--out",
                                  shard.string(), "--quiet", "--backend", "cpu", "--batch-items", "2"},
                                 dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    merge.push_back(shard.string());
  }
  merge.insert(merge.end(), {"--out", (dir / "merged").string()});
  const auto r = test::run_cli(merge, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(test::compare_h5_datasets((reference / "results.h5").string(), (dir / "merged" / "results.h5").string()),
            "");
}

TEST(ResumeErrors, NotARunDirectoryIsAClearError) {
  const test::TempDir dir;
  write_study(dir / "study.json");
  const auto r = test::run_cli({"run", "--resume", dir.path().string()}, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  ASSERT_EQ(r.error_lines().size(), 1u) << r.err;
  EXPECT_NE(r.err.find("holds no spinnet run"), std::string::npos) << r.err;
  const auto bad = test::run_cli({"run", (dir / "study.json").string(), "--shard", "3/3"}, dir.path());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--shard: expected i/n with 0 <= i < n"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace spinnet
