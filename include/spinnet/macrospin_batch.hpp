// One integration step of one device of a macrospin batch, with its drive, thermal field,
// observables, trace and blow-up detection. The CPU backend calls macrospin_step for blocks of
// devices (vectorized across devices); the CUDA kernel calls advance_device with the state in
// registers. Both see the batch through MacrospinBatchView, a plain struct of pointers.
#pragma once

#include <cstddef>
#include <cstdint>

#include "spinnet/hostdevice.hpp"
#include "spinnet/macrospin.hpp"
#include "spinnet/random.hpp"

namespace spinnet {

/// Structure-of-arrays coefficients: one pointer per coefficient, indexed by batch slot.
template <class T>
struct MacrospinCoefficientArrays {
#define SPINNET_DECLARE_POINTER(name) T* name;
  SPINNET_MACROSPIN_COEFFICIENTS(SPINNET_DECLARE_POINTER)
#undef SPINNET_DECLARE_POINTER

  SPINNET_HDI MacrospinCoefficients<T> load(std::size_t i) const {
    MacrospinCoefficients<T> c;
#define SPINNET_LOAD_MEMBER(name) c.name = name[i];
    SPINNET_MACROSPIN_COEFFICIENTS(SPINNET_LOAD_MEMBER)
#undef SPINNET_LOAD_MEMBER
    return c;
  }
};

/// RF tones, per device: field tones H_k cos(2 pi f_k t + phi_k) along a per-device vector, and
/// current tones I_k cos(2 pi f_k t + phi_k). Arrays are [tone * stride + slot]. Frequencies are
/// stored as cycles per time step and phases in cycles, in double, so that the phase of a tone
/// stays exact over 10^9 steps even in float32 runs.
template <class T>
struct ToneTableView {
  int field_tones = 0;
  int current_tones = 0;
  std::size_t stride = 0;
  const T* field_x = nullptr;
  const T* field_y = nullptr;
  const T* field_z = nullptr;
  const double* field_cycles_per_step = nullptr;
  const double* field_phase_cycles = nullptr;
  const T* current_amplitude = nullptr;
  const double* current_cycles_per_step = nullptr;
  const double* current_phase_cycles = nullptr;
};

/// cos(2 pi (cycles_per_step * step + phase)), reduced to one cycle in double before the float
/// polynomial.
template <class T>
SPINNET_HDI T tone_cosine(double cycles_per_step, double phase_cycles, std::uint64_t step) {
  double cycles = cycles_per_step * static_cast<double>(step) + phase_cycles;
  cycles -= ::floor(cycles);
  T s, c;
  fast::sincos_two_pi(static_cast<T>(cycles), s, c);
  return c;
}

/// Drive of the device in slot i at time step*dt: RF field tones and DC + RF current.
template <class T>
SPINNET_HDI Drive<T> drive_at(const ToneTableView<T>& tones, std::size_t i, T dc_current, std::uint64_t step) {
  Drive<T> d{{T(0), T(0), T(0)}, dc_current};
  for (int k = 0; k < tones.field_tones; ++k) {
    const std::size_t j = static_cast<std::size_t>(k) * tones.stride + i;
    const T w = tone_cosine<T>(tones.field_cycles_per_step[j], tones.field_phase_cycles[j], step);
    d.field.x += tones.field_x[j] * w;
    d.field.y += tones.field_y[j] * w;
    d.field.z += tones.field_z[j] * w;
  }
  for (int k = 0; k < tones.current_tones; ++k) {
    const std::size_t j = static_cast<std::size_t>(k) * tones.stride + i;
    d.current += tones.current_amplitude[j] *
                 tone_cosine<T>(tones.current_cycles_per_step[j], tones.current_phase_cycles[j], step);
  }
  return d;
}

/// Running sums of the observables of one device, over the steps after the transient. Kept in
/// double: 10^9 float additions would lose the mean.
struct MacrospinAccumulators {
  double mx, my, mz;       // sum of m
  double mx2, my2, mz2;    // sum of m_i^2
  double resistance;       // sum of R(t)
  double power;            // sum of R(t) I(t)   (rectified voltage = mean)
  double phase;            // sum of phase increments around the frequency axis, rad
};

#define SPINNET_MACROSPIN_ACCUMULATORS(X) X(mx) X(my) X(mz) X(mx2) X(my2) X(mz2) X(resistance) X(power) X(phase)

struct MacrospinAccumulatorArrays {
#define SPINNET_DECLARE_POINTER(name) double* name;
  SPINNET_MACROSPIN_ACCUMULATORS(SPINNET_DECLARE_POINTER)
#undef SPINNET_DECLARE_POINTER

