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
#include <type_traits>

#include "spinnet/models/drive.hpp"
#include "spinnet/core/hostdevice.hpp"
#include "spinnet/core/random.hpp"
#include "spinnet/core/soa.hpp"
#include "spinnet/core/vec3.hpp"

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

/// A device's first failure is sticky: records `verdict`, and the step it happened at, unless the
/// device had already failed. Returns whether this step's result is kept (the device was ok and
/// stays ok). Masks are combined as integers, not with &&: GCC vectorizes the step bodies then.
SPINNET_HDI bool settle_status(std::uint32_t verdict, std::uint64_t step, std::uint32_t& status,
                               std::uint64_t& failed_step) {
  const bool alive = (status | verdict) == status_ok;
  failed_step = (status == status_ok && verdict != status_ok) ? step : failed_step;
  status = status == status_ok ? verdict : status;
  return alive;
}

/// Counterclockwise angle from the planar vector (x0, y0) to (x1, y1), in (-pi, pi].
template <class T>
SPINNET_HDI T planar_angle(T x0, T y0, T x1, T y1) {
  return fast::atan2(x0 * y1 - y0 * x1, x0 * x1 + y0 * y1);
}

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

/// Thermal noise that the engine draws for a model (instead of the model drawing it in its step).
/// A model opts in by declaring `static constexpr int noise_pairs = P`: it then needs P complex
/// normals (real and imaginary parts independent N(0, 1)) per device and step, and its step takes
/// them as a last argument `NoisePairs<T, P>` (zeros when the batch is athermal). One Philox block
/// gives three complex normals (random.hpp, complex_normal3), i.e. pair j for three consecutive
/// steps: steps 3k, 3k + 1 and 3k + 2 of slot i use z_0, z_1 and z_2 of the block with counter k
/// and device id (first id + i) * P + j. So the generator runs once per three steps, and a draw
/// still depends only on (seed, device, step).
template <class T, int P>
struct NoisePairs {
  static constexpr int size = P;
  T re[P];
  T im[P];
};

inline constexpr int noise_steps_per_block = 3;

/// Model::noise_pairs, or 0 for a model that draws its own noise.
template <class Model, class = void>
struct noise_pairs_of {
  static constexpr int value = 0;
};
template <class Model>
struct noise_pairs_of<Model, std::void_t<decltype(Model::noise_pairs)>> {
  static constexpr int value = Model::noise_pairs;
};
template <class Model>
inline constexpr int noise_pairs_v = noise_pairs_of<Model>::value;

/// The noise a step of Model takes (a one-pair placeholder for models that draw their own).
template <class Model, class T>
using StepNoise = NoisePairs<T, (noise_pairs_v<Model> > 0 ? noise_pairs_v<Model> : 1)>;

/// Calls Model::step, passing the engine-drawn noise to the models that take it.
template <class Model, class T, bool Thermal>
SPINNET_HDI auto call_step(const StepContext<T>& context, std::size_t i,
                           const typename Model::template Coefficients<T> c,
                           const typename Model::template State<T> s, std::uint32_t status,
                           std::uint64_t failed_step, std::uint64_t step, const DriveSample<T> now,
                           const DriveSample<T> next, const StepNoise<Model, T> noise) {
  if constexpr (noise_pairs_v<Model> > 0) {
    return Model::template step<T, Thermal>(context, i, c, s, status, failed_step, step, now, next, noise);
  } else {
    (void)noise;
    return Model::template step<T, Thermal>(context, i, c, s, status, failed_step, step, now, next);
  }
}

/// The noise of one slot at the steps 3 k, 3 k + 1 and 3 k + 2, from P Philox blocks.
template <class T, int P>
struct NoiseBlock {
  NoisePairs<T, P> step[noise_steps_per_block];
};

/// Noise device id of pair j of slot i.
template <int P, class T>
SPINNET_HDI std::uint32_t noise_device_id(const StepContext<T>& context, std::size_t i, int j) {
  return (context.first_device_id + static_cast<std::uint32_t>(i)) * P + static_cast<std::uint32_t>(j);
}

template <class T, int P>
SPINNET_HDI NoiseBlock<T, P> draw_noise_block(const StepContext<T>& context, std::size_t i, std::uint64_t k) {
  NoiseBlock<T, P> b;
  SPINNET_UNROLL
  for (int j = 0; j < P; ++j) {
    ComplexNormal3<T> z = complex_normal3<T>(context.seed, noise_device_id<P>(context, i, j), k, RandomStream::thermal);
    SPINNET_UNROLL
    for (int n = 0; n < noise_steps_per_block; ++n) {
      b.step[n].re[j] = z.re[n];
      b.step[n].im[j] = z.im[n];
    }
  }
  return b;
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
  [[maybe_unused]] NoiseBlock<T, StepNoise<Model, T>::size> drawn{};  // engine-drawn noise of the current block
  DriveSample<T> now{T(0), T(0), T(0), T(0), T(0)};
  if constexpr (Inputs) now = drive_sample(v.drive, i, step_begin);
  for (std::uint64_t step = step_begin; step < step_end && status == status_ok; ++step) {
    DriveSample<T> next{T(0), T(0), T(0), T(0), T(0)};
    if constexpr (Inputs) next = drive_sample(v.drive, i, step + 1);
    StepNoise<Model, T> noise{};
    if constexpr (Thermal && noise_pairs_v<Model> > 0) {
      // A Philox block serves three steps: drawn at its first step, or at the first step of a launch.
      const std::uint64_t k = step / noise_steps_per_block;
      const std::uint64_t n = step - k * noise_steps_per_block;
      if (n == 0 || step == step_begin) drawn = draw_noise_block<T, noise_pairs_v<Model>>(v.context, i, k);
      noise = n == 0 ? drawn.step[0] : (n == 1 ? drawn.step[1] : drawn.step[2]);
    }
    const auto out = call_step<Model, T, Thermal>(v.context, i, c, s, status, failed_step, step, now, next, noise);
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
