// `--plot` without a shell (plots.hpp).
#include "plots.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <vector>

namespace spinnet::cli {

namespace {

namespace fs = std::filesystem;

constexpr int exit_user_error = 2;

/// `name` if it holds a '/', else its first match on PATH ("" when there is none).
std::string find_program(const std::string& name) {
  if (name.find('/') != std::string::npos) return ::access(name.c_str(), X_OK) == 0 ? name : "";
  const char* path = std::getenv("PATH");
  std::stringstream folders(path ? path : "/usr/local/bin:/usr/bin:/bin");
  for (std::string folder; std::getline(folders, folder, ':');) {
    const std::string candidate = (fs::path(folder.empty() ? "." : folder) / name).string();
    if (::access(candidate.c_str(), X_OK) == 0 && !fs::is_directory(candidate)) return candidate;
  }
  return "";
}

}  // namespace

int run_plot_script(const std::string& script_name, const char* override_variable, const std::string& directory) {
  const char* override_path = std::getenv(override_variable);
  const std::string script = override_path ? override_path : std::string(SPINNET_SOURCE_DIR) + "/tools/" + script_name;
  const std::string kept = "; the results are kept in " + directory;
  if (!fs::exists(script)) {
    std::cerr << "spinnet: --plot: the plotting script " << script << " does not exist (set " << override_variable
              << " to it)" << kept << "\n";
    return exit_user_error;
  }
  const char* python_override = std::getenv("SPINNET_PYTHON");
  const std::string wanted = python_override ? python_override : fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
  const std::string python = find_program(wanted);
  if (python.empty()) {
    std::cerr << "spinnet: --plot: " << (python_override ? "SPINNET_PYTHON=" + wanted : wanted)
              << " not found: install python3 and matplotlib (Debian: apt-get install python3-matplotlib)"
              << (python_override ? " or point SPINNET_PYTHON at a python3 that has them" : "") << kept << "\n";
    return exit_user_error;
  }

  // The script's stderr comes through a pipe: its one-line error becomes spinnet's, other lines
  // (notes) pass through as they are.
  int pipe_ends[2];
  if (::pipe(pipe_ends) != 0) {
    std::cerr << "spinnet: --plot: cannot start " << python << ": " << std::strerror(errno) << kept << "\n";
    return exit_user_error;
  }
  std::cout.flush();
  std::cerr.flush();
  const pid_t child = ::fork();
  if (child == 0) {
    ::dup2(pipe_ends[1], STDERR_FILENO);
    ::close(pipe_ends[0]);
    ::close(pipe_ends[1]);
    std::vector<std::string> words{python, script, directory};
    std::vector<char*> argv;
    for (auto& w : words) argv.push_back(w.data());
    argv.push_back(nullptr);
    ::execv(python.c_str(), argv.data());
    const std::string why = "cannot execute " + python + ": " + std::strerror(errno) + "\n";
    [[maybe_unused]] const auto written = ::write(STDERR_FILENO, why.data(), why.size());
    ::_exit(127);
  }
  ::close(pipe_ends[1]);
  if (child < 0) {
    ::close(pipe_ends[0]);
    std::cerr << "spinnet: --plot: cannot start " << python << ": " << std::strerror(errno) << kept << "\n";
    return exit_user_error;
  }
  std::string errors;
  char buffer[4096];
  for (ssize_t n; (n = ::read(pipe_ends[0], buffer, sizeof buffer)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    errors.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(pipe_ends[0]);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  std::vector<std::string> lines;
  std::istringstream in(errors);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  if (ok) {
    for (const auto& line : lines) std::cerr << line << "\n";
    return 0;
  }
  // The scripts end a failure with one line "<script>: error: <what to do>"; keep its message.
  std::string last = lines.empty() ? "" : lines.back();
  const auto error_at = last.find(": error: ");
  if (error_at != std::string::npos) last = last.substr(error_at + 9);
  if (last.empty())
    last = fs::path(script).filename().string() + " failed (" +
           (WIFEXITED(status) ? "exit code " + std::to_string(WEXITSTATUS(status)) : std::string("killed by a signal")) + ")";
  std::cerr << "spinnet: --plot: " << last << kept << "\n";
  return exit_user_error;
}

}  // namespace spinnet::cli
