// A run as a config file describes it, for any device model: devices (expanded over the sweep
// points), their drive, the run control, and the measurements to make on the result.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "spinnet/models/auto_oscillator.hpp"
#include "spinnet/config/config.hpp"
#include "spinnet/config/network_config.hpp"
#include "spinnet/engine/engine.hpp"
#include "spinnet/models/macrospin.hpp"
#include "spinnet/models/vortex.hpp"

namespace spinnet {

enum class ModelKind { macrospin, auto_oscillator, vortex };

std::string to_string(ModelKind kind);

/// One sweep axis: a numeric config path and its values.
struct SweepAxis {
  std::string path;  // e.g. "devices.current_mA" or "devices.rf_drive[0].frequency_GHz"
  std::vector<double> values;
};

/// Sweep points are the cartesian product of the axes (the last axis varies fastest); each point
/// holds `instances` independent variability draws of devices_per_instance devices (devices.count),
/// devices_per_point = instances * devices_per_instance. Device d belongs to point
/// d / devices_per_point, instance (d % devices_per_point) / devices_per_instance, and is device
/// d % devices_per_instance of the devices section.
struct SweepPlan {
  std::vector<SweepAxis> axes;
  std::size_t points = 1;
  std::size_t instances = 1;
  std::size_t devices_per_instance = 1;
  std::size_t devices_per_point = 1;
  /// Value of axis a at sweep point p.
  double value(std::size_t point, std::size_t axis) const;
};

/// Power spectral density of the emitted signal of every device (Welch, Hann window).
struct SpectrumMeasurement {
  bool enabled = false;
  std::uint64_t sample_every = 1;      // time steps between signal samples
  std::size_t segment_samples = 4096;  // Welch segment length
  double overlap = 0.5;
  std::size_t saved_spectra = 16;      // devices (or networks) whose full PSD goes to spectrum.csv
  bool per_network = false;            // coupled networks: the spectrum of each network's summed signal
};

/// Injection locking: a device is locked when its mean frequency is within `tolerance_Hz` of the
/// first RF drive tone's frequency.
struct LockingMeasurement {
  bool enabled = false;
  double tolerance = 0;  // Hz
};

/// Spin-diode line shape (docs/spin_diode.md): the rectified voltage of each device against the
/// sweep axis `frequency_axis` (an RF frequency in GHz) is fitted with symmetric and antisymmetric
/// Lorentzians, separately for every combination of the other axes' values.
struct LineShapeMeasurement {
  bool enabled = false;
  std::size_t frequency_axis = 0;  // index into sweep.axes
};

struct RunConfig {
  std::string name;
  ModelKind model = ModelKind::macrospin;
  json resolved;  // the config with every default filled in
  RunControl control;
  DriveInput drive;
  std::vector<MacrospinParameters<double>> macrospin;       // when model == macrospin
  std::vector<AutoOscillatorParameters> auto_oscillator;    // when model == auto_oscillator
  std::vector<VortexParameters> vortex;                     // when model == vortex
  SweepPlan sweep;
  NetworkPlan network;  // coupled networks (network.enabled), docs/networks.md
  SpectrumMeasurement spectrum;
  LockingMeasurement locking;
  LineShapeMeasurement line_shape;
  /// Every config path whose value differs between devices (a distribution, a per-device list or
  /// a sweep axis), e.g. "devices.Ms_kA_per_m" or "devices.field_mT[2]": its value for every
  /// device, in the config's units. The master seed of the draws is control.seed.
  std::map<std::string, std::vector<double>> varied_parameters;

  std::size_t device_count() const;
  /// Oscillators per network (1 without a network section): work items and batches never split one.
  std::size_t group_size() const { return network.enabled ? network.size : 1; }
};

/// Validates and converts a config of any model (units at the edge: everything is SI), expanding
/// its sweep. `source` prefixes error paths (usually the file name).
RunConfig read_run_config(const json& config, const std::string& source);

/// One problem found in a config: its JSON path (prefixed by the source), what was expected and
/// what was given. message is the full line, as ConfigError::what() writes it.
struct ConfigProblem {
  std::string path, expected, given, message;
};

/// Every problem of a config: all schema violations (src/config/spinnet.schema.json: unknown keys
/// with "did you mean", types, bounds), then, when the schema is satisfied, the first problem the
/// reader finds (cross-key checks such as a sweep path that names no per-device number). Empty
/// when the config is valid.
std::vector<ConfigProblem> validate_config(const json& config, const std::string& source);

}  // namespace spinnet