  SPINNET_HDI MacrospinAccumulators load(std::size_t i) const {
    MacrospinAccumulators a;
#define SPINNET_LOAD_MEMBER(name) a.name = name[i];
    SPINNET_MACROSPIN_ACCUMULATORS(SPINNET_LOAD_MEMBER)
#undef SPINNET_LOAD_MEMBER
    return a;
  }
  SPINNET_HDI void store(std::size_t i, const MacrospinAccumulators& a) const {
#define SPINNET_STORE_MEMBER(name) name[i] = a.name;
    SPINNET_MACROSPIN_ACCUMULATORS(SPINNET_STORE_MEMBER)
#undef SPINNET_STORE_MEMBER
  }
};

/// Why a device stopped.
enum MacrospinStatus : std::uint32_t {
  status_ok = 0,
  status_not_finite = 1,  // a component of m became NaN or infinite
  status_norm_drift = 2,  // | |m| - 1 | exceeded the drift limit before renormalization
};

/// The scalars every step of every device of a batch shares.
template <class T>
struct StepContext {
  std::uint64_t seed = 0;
  std::uint32_t first_device_id = 0;  // global id of slot 0; slot i is device first_device_id + i
  T dt = 0;                           // s
  std::uint64_t transient_steps = 0;  // steps before observables are accumulated
  T drift_limit = T(1e-3);
  Vec3<T> frequency_axis{T(0), T(0), T(1)};
};

/// Everything the stepping loops see: plain pointers and scalars, valid on host or device.
template <class T>
struct MacrospinBatchView {
  std::size_t count = 0;  // slots in this batch
  StepContext<T> context{};
  MacrospinCoefficientArrays<T> coefficients{};
  ToneTableView<T> tones{};
  T* mx = nullptr;
  T* my = nullptr;
  T* mz = nullptr;
  MacrospinAccumulatorArrays accumulators{};
  std::uint32_t* status = nullptr;
  std::uint64_t* failed_step = nullptr;
  // Decimated trace of selected devices: trace_column[slot] >= 0 selects a column; sample s holds
  // m after step (s + 1) * trace_every, at trace_x[s * trace_columns + column].
  std::uint64_t trace_every = 0;
  int trace_columns = 0;
  const int* trace_column = nullptr;
  T* trace_x = nullptr;
  T* trace_y = nullptr;
  T* trace_z = nullptr;
};

/// Advances one device by one step (step -> step + 1). A device that has failed keeps its state.
/// Thermal and Tones are compile-time so that the loops without them carry no dead code (an inner
/// loop, even of zero trips, stops the CPU compiler from vectorizing across devices).
template <class T, bool Thermal, bool Tones>
SPINNET_HDI void macrospin_step(const StepContext<T>& v, const ToneTableView<T>& tones, std::size_t i,
                                const MacrospinCoefficients<T>& c,
                                Vec3<T>& m, MacrospinAccumulators& acc, std::uint32_t& status,
                                std::uint64_t& failed_step, std::uint64_t step) {
  Drive<T> now{{T(0), T(0), T(0)}, c.current};
  Drive<T> next = now;
  if constexpr (Tones) {
    now = drive_at(tones, i, c.current, step);
    next = drive_at(tones, i, c.current, step + 1);
  }
  Vec3<T> thermal{T(0), T(0), T(0)};
  if constexpr (Thermal) {
    thermal = c.thermal_sigma *
              normal3<T>(v.seed, v.first_device_id + static_cast<std::uint32_t>(i), step, RandomStream::thermal);
  }
  const Vec3<T> raw = heun_step(m, c, now, next, thermal, v.dt);
  const T norm2 = dot(raw, raw);
  const T upper = (T(1) + v.drift_limit) * (T(1) + v.drift_limit);
  const T lower = (T(1) - v.drift_limit) * (T(1) - v.drift_limit);
  const std::uint32_t verdict = !fast::is_finite(norm2) ? status_not_finite
                                : (norm2 > upper || norm2 < lower) ? status_norm_drift
                                                                   : status_ok;
  const bool alive = status == status_ok && verdict == status_ok;
  const T inverse_norm = alive ? T(1) / fast::sqrt(norm2) : T(1);
  const Vec3<T> updated = alive ? inverse_norm * raw : m;
  failed_step = (status == status_ok && verdict != status_ok) ? step : failed_step;
  status = status == status_ok ? verdict : status;
  // Branch-free accumulation (weight 0 or 1): the CPU backend vectorizes this body across devices.
  const bool record = alive && step >= v.transient_steps;
  const T weight = record ? T(1) : T(0);
  const T R = resistance(updated, c);
  // Phase increment around the axis a between m_n and m_{n+1}:
  // tan(dphi) = (m_n x m_{n+1}).a / (m_n.m_{n+1} - (m_n.a)(m_{n+1}.a)).
  const Vec3<T> a = v.frequency_axis;
  const T sine = dot(cross(m, updated), a);
  const T cosine = dot(m, updated) - dot(m, a) * dot(updated, a);
  const T dphi = fast::atan2(sine, cosine);
  acc.mx += weight * updated.x;
  acc.my += weight * updated.y;
  acc.mz += weight * updated.z;
  acc.mx2 += weight * updated.x * updated.x;
  acc.my2 += weight * updated.y * updated.y;
  acc.mz2 += weight * updated.z * updated.z;
  acc.resistance += weight * R;
  acc.power += weight * R * next.current;
  acc.phase += weight * dphi;
  m = updated;
}

/// Writes m into the trace after step `completed` (= step + 1) when it is a sampling instant.
template <class T>
SPINNET_HDI void record_trace(const MacrospinBatchView<T>& v, std::size_t i, Vec3<T> m, std::uint64_t completed) {
  if (v.trace_every == 0 || completed % v.trace_every != 0) return;
  const int column = v.trace_column[i];
  if (column < 0) return;
  const std::size_t j = static_cast<std::size_t>(completed / v.trace_every - 1) * v.trace_columns + column;
  v.trace_x[j] = m.x;
  v.trace_y[j] = m.y;
  v.trace_z[j] = m.z;
}

/// Advances slot i from step_begin to step_end with its state in registers (the CUDA kernel body).
template <class T, bool Thermal, bool Tones>
SPINNET_HDI void advance_device(const MacrospinBatchView<T>& v, std::size_t i, std::uint64_t step_begin,
                                std::uint64_t step_end) {
  const MacrospinCoefficients<T> c = v.coefficients.load(i);
  Vec3<T> m{v.mx[i], v.my[i], v.mz[i]};
  MacrospinAccumulators acc = v.accumulators.load(i);
  std::uint32_t status = v.status[i];
  std::uint64_t failed_step = v.failed_step[i];
  for (std::uint64_t step = step_begin; step < step_end && status == status_ok; ++step) {
    macrospin_step<T, Thermal, Tones>(v.context, v.tones, i, c, m, acc, status, failed_step, step);
    record_trace(v, i, m, step + 1);
  }
  v.mx[i] = m.x;
  v.my[i] = m.y;
  v.mz[i] = m.z;
  v.accumulators.store(i, acc);
  v.status[i] = status;
  v.failed_step[i] = failed_step;
}

}  // namespace spinnet
