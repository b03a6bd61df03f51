// Host-side storage of a macrospin batch in the layout the stepping loops read (structure of
// arrays, padded to whole SIMD blocks), built from a MacrospinProblem.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "spinnet/engine.hpp"
#include "spinnet/macrospin_batch.hpp"

namespace spinnet::detail {

/// Devices per CPU SIMD block: one 64-byte vector register of lanes.
template <class T>
inline constexpr std::size_t simd_lanes = 64 / sizeof(T);

template <class T>
struct MacrospinHostBatch {
  std::size_t devices = 0;  // real devices
  std::size_t slots = 0;    // padded to a multiple of simd_lanes<T>
  std::uint64_t trace_samples = 0;

  struct CoefficientStorage {
#define SPINNET_DECLARE_VECTOR(name) std::vector<T> name;
    SPINNET_MACROSPIN_COEFFICIENTS(SPINNET_DECLARE_VECTOR)
#undef SPINNET_DECLARE_VECTOR
  } coefficients;
  struct AccumulatorStorage {
#define SPINNET_DECLARE_VECTOR(name) std::vector<double> name;
    SPINNET_MACROSPIN_ACCUMULATORS(SPINNET_DECLARE_VECTOR)
#undef SPINNET_DECLARE_VECTOR
  } accumulators;
  std::vector<T> mx, my, mz;
  std::vector<std::uint32_t> status;
  std::vector<std::uint64_t> failed_step;
  std::vector<T> field_x, field_y, field_z, current_amplitude;
  std::vector<double> field_cycles_per_step, field_phase_cycles, current_cycles_per_step, current_phase_cycles;
  std::vector<int> trace_column;
  std::vector<T> trace_x, trace_y, trace_z;
  MacrospinBatchView<T> view;

