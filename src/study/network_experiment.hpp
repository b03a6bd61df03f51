// The experiment of a config with a `network` section (network_experiment.cpp). Private to
// src/study/.
#pragma once

#include "spinnet/config/run_config.hpp"
#include "spinnet/study/experiment.hpp"

namespace spinnet {

/// Runs the config's networks (all sweep points and instances of the slice in one batch) and names
/// their observables: per oscillator (device index = network * size + oscillator, as in the
/// config), per network repeated for each of its oscillators (docs/networks.md, "Observables").
ExperimentResult run_network_experiment(const RunConfig& config, const RunOptions& options);

}  // namespace spinnet
