// The sections of a run config that run_config.cpp reads through these functions, one file each:
// the device section per model (device_readers.cpp), the coupling (coupling_config.cpp) and the
// measurements (measure_config.cpp). Private to src/config/.
#pragma once

#include <cstdint>
#include <string>

#include "spinnet/config/config.hpp"
#include "spinnet/config/run_config.hpp"

namespace spinnet {

/// Reads the device section once, for every device of the layout (every sweep point and instance),
/// into the model's device list of `out` and its drive.
void read_devices(const json& section, RunConfig& out, DeviceLayout& layout, json& resolved);

/// Reads the legacy `coupling` section (networks of 2 to 4 coupled auto-oscillators) into out.network.
void read_coupling(ObjectReader& root, RunConfig& out);

/// Reads the `network` section into out.network (network_config.cpp): sizes, positions, coupling
/// terms with their per-network numbers over `layout` (sweeps reach them), observables. Edge-list
/// files are relative to `source_dir`.
void read_network(ObjectReader& root, RunConfig& out, DeviceLayout& layout, double dt_ps, double duration_ns,
                  double transient_ns, const std::string& source_dir);

/// Reads the `measure` section (spectrum, locking, line shape) into `out`, whose control (dt,
/// steps) is already read.
void read_measurements(ObjectReader& root, RunConfig& out, double dt_ps, double duration_ns, double transient_ns);

/// The number of steps of dt_ps in `ps` picoseconds (the value of `key` in `reader`); a ConfigError
/// unless it is a whole multiple.
std::uint64_t whole_steps(const ObjectReader& reader, const std::string& key, double ps, double dt_ps);

/// Throws ConfigError (path "measure.line_shape...") unless the model is macrospin and the chosen
/// sweep axis is an RF frequency with at least 5 values.
void check_line_shape(const RunConfig& config);

}  // namespace spinnet
