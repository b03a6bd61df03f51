// The batch every device model runs in: what the stepping loops see (plain pointers and scalars,
// valid on host or device), decimated traces, engine-drawn noise, and the per-device loop that the
// CUDA kernel runs with the state in registers. The model interface is models/device_model.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "spinnet/models/device_model.hpp"
#include "spinnet/models/drive.hpp"
#include "spinnet/core/hostdevice.hpp"
#include "spinnet/core/random.hpp"
#include "spinnet/core/soa.hpp"
#include "spinnet/core/vec3.hpp"

namespace spinnet {

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
