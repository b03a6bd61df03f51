// Errors a user can act on. The CLI prints what() on one line and exits with code 2.
#pragma once

#include <stdexcept>
#include <string>

namespace spinnet {

/// A problem in the user's input: names the JSON path, what was expected and what was given.
class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string path, std::string expected, std::string given)
      : std::runtime_error(path + ": expected " + expected + ", got " + given),
        path_(std::move(path)),
        expected_(std::move(expected)),
        given_(std::move(given)) {}
  /// A message without the expected/given form (file errors, parse errors).
  ConfigError(std::string path, std::string message, int)
      : std::runtime_error(path + ": " + message), path_(std::move(path)) {}

  const std::string& path() const { return path_; }
  const std::string& expected() const { return expected_; }
  const std::string& given() const { return given_; }

 private:
  std::string path_, expected_, given_;
};

/// A run that cannot start (too large for memory, unwritable output) or that failed numerically.
class RunError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace spinnet