  explicit MacrospinHostBatch(const MacrospinProblem& problem) {
    devices = problem.devices.size();
    const std::size_t lanes = simd_lanes<T>;
    slots = (devices + lanes - 1) / lanes * lanes;
    // Padding slots repeat the last device; their results are discarded.
    auto source = [&](std::size_t slot) { return slot < devices ? slot : devices - 1; };

#define SPINNET_RESIZE(name) coefficients.name.resize(slots);
    SPINNET_MACROSPIN_COEFFICIENTS(SPINNET_RESIZE)
#undef SPINNET_RESIZE
#define SPINNET_RESIZE(name) accumulators.name.assign(slots, 0.0);
    SPINNET_MACROSPIN_ACCUMULATORS(SPINNET_RESIZE)
#undef SPINNET_RESIZE
    mx.resize(slots);
    my.resize(slots);
    mz.resize(slots);
    status.assign(slots, status_ok);
    failed_step.assign(slots, 0);
    for (std::size_t i = 0; i < slots; ++i) {
      const MacrospinParameters<double>& p = problem.devices[source(i)];
      const MacrospinCoefficients<T> c = make_coefficients<T>(p, problem.dt);
#define SPINNET_STORE(name) coefficients.name[i] = c.name;
      SPINNET_MACROSPIN_COEFFICIENTS(SPINNET_STORE)
#undef SPINNET_STORE
      const double norm = std::sqrt(p.m0x * p.m0x + p.m0y * p.m0y + p.m0z * p.m0z);
      mx[i] = static_cast<T>(p.m0x / norm);
      my[i] = static_cast<T>(p.m0y / norm);
      mz[i] = static_cast<T>(p.m0z / norm);
    }

    const std::size_t n_field = problem.field_tones.size();
    const std::size_t n_current = problem.current_tones.size();
    field_x.resize(n_field * slots);
    field_y.resize(n_field * slots);
    field_z.resize(n_field * slots);
    field_cycles_per_step.resize(n_field * slots);
    field_phase_cycles.resize(n_field * slots);
    for (std::size_t k = 0; k < n_field; ++k) {
      const FieldTone& tone = problem.field_tones[k];
      for (std::size_t i = 0; i < slots; ++i) {
        const std::size_t j = k * slots + i, s = source(i);
        field_x[j] = static_cast<T>(tone.amplitude_x[s]);
        field_y[j] = static_cast<T>(tone.amplitude_y[s]);
        field_z[j] = static_cast<T>(tone.amplitude_z[s]);
        field_cycles_per_step[j] = tone.frequency[s] * problem.dt;
        field_phase_cycles[j] = tone.phase[s] / constants::two_pi;
      }
    }
    current_amplitude.resize(n_current * slots);
    current_cycles_per_step.resize(n_current * slots);
    current_phase_cycles.resize(n_current * slots);
    for (std::size_t k = 0; k < n_current; ++k) {
      const CurrentTone& tone = problem.current_tones[k];
      for (std::size_t i = 0; i < slots; ++i) {
        const std::size_t j = k * slots + i, s = source(i);
        current_amplitude[j] = static_cast<T>(tone.amplitude[s]);
        current_cycles_per_step[j] = tone.frequency[s] * problem.dt;
        current_phase_cycles[j] = tone.phase[s] / constants::two_pi;
      }
    }

    trace_column.assign(slots, -1);
    const int columns = problem.trace_every > 0 ? static_cast<int>(problem.trace_devices.size()) : 0;
    for (int k = 0; k < columns; ++k) trace_column[problem.trace_devices[static_cast<std::size_t>(k)]] = k;
    trace_samples = problem.trace_every > 0 ? problem.steps / problem.trace_every : 0;
    trace_x.resize(trace_samples * static_cast<std::size_t>(columns));
    trace_y.resize(trace_x.size());
    trace_z.resize(trace_x.size());

    view.count = slots;
    view.context.first_device_id = problem.first_device_id;
    view.context.seed = problem.seed;
    view.context.dt = static_cast<T>(problem.dt);
    view.context.transient_steps = problem.transient_steps;
    view.context.drift_limit = static_cast<T>(problem.drift_limit);
    const double axis_norm = std::sqrt(dot(problem.frequency_axis, problem.frequency_axis));
    view.context.frequency_axis = {static_cast<T>(problem.frequency_axis.x / axis_norm),
                           static_cast<T>(problem.frequency_axis.y / axis_norm),
                           static_cast<T>(problem.frequency_axis.z / axis_norm)};
#define SPINNET_POINT(name) view.coefficients.name = coefficients.name.data();
    SPINNET_MACROSPIN_COEFFICIENTS(SPINNET_POINT)
#undef SPINNET_POINT
#define SPINNET_POINT(name) view.accumulators.name = accumulators.name.data();
    SPINNET_MACROSPIN_ACCUMULATORS(SPINNET_POINT)
#undef SPINNET_POINT
    view.tones.field_tones = static_cast<int>(n_field);
    view.tones.current_tones = static_cast<int>(n_current);
    view.tones.stride = slots;
    view.tones.field_x = field_x.data();
    view.tones.field_y = field_y.data();
    view.tones.field_z = field_z.data();
    view.tones.field_cycles_per_step = field_cycles_per_step.data();
    view.tones.field_phase_cycles = field_phase_cycles.data();
    view.tones.current_amplitude = current_amplitude.data();
    view.tones.current_cycles_per_step = current_cycles_per_step.data();
    view.tones.current_phase_cycles = current_phase_cycles.data();
    view.mx = mx.data();
    view.my = my.data();
    view.mz = mz.data();
    view.status = status.data();
    view.failed_step = failed_step.data();
    view.trace_every = problem.trace_every;
    view.trace_columns = columns;
    view.trace_column = trace_column.data();
    view.trace_x = trace_x.data();
    view.trace_y = trace_y.data();
    view.trace_z = trace_z.data();
  }

  MacrospinHostBatch(const MacrospinHostBatch&) = delete;
  MacrospinHostBatch& operator=(const MacrospinHostBatch&) = delete;
};

}  // namespace spinnet::detail
