// Startup of the spinnet command (issue 15): one process that waits passively by default and
// loads no CUDA library until a CUDA backend is used, so that `spinnet --help` and `spinnet
// validate` start in milliseconds. Timing itself is measured by hand (README, "Command line"):
// what is checked here is what made startup slow, a second process and cuBLAS/cuFFT at load time.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "cli_helpers.hpp"

namespace spinnet {
namespace {

using test::TempDir;

std::size_t count_of(const std::string& text, const std::string& word) {
  std::size_t n = 0;
  for (std::size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) ++n;
  return n;
}

/// Sets an environment variable for the scope of a test (restored on destruction).
class ScopedEnvironment {
 public:
  ScopedEnvironment(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old, had_ = true;
    if (value) ::setenv(name, value, 1);
    else ::unsetenv(name);
  }
  ~ScopedEnvironment() {
    if (had_) ::setenv(name_.c_str(), old_.c_str(), 1);
    else ::unsetenv(name_.c_str());
  }

 private:
  std::string name_, old_;
  bool had_ = false;
};

TEST(Startup, OneProcessWithPassiveWaiting) {
  // libgomp prints its settings once per process when OMP_DISPLAY_ENV is set: a re-executed
  // spinnet printed them twice (ACTIVE-default first, then PASSIVE).
  TempDir dir;
  ScopedEnvironment display("OMP_DISPLAY_ENV", "true"), unset("OMP_WAIT_POLICY", nullptr);
  ScopedEnvironment spin("GOMP_SPINCOUNT", nullptr);
  const auto run = test::run_cli({"--version"}, dir.path());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(count_of(run.err, "OPENMP DISPLAY ENVIRONMENT BEGIN"), 1u) << run.err;
  EXPECT_NE(run.err.find("OMP_WAIT_POLICY = 'PASSIVE'"), std::string::npos) << run.err;
}

TEST(Startup, TheUsersWaitPolicyStands) {
  TempDir dir;
  ScopedEnvironment display("OMP_DISPLAY_ENV", "true"), active("OMP_WAIT_POLICY", "active");
  const auto run = test::run_cli({"--version"}, dir.path());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("OMP_WAIT_POLICY = 'ACTIVE'"), std::string::npos) << run.err;
}

TEST(Startup, NoCudaMathLibraryIsLoadedAtStart) {
  // cuBLAS (and cuBLAS-Lt) and cuFFT cost 0.35 s of loading; they are opened with dlopen on first
  // use (kernels/core/lazy_library.hpp), so the executable must not name them as needed libraries.
  TempDir dir;
  const std::string listing = (dir / "dynamic.txt").string();
  const std::string command = "readelf -d " + test::shell_quote(test::cli_path().string()) + " > " +
                              test::shell_quote(listing) + " 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << "readelf (binutils) is needed by this test";
  const std::string dynamic = test::read_text(listing);
  ASSERT_NE(dynamic.find("(NEEDED)"), std::string::npos) << dynamic;
  for (const char* library : {"libcublas", "libcublasLt", "libcufft"})
    EXPECT_EQ(dynamic.find(library), std::string::npos) << library << " is linked: " << dynamic;
}

}  // namespace
}  // namespace spinnet
