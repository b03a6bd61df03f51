// Time-dependent inputs shared by every device model: RF tones and DC-current schedules, stored per
// device (structure of arrays, [entry * stride + slot]) and evaluated at integer time steps.
#pragma once

#include <cstddef>
#include <cstdint>

#include "spinnet/core/fast_math.hpp"
#include "spinnet/core/hostdevice.hpp"
#include "spinnet/core/vec3.hpp"

namespace spinnet {

/// A set of RF tones a_k cos(2 pi f_k t + phi_k) with a per-device amplitude vector (models use as
/// many components as they need). Frequencies are cycles per time step and phases are cycles, in
/// double, so that the phase of a tone stays exact over 10^9 steps even in float32 runs.
template <class T>
struct ToneSetView {
  int count = 0;
  const T* amplitude_x = nullptr;
  const T* amplitude_y = nullptr;
  const T* amplitude_z = nullptr;
  const double* cycles_per_step = nullptr;
  const double* phase_cycles = nullptr;
};

/// How a per-device current schedule is interpolated between its samples.
enum class ScheduleKind : int { none = 0, held = 1, linear = 2 };

/// A per-device current added to the DC current: samples s_k spaced `interval_steps` apart
/// (t_k = k * interval), held for one interval each (reservoir inputs) or linearly interpolated.
/// Outside the samples the last one holds.
template <class T>
struct ScheduleView {
  ScheduleKind kind = ScheduleKind::none;
  int samples = 0;
  double interval_steps = 1;
  const T* values = nullptr;  // [sample * stride + slot], A
};

/// Everything time-dependent a device sees.
template <class T>
struct DriveView {
  std::size_t stride = 0;  // slots per entry
  ToneSetView<T> vector_tones;  // macrospin: RF field (A/m); auto-oscillator: complex drive F (1/s)
  ToneSetView<T> current_tones;  // RF current, A (amplitude_x only)
  ScheduleView<T> schedule;
};

/// cos and sin of 2 pi (cycles_per_step * step + phase), reduced to one cycle in double first.
template <class T>
SPINNET_HDI void tone_cos_sin(double cycles_per_step, double phase_cycles, std::uint64_t step, T& c, T& s) {
  double cycles = cycles_per_step * static_cast<double>(step) + phase_cycles;
  cycles -= ::floor(cycles);
  fast::sincos_two_pi(static_cast<T>(cycles), s, c);
}

/// Sum over a tone set of amplitude * cos(phase): a 3-vector per device.
template <class T>
SPINNET_HDI Vec3<T> tone_sum(const ToneSetView<T>& tones, std::size_t stride, std::size_t i, std::uint64_t step) {
  Vec3<T> sum{T(0), T(0), T(0)};
  for (int k = 0; k < tones.count; ++k) {
    const std::size_t j = static_cast<std::size_t>(k) * stride + i;
    T c, s;
    tone_cos_sin<T>(tones.cycles_per_step[j], tones.phase_cycles[j], step, c, s);
    sum.x += tones.amplitude_x[j] * c;
    sum.y += tones.amplitude_y[j] * c;
    sum.z += tones.amplitude_z[j] * c;
  }
  return sum;
}

/// Where a time step falls in a schedule (the same for every slot): sample k, and whether to
/// interpolate toward sample k + 1 with `weight` (linear schedules inside their samples).
template <class T>
struct SchedulePoint {
  std::size_t k;
  bool interpolate;
  T weight;
};

template <class T>
SPINNET_HDI SchedulePoint<T> schedule_point(const ScheduleView<T>& schedule, std::uint64_t step) {
  const double position = static_cast<double>(step) / schedule.interval_steps;
  const double last = static_cast<double>(schedule.samples - 1);
  if (schedule.kind == ScheduleKind::held || position >= last) {
    const double k = position < last ? ::floor(position) : last;
    return {static_cast<std::size_t>(k), false, T(0)};
  }
  const double k = ::floor(position);
  return {static_cast<std::size_t>(k), true, static_cast<T>(position - k)};
}

/// Scheduled extra current of slot i at a schedule point.
template <class T>
SPINNET_HDI T scheduled_current(const ScheduleView<T>& schedule, std::size_t stride, std::size_t i,
                                const SchedulePoint<T> point) {
  const std::size_t j = point.k * stride + i;
  if (!point.interpolate) return schedule.values[j];
  return schedule.values[j] + point.weight * (schedule.values[j + stride] - schedule.values[j]);
}

/// Scheduled extra current of slot i at a time step.
template <class T>
SPINNET_HDI T scheduled_current(const ScheduleView<T>& schedule, std::size_t stride, std::size_t i,
                                std::uint64_t step) {
  return scheduled_current(schedule, stride, i, schedule_point(schedule, step));
}

/// Everything time-dependent one device sees at one time step, summed over its tones. Models take
/// two of these (start and end of the step) by value; the CPU backend computes them for a block of
/// devices in loops of their own (tones outer, devices inner), which vectorize.
template <class T>
struct DriveSample {
  T cos_x, cos_y, cos_z;  // sum_k a_k cos(theta_k) over the vector tones, per component
  T sin_x;                // sum_k a_kx sin(theta_k) (complex drives: F = cos_x - i sin_x)
  T current;              // scheduled current + RF current tones, A (the model adds its DC current)
};

/// The drive sample of slot i at a time step (host and device; loops over the tones).
template <class T>
SPINNET_HDI DriveSample<T> drive_sample(const DriveView<T>& drive, std::size_t i, std::uint64_t step) {
  DriveSample<T> d{T(0), T(0), T(0), T(0), T(0)};
  for (int k = 0; k < drive.vector_tones.count; ++k) {
    const std::size_t j = static_cast<std::size_t>(k) * drive.stride + i;
    T c, s;
    tone_cos_sin<T>(drive.vector_tones.cycles_per_step[j], drive.vector_tones.phase_cycles[j], step, c, s);
    d.cos_x += drive.vector_tones.amplitude_x[j] * c;
    d.cos_y += drive.vector_tones.amplitude_y[j] * c;
    d.cos_z += drive.vector_tones.amplitude_z[j] * c;
    d.sin_x += drive.vector_tones.amplitude_x[j] * s;
  }
  if (drive.schedule.kind != ScheduleKind::none) d.current += scheduled_current(drive.schedule, drive.stride, i, step);
  for (int k = 0; k < drive.current_tones.count; ++k) {
    const std::size_t j = static_cast<std::size_t>(k) * drive.stride + i;
    T c, s;
    tone_cos_sin<T>(drive.current_tones.cycles_per_step[j], drive.current_tones.phase_cycles[j], step, c, s);
    d.current += drive.current_tones.amplitude_x[j] * c;
  }
  return d;
}

/// True when a batch has any time-dependent input.
template <class T>
SPINNET_HDI bool has_inputs(const DriveView<T>& drive) {
  return drive.vector_tones.count > 0 || drive.current_tones.count > 0 || drive.schedule.kind != ScheduleKind::none;
}

/// DC current plus schedule plus RF current tones, at a time step. `Inputs` is compile-time so that
/// loops without time-dependent inputs carry no dead code (an inner loop, even of zero trips, stops
/// the CPU compiler from vectorizing across devices).
template <class T, bool Inputs>
SPINNET_HDI T current_at(const DriveView<T>& drive, std::size_t i, T dc_current, std::uint64_t step) {
  T current = dc_current;
  if constexpr (Inputs) {
    if (drive.schedule.kind != ScheduleKind::none) current += scheduled_current(drive.schedule, drive.stride, i, step);
    current += tone_sum(drive.current_tones, drive.stride, i, step).x;
  }
  return current;
}

}  // namespace spinnet
