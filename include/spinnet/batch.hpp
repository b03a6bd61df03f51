// The batch every device model runs in: what the stepping loops see (plain pointers and scalars,
// valid on host or device), blow-up status, decimated traces, and the per-device loop that the
// CUDA kernel runs with the state in registers.
//
// A device model is a struct with (see macrospin.hpp, auto_oscillator.hpp):
//   template <class T> using Coefficients = ...;  // plain struct of T: what the inner loop needs
//   template <class T> using State = ...;         // plain struct of T: the dynamical variables
//   template <class T> using Sample = ...;        // plain struct of T: what one step adds to the sums
//   using Accumulators = ...;                     // plain struct of double, member for member the sums
//   template <class T, bool Thermal>
//   static StepOutcome<State<T>, Sample<T>, T> step(
//       const StepContext<T>&, std::size_t slot, Coefficients<T>, State<T>, std::uint32_t status,
//       std::uint64_t failed_step, std::uint64_t step, DriveSample<T> now, DriveSample<T> next);
// `now` and `next` are the device's time-dependent inputs at the start and the end of the step.
// A device that has failed (status != status_ok) keeps its last good state and the failing step.
// The step function takes and returns everything by value and never sees the running sums: a
// struct passed by reference inside an OpenMP simd loop is kept in memory lane by lane, and the
// CPU loop then does not vectorize.
#pragma once

#include <cstddef>
#include <cstdint>

#include "spinnet/drive.hpp"
#include "spinnet/hostdevice.hpp"
#include "spinnet/soa.hpp"
#include "spinnet/vec3.hpp"

namespace spinnet {

/// The scalars every step of every device of a batch shares.
template <class T>
struct StepContext {
  std::uint64_t seed = 0;
  std::uint32_t first_device_id = 0;  // global id of slot 0; slot i is device first_device_id + i
  T dt = 0;                           // s
  std::uint64_t transient_steps = 0;  // steps before observables are accumulated
  T drift_limit = T(1e-3);            // model-specific sanity bound (macrospin: | |m| - 1 | per step)
  Vec3<T> axis{T(0), T(0), T(1)};     // macrospin: axis of the precession frequency
};

/// Why a device stopped.
enum DeviceStatus : std::uint32_t {
  status_ok = 0,
  status_not_finite = 1,  // the state became NaN or infinite
  status_out_of_bounds = 2,  // a model-specific bound was crossed (macrospin: | |m| - 1 | drifted more than the
                             // drift limit in one step; vortex: the core reached the disk edge)
};

/// What one step of one device produces.
template <class State, class Sample, class T>
struct StepOutcome {
  State state;
  Sample sample;
  std::uint32_t status;
  std::uint64_t failed_step;
  T signal;  // the emitted signal at the end of the step
};

/// A batch of one device model in precision T.
template <class Model, class T>
struct BatchView {
  using Coefficients = typename Model::template Coefficients<T>;
  using State = typename Model::template State<T>;
  using Accumulators = typename Model::Accumulators;
  using Sample = typename Model::template Sample<T>;
  static_assert(member_count<Sample, T> == member_count<Accumulators, double>,
                "Accumulators must hold one double sum per member of Sample");

  std::size_t count = 0;  // slots in this batch
  StepContext<T> context{};
  SoA<Coefficients, T> coefficients{};
  SoA<State, T> state{};
  SoA<Accumulators, double> accumulators{};
  DriveView<T> drive{};
  std::uint32_t* status = nullptr;
  std::uint64_t* failed_step = nullptr;
  // Decimated trace of selected devices: trace_column[slot] >= 0 selects a column; sample s holds
  // the state and the emitted signal after step (s + 1) * trace_every, at [s * trace_columns + column].
  std::uint64_t trace_every = 0;
  int trace_columns = 0;
  const int* trace_column = nullptr;
  SoA<State, T> trace_state{};
  T* trace_signal = nullptr;
};

/// Adds one step's sample to the running sums, member for member.
template <class T, class Accumulators, class Sample>
SPINNET_HDI void accumulate(Accumulators& sums, const Sample& sample) {
  double* sum = reinterpret_cast<double*>(&sums);
  const T* value = reinterpret_cast<const T*>(&sample);
  constexpr int members = static_cast<int>(sizeof(Accumulators) / sizeof(double));
  SPINNET_UNROLL
  for (int k = 0; k < members; ++k) sum[k] += static_cast<double>(value[k]);
}

/// Writes the state after step `completed` into the trace when it is a sampling instant.
template <class Model, class T>
SPINNET_HDI void record_trace(const BatchView<Model, T>& v, std::size_t i, const typename Model::template State<T>& s,
                              T signal, std::uint64_t completed) {
  if (v.trace_every == 0 || completed % v.trace_every != 0) return;
  const int column = v.trace_column[i];
  if (column < 0) return;
  const std::size_t j = static_cast<std::size_t>(completed / v.trace_every - 1) * v.trace_columns + column;
  v.trace_state.store(j, s);
  v.trace_signal[j] = signal;
}

/// Advances slot i from step_begin to step_end with its state in registers (the CUDA kernel body).
template <class Model, class T, bool Thermal, bool Inputs>
SPINNET_HDI void advance_device(const BatchView<Model, T>& v, std::size_t i, std::uint64_t step_begin,
                                std::uint64_t step_end) {
  const auto c = v.coefficients.load(i);
  auto s = v.state.load(i);
  auto acc = v.accumulators.load(i);
  std::uint32_t status = v.status[i];
  std::uint64_t failed_step = v.failed_step[i];
  DriveSample<T> now{T(0), T(0), T(0), T(0), T(0)};
  if constexpr (Inputs) now = drive_sample(v.drive, i, step_begin);
  for (std::uint64_t step = step_begin; step < step_end && status == status_ok; ++step) {
    DriveSample<T> next{T(0), T(0), T(0), T(0), T(0)};
    if constexpr (Inputs) next = drive_sample(v.drive, i, step + 1);
    const auto out = Model::template step<T, Thermal>(v.context, i, c, s, status, failed_step, step, now, next);
    s = out.state;
    accumulate<T>(acc, out.sample);
    status = out.status;
    failed_step = out.failed_step;
    record_trace(v, i, s, out.signal, step + 1);
    now = next;
  }
  v.state.store(i, s);
  v.accumulators.store(i, acc);
  v.status[i] = status;
  v.failed_step[i] = failed_step;
}

}  // namespace spinnet
