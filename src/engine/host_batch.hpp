// Host-side storage of a batch of any device model in the layout the stepping loops read
// (structure of arrays, padded to whole SIMD blocks), and the backend-neutral run loop.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "spinnet/engine/batch.hpp"
#include "spinnet/core/constants.hpp"
#include "spinnet/engine/engine.hpp"

namespace spinnet::detail {

/// Devices per CPU SIMD block: one 64-byte vector register of lanes.
template <class T>
inline constexpr std::size_t simd_lanes = 64 / sizeof(T);

/// Columns of one SoA view, owned.
template <class S, class T>
struct OwnedSoA {
  std::vector<T> storage;
  SoA<S, T> view;
  void resize(std::size_t slots, T fill = T(0)) {
    storage.assign(static_cast<std::size_t>(SoA<S, T>::members) * slots, fill);
    for (int k = 0; k < SoA<S, T>::members; ++k) view.column[k] = storage.data() + static_cast<std::size_t>(k) * slots;
  }
};

/// Owned storage of one tone set.
template <class T>
struct OwnedTones {
  std::vector<T> x, y, z;
  std::vector<double> cycles_per_step, phase_cycles;

  ToneSetView<T> fill(const std::vector<ToneInput>& tones, std::size_t slots, double dt,
                      const std::function<std::size_t(std::size_t)>& source) {
    const std::size_t n = tones.size() * slots;
    x.resize(n), y.resize(n), z.resize(n), cycles_per_step.resize(n), phase_cycles.resize(n);
    for (std::size_t k = 0; k < tones.size(); ++k) {
      const ToneInput& tone = tones[k];
      for (std::size_t i = 0; i < slots; ++i) {
        const std::size_t j = k * slots + i, s = source(i);
        x[j] = static_cast<T>(tone.amplitude_x[s]);
        y[j] = tone.amplitude_y.empty() ? T(0) : static_cast<T>(tone.amplitude_y[s]);
        z[j] = tone.amplitude_z.empty() ? T(0) : static_cast<T>(tone.amplitude_z[s]);
        cycles_per_step[j] = tone.frequency[s] * dt;
        phase_cycles[j] = tone.phase[s] / constants::two_pi;
      }
    }
    ToneSetView<T> view;
    view.count = static_cast<int>(tones.size());
    view.amplitude_x = x.data(), view.amplitude_y = y.data(), view.amplitude_z = z.data();
    view.cycles_per_step = cycles_per_step.data();
    view.phase_cycles = phase_cycles.data();
    return view;
  }
};

template <class Model, class T>
struct HostBatch {
  using Coefficients = typename Model::template Coefficients<T>;
  using State = typename Model::template State<T>;
  using Accumulators = typename Model::Accumulators;

  std::size_t devices = 0;  // real devices
  std::size_t slots = 0;    // padded to a multiple of simd_lanes<T>
  std::uint64_t trace_samples = 0;
  OwnedSoA<Coefficients, T> coefficients;
  OwnedSoA<State, T> state;
  OwnedSoA<Accumulators, double> accumulators;
  std::vector<std::uint32_t> status;
  std::vector<std::uint64_t> failed_step;
  OwnedTones<T> vector_tones, current_tones;
  std::vector<T> schedule_values;
  std::vector<int> trace_column;
  OwnedSoA<State, T> trace_state;
  std::vector<T> trace_signal;
  BatchView<Model, T> view;

