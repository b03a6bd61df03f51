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
      : std::runtime_error(path + ": " + message), path_(std::move(path)), message_(std::move(message)) {}

  /// The same error with its path prefixed by `source` (the file name): "file.json: devices.alpha".
  ConfigError prefixed(const std::string& source) const {
    const std::string path = source.empty() ? path_ : path_.empty() ? source : source + ": " + path_;
    return message_.empty() ? ConfigError(path, expected_, given_) : ConfigError(path, message_, 0);
  }

  const std::string& path() const { return path_; }
  const std::string& expected() const { return expected_; }
  const std::string& given() const { return given_; }

 private:
  std::string path_, expected_, given_, message_;
};

/// A run that cannot start (too large for memory, unwritable output) or that failed numerically.
class RunError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace spinnet
