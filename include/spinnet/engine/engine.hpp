// The macrospin engine's host interface: a batch of junctions, how long to integrate them, and
// what comes back. Backends (CPU, CUDA) are chosen at run time.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "spinnet/models/drive.hpp"
#include "spinnet/models/macrospin.hpp"

namespace spinnet {

enum class Precision { float32, float64 };
enum class Backend { automatic, cpu, cuda };

std::string to_string(Precision p);
std::string to_string(Backend b);

/// An RF field tone h_k cos(2 pi f_k t + phi_k); each member holds one value per device.
struct FieldTone {
  std::vector<double> amplitude_x, amplitude_y, amplitude_z;  // A/m
  std::vector<double> frequency;                              // Hz
  std::vector<double> phase;                                  // rad
};

/// An RF current tone I_k cos(2 pi f_k t + phi_k); each member holds one value per device.
struct CurrentTone {
  std::vector<double> amplitude;  // A
  std::vector<double> frequency;  // Hz
  std::vector<double> phase;      // rad
};

/// A tone set entry with per-device amplitude vector, frequency (Hz) and phase (rad). Components a
/// model does not use may be left empty.
struct ToneInput {
  std::vector<double> amplitude_x, amplitude_y, amplitude_z;
  std::vector<double> frequency;
  std::vector<double> phase;
};

/// A per-device current schedule (A) added to the DC current: values[sample][device], one sample
/// every `interval` seconds, held or linearly interpolated.
struct ScheduleInput {
  ScheduleKind kind = ScheduleKind::none;
  double interval = 0;  // s
  std::vector<std::vector<double>> values;
};

/// Time-dependent inputs of a batch, in a model's own units (see each model).
struct DriveInput {
  std::vector<ToneInput> vector_tones;
  std::vector<ToneInput> current_tones;  // A (amplitude_x)
  ScheduleInput schedule;
};

/// How long and how to integrate a batch, for any model.
struct RunControl {
  double dt = 1e-12;                  // s
  std::uint64_t steps = 0;            // total steps, transient included
  std::uint64_t transient_steps = 0;  // steps excluded from the averages
  std::uint64_t seed = 0;             // master seed of all random streams
  std::uint32_t first_device_id = 0;  // global id of device 0
  Vec3<double> axis{0, 0, 1};
  double drift_limit = 1e-3;
  std::uint64_t trace_every = 0;             // 0: no trace
  std::vector<std::uint32_t> trace_devices;  // device indices
  Precision precision = Precision::float32;
};

/// A batch of macrospin junctions and the integration to perform on it. SI units.
struct MacrospinProblem {
  std::vector<MacrospinParameters<double>> devices;
  std::vector<FieldTone> field_tones;
  std::vector<CurrentTone> current_tones;
  ScheduleInput current_schedule;      // extra per-device current, A
  double dt = 1e-12;                   // s
  std::uint64_t steps = 0;             // total steps, transient included
  std::uint64_t transient_steps = 0;   // steps excluded from the averages
  std::uint64_t seed = 0;              // master seed of all random streams
  std::uint32_t first_device_id = 0;   // global id of devices[0]
  Vec3<double> frequency_axis{0, 0, 1};
  double drift_limit = 1e-3;           // allowed | |m| - 1 | per step before renormalization
  std::uint64_t trace_every = 0;       // 0: no trace
  std::vector<std::uint32_t> trace_devices;  // indices into devices
  Precision precision = Precision::float32;
};

/// Observables per device (index = position in MacrospinProblem::devices) and run metadata.
struct MacrospinResult {
  std::vector<double> mean_mx, mean_my, mean_mz;
  std::vector<double> mean_mx2, mean_my2, mean_mz2;
  std::vector<double> mean_resistance;    // Ohm
  std::vector<double> rectified_voltage;  // <R(t) I(t)>, V
  std::vector<double> frequency;          // mean phase velocity around the axis / 2 pi, Hz
  std::vector<double> final_mx, final_my, final_mz;
  std::uint64_t trace_samples = 0;
  std::vector<double> trace_time;                   // s, one per sample
  std::vector<double> trace_x, trace_y, trace_z;    // [sample * traced devices + k]
  std::vector<double> trace_voltage;                // R(t) I(t), V
  std::string backend;
  double wall_seconds = 0;
  double device_steps_per_second = 0;
};

/// The arrays of a running batch that change as it steps (state, sums, status, failed steps,
/// traces), as (address, bytes): what a mid-batch snapshot saves and restores.
using BatchArrays = std::vector<std::pair<void*, std::size_t>>;

/// Thrown by run_model when RunOptions::interrupted asked it to stop (after a snapshot, when the
/// options take snapshots).
struct RunInterrupted {};

struct RunOptions {
  Backend backend = Backend::automatic;
  int threads = 0;  // CPU threads; 0 = OpenMP default
  /// Called between chunks with the fraction of steps done.
  std::function<void(double)> progress;
  /// Wall time of one chunk of steps: progress, interruption and snapshots happen between chunks,
  /// so a run of any length reports within seconds and stops within about this time.
  double chunk_seconds = 0.25;
  /// Checked between chunks; true stops the run (RunInterrupted).
  std::function<bool()> interrupted;
  /// Mid-batch snapshots, so that a killed long batch loses at most `snapshot_seconds` of work:
  /// `save_snapshot(step, arrays)` every snapshot_seconds of wall time and when interrupted;
  /// `restore_snapshot(arrays)` before the first step returns the step a saved snapshot reached
  /// (0: none; it has then filled the arrays). Results equal an uninterrupted run's bit for bit.
  double snapshot_seconds = 0;
  std::function<void(std::uint64_t step, const BatchArrays& arrays)> save_snapshot;
  std::function<std::uint64_t(const BatchArrays& arrays)> restore_snapshot;
};

/// True when this build has the CUDA backend and a CUDA device is visible.
bool cuda_available();

/// Whether work with this backend choice runs on CUDA (auto: when a device is visible). Throws
/// RunError when cuda is requested and this build or machine has none.
bool uses_cuda(Backend backend);

/// Bytes of host memory (and of device memory on CUDA) the problem needs.
std::uint64_t estimated_bytes(const MacrospinProblem& problem);

/// Integrates the batch. Throws RunError on numerical blow-up (naming device and time), when the
/// problem does not fit in memory, or when the requested backend is not available.
MacrospinResult run_macrospin(const MacrospinProblem& problem, const RunOptions& options = {});

}  // namespace spinnet
