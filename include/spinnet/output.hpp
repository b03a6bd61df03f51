// Run directories: creation with a writability check, and atomic writes.
#pragma once

#include <string>

#include "spinnet/config.hpp"
#include "spinnet/engine.hpp"

namespace spinnet {

/// Creates `directory` (and parents) and checks that a file can be written there; throws RunError
/// naming the directory and the reason before any work starts.
void prepare_output_directory(const std::string& directory);

/// Writes `content` to `path` through a temporary file in the same directory and a rename, so a
/// reader never sees a partial file.
void write_file_atomically(const std::string& path, const std::string& content);

}  // namespace spinnet
