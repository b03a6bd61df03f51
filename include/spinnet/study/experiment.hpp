// An experiment: a RunConfig run on a backend, its observables per device (one table for every
// model), the measurements the config asks for (spectra, locking), and the run directory.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "spinnet/engine/engine.hpp"
#include "spinnet/config/run_config.hpp"

namespace spinnet {

struct ExperimentResult {
  /// Observable name (with unit) -> one value per device (device = point * devices_per_point + i).
  std::map<std::string, std::vector<double>> observables;
  /// Decimated trace of the traced devices: time, then per traced device its state and signal.
  std::vector<double> trace_time;
  std::vector<std::string> trace_columns;        // state member names, then "signal"
  std::vector<std::vector<double>> trace_values;  // [column][sample * traced + k]
  /// Full PSDs of the first saved_spectra devices (when measured): frequency and density rows.
  std::vector<double> spectrum_frequency;
  std::vector<std::vector<double>> spectrum_density;
  /// Coupled networks: spectrum rows are networks (of their summed signal), not devices.
  bool spectrum_per_network = false;
  /// Per-network traces (coupled networks: the Kuramoto order parameter r(t)): time, then per
  /// column [sample * networks + g].
  std::vector<double> network_trace_time;
  std::vector<std::string> network_trace_columns;
  std::vector<std::vector<double>> network_trace_values;
  std::string backend;
  double wall_seconds = 0;
  double device_steps_per_second = 0;
};

/// Runs the experiment (all sweep points in one batch) and its measurements.
ExperimentResult run_experiment(const RunConfig& config, const RunOptions& options);

/// result.json lists per-device observables up to this many devices (all are in results.h5).
inline constexpr std::size_t max_devices_in_result_json = 65536;

/// Writes resolved.json, results.h5 (docs/outputs.md), result.json (per-device observables up to
/// max_devices_in_result_json devices, per-point statistics, sweep axes, seed, backend, timings),
/// trace.csv and spectrum.csv into `directory`, each atomically.
void write_experiment(const std::string& directory, const RunConfig& config, const ExperimentResult& result,
                      const std::string& config_file);

}  // namespace spinnet
