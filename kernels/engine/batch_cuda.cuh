// Thin CUDA driver for any device model: one thread per device, state in registers for a whole
// launch, calling the same advance_device as every backend (include/spinnet/engine/batch.hpp).
// Included by kernels/<model>_cuda.cu, which instantiates run<Model, T>.
#pragma once

#include <cuda_runtime.h>

#include <chrono>

#include <string>
#include <vector>

#include "kernels/engine/batch_cuda.hpp"
#include "kernels/core/cuda_check.hpp"
#include "spinnet/core/errors.hpp"

namespace spinnet::cuda {
namespace detail {

template <class Model, class T, bool Thermal, bool Inputs>
__global__ void advance_kernel(BatchView<Model, T> view, std::uint64_t step_begin, std::uint64_t step_end) {
  const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= view.count) return;
  advance_device<Model, T, Thermal, Inputs>(view, i, step_begin, step_end);
}

template <class S, class U>
SoA<S, U> mirror_columns(DeviceArena& arena, const SoA<S, U>& host, std::size_t n) {
  SoA<S, U> d;
  for (int k = 0; k < SoA<S, U>::members; ++k) d.column[k] = arena.mirror(host.column[k], n);
  return d;
}
template <class S, class U>
void fetch_columns(const SoA<S, U>& host, const SoA<S, U>& device, std::size_t n) {
  for (int k = 0; k < SoA<S, U>::members; ++k) fetch(host.column[k], device.column[k], n);
}
template <class T>
ToneSetView<T> mirror_tones(DeviceArena& arena, const ToneSetView<T>& host, std::size_t stride) {
  const std::size_t n = static_cast<std::size_t>(host.count) * stride;
  ToneSetView<T> d = host;
  d.amplitude_x = arena.mirror(host.amplitude_x, n);
  d.amplitude_y = arena.mirror(host.amplitude_y, n);
  d.amplitude_z = arena.mirror(host.amplitude_z, n);
  d.cycles_per_step = arena.mirror(host.cycles_per_step, n);
  d.phase_cycles = arena.mirror(host.phase_cycles, n);
  return d;
}

}  // namespace detail

template <class Model, class T>
void run(const BatchView<Model, T>& host, std::uint64_t first_step, std::uint64_t end_step,
         std::uint64_t trace_samples, bool thermal, LaunchCallback next_launch, void* context) {
  using View = BatchView<Model, T>;
  const std::size_t n = host.count;
  const std::size_t tones = static_cast<std::size_t>(host.drive.vector_tones.count + host.drive.current_tones.count);
  const std::size_t schedule = host.drive.schedule.kind == ScheduleKind::none ? 0 : host.drive.schedule.samples;
  const std::size_t trace = trace_samples * static_cast<std::size_t>(host.trace_columns);
  const std::size_t needed =
      n * (sizeof(typename View::Coefficients) + sizeof(typename View::State) + sizeof(typename View::Accumulators) +
           sizeof(std::uint32_t) + sizeof(std::uint64_t) + sizeof(int)) +
      n * tones * (3 * sizeof(T) + 2 * sizeof(double)) + n * schedule * sizeof(T) +
      trace * (sizeof(typename View::State) + sizeof(T));
  check_free_memory(needed);

  DeviceArena arena;
  View d = host;
  d.coefficients = detail::mirror_columns(arena, host.coefficients, n);
  d.state = detail::mirror_columns(arena, host.state, n);
  d.accumulators = detail::mirror_columns(arena, host.accumulators, n);
  d.drive.vector_tones = detail::mirror_tones(arena, host.drive.vector_tones, n);
  d.drive.current_tones = detail::mirror_tones(arena, host.drive.current_tones, n);
  d.drive.schedule.values = arena.mirror(host.drive.schedule.values, n * schedule);
  d.status = arena.mirror(host.status, n);
  d.failed_step = arena.mirror(host.failed_step, n);
  d.trace_column = arena.mirror(host.trace_column, n);
  d.trace_state = detail::mirror_columns(arena, host.trace_state, trace);
  d.trace_signal = arena.mirror(host.trace_signal, trace);

  const bool inputs = tones > 0 || schedule > 0;
  constexpr int threads_per_block = 128;
  const unsigned blocks = static_cast<unsigned>((n + threads_per_block - 1) / threads_per_block);
  double last_seconds = 0;
  // next_launch sees every step reached, the last one included (then it returns 0).
  for (std::uint64_t begin = first_step;;) {
    const std::uint64_t steps = next_launch(context, begin, last_seconds);
    if (steps == 0 || begin >= end_step) break;
    const std::uint64_t end = steps < end_step - begin ? begin + steps : end_step;
    const auto launched = std::chrono::steady_clock::now();
    if (thermal) {
      if (inputs) detail::advance_kernel<Model, T, true, true><<<blocks, threads_per_block>>>(d, begin, end);
      else detail::advance_kernel<Model, T, true, false><<<blocks, threads_per_block>>>(d, begin, end);
    } else {
      if (inputs) detail::advance_kernel<Model, T, false, true><<<blocks, threads_per_block>>>(d, begin, end);
      else detail::advance_kernel<Model, T, false, false><<<blocks, threads_per_block>>>(d, begin, end);
    }
    check(cudaGetLastError(), "advance_kernel launch");
    check(cudaDeviceSynchronize(), "advance_kernel");
    last_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - launched).count();
    begin = end;
  }

  detail::fetch_columns(host.state, d.state, n);
  detail::fetch_columns(host.accumulators, d.accumulators, n);
  fetch(host.status, d.status, n);
  fetch(host.failed_step, d.failed_step, n);
  detail::fetch_columns(host.trace_state, d.trace_state, trace);
  fetch(host.trace_signal, d.trace_signal, trace);
}

}  // namespace spinnet::cuda