  /// coefficients_of(i) and initial_state(i) describe real device i (0 <= i < devices).
  HostBatch(std::size_t device_count, const RunControl& control, const DriveInput& drive,
            const std::function<Coefficients(std::size_t)>& coefficients_of,
            const std::function<State(std::size_t)>& initial_state) {
    devices = device_count;
    const std::size_t lanes = simd_lanes<T>;
    slots = (devices + lanes - 1) / lanes * lanes;
    // Padding slots repeat the last device; their results are discarded.
    const auto source = [this](std::size_t slot) { return slot < devices ? slot : devices - 1; };

    coefficients.resize(slots);
    state.resize(slots);
    accumulators.resize(slots, 0.0);
    status.assign(slots, status_ok);
    failed_step.assign(slots, 0);
    // Independent per slot; parallel because a batch of 1e6 devices otherwise takes longer to
    // build than to step for a few hundred steps.
    const std::ptrdiff_t count = static_cast<std::ptrdiff_t>(slots);
#pragma omp parallel for schedule(static) if (count > 65536)
    for (std::ptrdiff_t i = 0; i < count; ++i) {
      const std::size_t slot = static_cast<std::size_t>(i);
      coefficients.view.store(slot, coefficients_of(source(slot)));
      state.view.store(slot, initial_state(source(slot)));
    }

    view.drive.stride = slots;
    view.drive.vector_tones = vector_tones.fill(drive.vector_tones, slots, control.dt, source);
    view.drive.current_tones = current_tones.fill(drive.current_tones, slots, control.dt, source);
    if (drive.schedule.kind != ScheduleKind::none) {
      const std::size_t samples = drive.schedule.values.size();
      schedule_values.resize(samples * slots);
      for (std::size_t k = 0; k < samples; ++k)
        for (std::size_t i = 0; i < slots; ++i)
          schedule_values[k * slots + i] = static_cast<T>(drive.schedule.values[k][source(i)]);
      view.drive.schedule.kind = drive.schedule.kind;
      view.drive.schedule.samples = static_cast<int>(samples);
      view.drive.schedule.interval_steps = drive.schedule.interval / control.dt;
      view.drive.schedule.values = schedule_values.data();
    }

    trace_column.assign(slots, -1);
    const int columns = control.trace_every > 0 ? static_cast<int>(control.trace_devices.size()) : 0;
    for (int k = 0; k < columns; ++k) trace_column[control.trace_devices[static_cast<std::size_t>(k)]] = k;
    trace_samples = control.trace_every > 0 ? control.steps / control.trace_every : 0;
    trace_state.resize(trace_samples * static_cast<std::size_t>(columns));
    trace_signal.assign(trace_samples * static_cast<std::size_t>(columns), T(0));

    view.count = slots;
    view.context.first_device_id = control.first_device_id;
    view.context.seed = control.seed;
    view.context.dt = static_cast<T>(control.dt);
    view.context.transient_steps = control.transient_steps;
    view.context.drift_limit = static_cast<T>(control.drift_limit);
    const double norm = std::sqrt(dot(control.axis, control.axis));
    view.context.axis = {static_cast<T>(control.axis.x / norm), static_cast<T>(control.axis.y / norm),
                         static_cast<T>(control.axis.z / norm)};
    view.coefficients = coefficients.view;
    view.state = state.view;
    view.accumulators = accumulators.view;
    view.status = status.data();
    view.failed_step = failed_step.data();
    view.trace_every = control.trace_every;
    view.trace_columns = columns;
    view.trace_column = trace_column.data();
    view.trace_state = trace_state.view;
    view.trace_signal = trace_signal.data();
  }

  HostBatch(const HostBatch&) = delete;
  HostBatch& operator=(const HostBatch&) = delete;

  /// The arrays that change as the batch steps (for snapshots; engine.hpp BatchArrays).
  BatchArrays changing_arrays() {
    auto bytes = [](auto& v) { return std::pair<void*, std::size_t>(v.data(), v.size() * sizeof(v[0])); };
    return {bytes(state.storage), bytes(accumulators.storage), bytes(status), bytes(failed_step),
            bytes(trace_state.storage), bytes(trace_signal)};
  }

  /// Column k of the accumulators (sum over steps after the transient) of real device i.
  double accumulated(int member, std::size_t i) const { return accumulators.view.column[member][i]; }
};

/// Backend-specific stepping of a whole batch from step 0 to control.steps, with progress.
/// Returns the backend description.
template <class Model, class T>
std::string advance_batch(HostBatch<Model, T>& batch, const RunControl& control, bool thermal,
                          const RunOptions& options);

/// Throws RunError for the first failed device, naming the device and the time.
void report_failures(const std::vector<std::uint32_t>& status, const std::vector<std::uint64_t>& failed_step,
                     std::size_t devices, const RunControl& control, const std::string& model_hint);

/// Chooses the backend for a run (throws RunError when the requested one is unavailable).
bool choose_cuda(Backend backend);

/// Throws RunError when `bytes` exceed the host's available memory.
void check_host_memory(std::uint64_t bytes);

/// Steps per chunk (a CPU call or a CUDA launch), sized by wall time: a first short chunk measures
/// the rate, and each next one aims at `seconds`, growing at most 4x per chunk. A fixed count of
/// max(1000, steps / 100) left a 1e15-step batch silent and deaf to signals for days (issue 17).
/// Results do not depend on chunking (noise and drives depend on the absolute step only).
class ChunkClock {
 public:
  explicit ChunkClock(double seconds) : seconds_(seconds > 0 ? seconds : 0.25) {}
  /// The next chunk, given the steps and wall time of the last one (0 steps: none yet).
  std::uint64_t next(std::uint64_t last_steps, double last_seconds) {
    if (last_steps == 0) return chunk_;
    const double rate = static_cast<double>(last_steps) / std::max(last_seconds, 1e-6);
    const double wanted = std::clamp(rate * seconds_, 1.0, 4.0 * static_cast<double>(last_steps));
    chunk_ = static_cast<std::uint64_t>(wanted);
    return chunk_;
  }

 private:
  double seconds_;
  std::uint64_t chunk_ = 16;
};

}  // namespace spinnet::detail
