// Run directories: creation with a writability check, and atomic writes.
#pragma once

#include <functional>
#include <string>

#include "spinnet/config/config.hpp"
#include "spinnet/engine/engine.hpp"

namespace spinnet {

/// Creates `directory` (and parents) and checks that a file can be written there; throws RunError
/// naming the directory and the reason before any work starts.
void prepare_output_directory(const std::string& directory);

/// Writes `content` to `path` through a temporary file in the same directory, fsync and a rename,
/// so a reader never sees a partial file. Throws RunError naming `path` when a write fails.
void write_file_atomically(const std::string& path, const std::string& content);

/// The same for any writer: `write(temporary)` creates the whole file at a temporary path next to
/// `path` (throwing on failure); it is then fsynced and renamed over `path`. On any failure the
/// temporary is removed and a RunError names `path`. Counts as one write for fault injection.
void write_atomically_with(const std::string& path, const std::function<void(const std::string& temporary)>& write);

/// fsyncs a directory, so that a rename into it survives a crash.
void sync_directory(const std::string& directory);

/// Fault injection for tests: when the environment variable SPINNET_INJECT_WRITE_FAILURE is N,
/// the N-th output write of this process (counting from 1; every write_file_atomically and
/// results.h5) fails as a full disk would, with a RunError naming `path`.
void check_injected_write_failure(const std::string& path);

}  // namespace spinnet
