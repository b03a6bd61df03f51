// Helpers for tests that drive the spinnet command line: a scratch directory that cleans up after
// itself, and a way to run the CLI and capture its exit code, stdout and stderr.
#pragma once

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace spinnet::test {

namespace fs = std::filesystem;

/// The exit code of a user error (a bad config, command line or input file).
inline constexpr int exit_user_error = 2;

/// The repository root and the CLI under test (compile definitions from tests/CMakeLists.txt).
inline fs::path source_dir() { return fs::path(SPINNET_SOURCE_DIR); }
inline fs::path cli_path() { return fs::path(SPINNET_CLI_PATH); }

/// A fresh directory under the system temp directory, removed (with its contents) on destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "spinnet-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

inline std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline void write_text(const fs::path& file, const std::string& content) {
  std::ofstream out(file, std::ios::binary);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

/// Single-quotes a word for /bin/sh.
inline std::string shell_quote(const std::string& word) {
  std::string quoted = "'";
  for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

struct CliResult {
  int exit_code = -1;  // the process's exit status; -1 when it did not exit normally
  std::string out, err;

  /// Lines of stderr (a trailing newline does not start a new line).
  std::vector<std::string> error_lines() const {
    std::vector<std::string> lines;
    std::istringstream in(err);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }
};

/// Runs `spinnet args...`, capturing stdout and stderr through files in `scratch`.
inline CliResult run_cli(const std::vector<std::string>& args, const fs::path& scratch) {
  const fs::path out_file = scratch / "cli-stdout.txt", err_file = scratch / "cli-stderr.txt";
  std::string command = shell_quote(cli_path().string());
  // Appended piece by piece: GCC 12 warns (-Wrestrict, falsely) on "literal" + std::string here.
  for (const auto& a : args) command.append(" ").append(shell_quote(a));
  command.append(" >").append(shell_quote(out_file.string()));
  command.append(" 2>").append(shell_quote(err_file.string()));
  command.append(" </dev/null");
  const int status = std::system(command.c_str());
  CliResult result;
  if (status != -1 && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  result.out = read_text(out_file);
  result.err = read_text(err_file);
  return result;
}

/// Starts `spinnet args...` in the background (stdout and stderr into child-stdout.txt and
/// child-stderr.txt of `scratch`); returns its pid, for tests that signal a running command.
inline pid_t spawn_cli(const std::vector<std::string>& args, const fs::path& scratch) {
  const std::string out = (scratch / "child-stdout.txt").string(), err = (scratch / "child-stderr.txt").string();
  std::vector<std::string> words{cli_path().string()};
  words.insert(words.end(), args.begin(), args.end());
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(o, 1);
    ::dup2(e, 2);
    std::vector<char*> argv;
    for (auto& w : words) argv.push_back(w.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

/// Every configs/*.json of the repository, sorted, found when called (not at build time).
inline std::vector<fs::path> example_configs() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(source_dir() / "configs"))
    // Simulation configs only: rfnet_*.json are training configs (tests/test_rf_training.cpp,
    // test_run_command.cpp), physics_in_the_loop_*.json is evaluated by test_run_command.cpp, and
    // reservoir_*.json are reservoir studies (minutes each) read by tests/test_reservoir_cli.cpp;
    // test_config_schema.cpp validates every kind.
    if (entry.is_regular_file() && entry.path().extension() == ".json" &&
        entry.path().filename().string().rfind("rfnet_", 0) != 0 &&
        entry.path().filename().string().rfind("physics_in_the_loop_", 0) != 0 &&
        entry.path().filename().string().rfind("reservoir_", 0) != 0)
      files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace spinnet::test
