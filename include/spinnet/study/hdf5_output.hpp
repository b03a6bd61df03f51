// results.h5: a run's observables and sampled parameters as [sweep point, instance, device]
// datasets, with the sweep axes and the run's metadata (layout: docs/outputs.md).
#pragma once

#include <string>

#include "spinnet/study/experiment.hpp"
#include "spinnet/config/run_config.hpp"

namespace spinnet {

/// Writes `path` atomically (temporary file, fsync, rename). Throws RunError naming the file
/// when a write fails.
void write_results_h5(const std::string& path, const RunConfig& config, const ExperimentResult& result);

}  // namespace spinnet
