// Helpers for tests of the config readers.
#pragma once

#include <string>

#include "spinnet/config/run_config.hpp"

namespace spinnet::test {

/// The message of the ConfigError read_run_config raises for `config` ("" when it reads).
inline std::string run_config_error(const json& config) {
  try {
    read_run_config(config, "test.json");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace spinnet::test
