// Thin CUDA driver of the coupled networks (network_cuda.hpp): one thread per slot, over the same
// per-slot functions of include/spinnet/network/network_view.hpp that mirror the CPU passes.
// Included by kernels/network/network_<model>_cuda.cu, which instantiates run_network<Adapter, T>.
#pragma once

#include <cuda_runtime.h>

#include <vector>

#include "kernels/core/cuda_check.hpp"
#include "kernels/network/network_cuda.hpp"

namespace spinnet::cuda {
namespace network_detail {

constexpr unsigned max_block = 1024;

/// All the steps [begin, end) of one unit (blockIdx.x), every slot of the unit one thread, the
/// passes of a step separated by block barriers.
template <class Adapter, class T, bool Thermal, bool Inputs>
__global__ void unit_kernel(NetworkView<Adapter, T> v, const NetworkUnit* units, T* signal, std::uint64_t begin,
                            std::uint64_t end) {
  const NetworkUnit u = units[blockIdx.x];
  const std::size_t first = u.first_block * v.lanes, last = u.end_block * v.lanes;
  const std::size_t s = first + threadIdx.x;
  const bool mine = s < last;
  const std::size_t networks = u.end_network - u.first_network;
  const bool sums = v.mean_field.enabled || v.electrical.enabled;
  for (std::uint64_t step = begin; step < end; ++step) {
    const std::uint64_t k = step / noise_steps_per_block;
    const int n = static_cast<int>(step - k * noise_steps_per_block);
    if (Thermal && mine && (n == 0 || step == begin)) draw_slot_noise(v, s, k);
    if (sums && threadIdx.x < networks) network_sums(v, u.first_network + threadIdx.x, v.state);
    __syncthreads();
    if (mine) {
      store_slot_field(v, s, v.state);
      predict_slot<Adapter, T, Thermal, Inputs>(v, s, step, n);
    }
    __syncthreads();
    if (sums && threadIdx.x < networks) network_sums(v, u.first_network + threadIdx.x, v.predicted);
    __syncthreads();
    if (mine) {
      store_slot_field(v, s, v.predicted);
      signal[s] = correct_slot<Adapter, T, Thermal, Inputs>(v, s, step, n);
    }
    __syncthreads();
    if (threadIdx.x < networks) observe_network(v, u.first_network + threadIdx.x, step, signal);
    __syncthreads();
  }
}

// One pass of one step over every slot (or network): the kernels of networks too large for a block.
template <class Adapter, class T>
__global__ void noise_kernel(NetworkView<Adapter, T> v, std::uint64_t k) {
  const std::size_t s = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (s < v.slots) draw_slot_noise(v, s, k);
}
template <class Adapter, class T>
__global__ void sums_kernel(NetworkView<Adapter, T> v, bool predicted) {
  const std::size_t g = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (g < v.networks) network_sums(v, g, predicted ? v.predicted : v.state);
}
template <class Adapter, class T, bool Thermal, bool Inputs>
__global__ void predict_kernel(NetworkView<Adapter, T> v, std::uint64_t step, int n) {
  const std::size_t s = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (s >= v.slots) return;
  store_slot_field(v, s, v.state);
  predict_slot<Adapter, T, Thermal, Inputs>(v, s, step, n);
}
template <class Adapter, class T, bool Thermal, bool Inputs>
__global__ void correct_kernel(NetworkView<Adapter, T> v, T* signal, std::uint64_t step, int n) {
  const std::size_t s = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (s >= v.slots) return;
  store_slot_field(v, s, v.predicted);
  signal[s] = correct_slot<Adapter, T, Thermal, Inputs>(v, s, step, n);
}
template <class Adapter, class T>
__global__ void observe_kernel(NetworkView<Adapter, T> v, const T* signal, std::uint64_t step) {
  const std::size_t g = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (g < v.networks) observe_network(v, g, step, signal);
}

template <class S, class U>
SoA<S, U> mirror(DeviceArena& arena, const SoA<S, U>& host, std::size_t n) {
  SoA<S, U> d;
  for (int k = 0; k < SoA<S, U>::members; ++k) d.column[k] = arena.mirror(host.column[k], n);
  return d;
}
template <class S, class U>
void fetch_all(const SoA<S, U>& host, const SoA<S, U>& device, std::size_t n) {
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

template <class Adapter, class T, bool Thermal, bool Inputs>
void advance(const NetworkView<Adapter, T>& d, const std::vector<NetworkUnit>& units, const NetworkUnit* device_units,
             T* signal, unsigned block_slots, std::uint64_t begin, std::uint64_t end) {
  if (block_slots > 0) {
    unit_kernel<Adapter, T, Thermal, Inputs>
        <<<static_cast<unsigned>(units.size()), block_slots>>>(d, device_units, signal, begin, end);
    check(cudaGetLastError(), "network unit_kernel launch");
    return;
  }
  constexpr unsigned threads = 128;
  const unsigned slot_blocks = static_cast<unsigned>((d.slots + threads - 1) / threads);
  const unsigned network_blocks = static_cast<unsigned>((d.networks + threads - 1) / threads);
  const bool sums = d.mean_field.enabled || d.electrical.enabled;
  for (std::uint64_t step = begin; step < end; ++step) {
    const std::uint64_t k = step / noise_steps_per_block;
    const int n = static_cast<int>(step - k * noise_steps_per_block);
    if (Thermal && (n == 0 || step == begin)) noise_kernel<<<slot_blocks, threads>>>(d, k);
    if (sums) sums_kernel<<<network_blocks, threads>>>(d, false);
    predict_kernel<Adapter, T, Thermal, Inputs><<<slot_blocks, threads>>>(d, step, n);
    if (sums) sums_kernel<<<network_blocks, threads>>>(d, true);
    correct_kernel<Adapter, T, Thermal, Inputs><<<slot_blocks, threads>>>(d, signal, step, n);
    observe_kernel<<<network_blocks, threads>>>(d, signal, step);
  }
  check(cudaGetLastError(), "network pass kernels launch");
}

}  // namespace network_detail

template <class Adapter, class T>
void run_network(const NetworkView<Adapter, T>& host, std::uint64_t total_steps, std::uint64_t steps_per_launch,
                 std::uint64_t trace_samples, std::uint64_t order_trace_samples, std::uint64_t signal_samples,
                 bool thermal, NetworkProgress progress, void* context) {
  using namespace network_detail;
  using View = NetworkView<Adapter, T>;
  constexpr int D = Adapter::dim, P = Adapter::noise_pairs;
  const std::size_t n = host.slots, G = host.networks, N = host.size;
  const std::size_t tones = static_cast<std::size_t>(host.drive.vector_tones.count + host.drive.current_tones.count);
  const std::size_t schedule = host.drive.schedule.kind == ScheduleKind::none ? 0 : host.drive.schedule.samples;
  const std::size_t trace = trace_samples * static_cast<std::size_t>(host.trace_columns);
  const std::size_t plv = host.observed.plv != nullptr ? G * N * (N - 1) : 0;
  std::size_t coupling = 0;
  for (int t = 0; t < host.sparse_count; ++t) {
    const std::size_t entries = static_cast<std::size_t>(host.sparse[t].width) * N;
    const std::size_t weights = entries * block_size(host.sparse[t].kind, D) * (host.sparse[t].network_stride ? G : 1);
    coupling += entries * sizeof(std::int32_t) + weights * sizeof(T);
  }
  const std::size_t needed =
      n * (sizeof(typename View::Coefficients) + 3 * sizeof(typename View::State) + sizeof(typename View::Accumulators) +
           sizeof(std::uint32_t) * 3 + sizeof(std::uint64_t) + sizeof(int) + (D + 5 + 6 * P) * sizeof(T)) +
      n * tones * (3 * sizeof(T) + 2 * sizeof(double)) + n * schedule * sizeof(T) +
      trace * (sizeof(typename View::State) + sizeof(T)) + coupling + G * (D + 1) * sizeof(T) +
      (order_trace_samples + signal_samples) * G * sizeof(double) + plv * sizeof(double) + G * 3 * sizeof(double);
  check_free_memory(needed);

  DeviceArena arena;
  View d = host;
  d.network_of = arena.mirror(host.network_of, n);
  d.local_of = arena.mirror(host.local_of, n);
  d.valid = arena.mirror(host.valid, n);
  d.coefficients = mirror(arena, host.coefficients, n);
  d.state = mirror(arena, host.state, n);
  d.predicted = mirror(arena, host.predicted, n);
  d.slope = mirror(arena, host.slope, n);
  d.accumulators = mirror(arena, host.accumulators, n);
  d.drive.vector_tones = mirror_tones(arena, host.drive.vector_tones, n);
  d.drive.current_tones = mirror_tones(arena, host.drive.current_tones, n);
  d.drive.schedule.values = arena.mirror(host.drive.schedule.values, n * schedule);
  d.status = arena.mirror(host.status, n);
  d.failed_step = arena.mirror(host.failed_step, n);
  d.field = arena.mirror(host.field, static_cast<std::size_t>(D) * n);
  d.extra_current = arena.mirror(host.extra_current, n);
  d.emission = arena.mirror(host.emission, n);
  d.dc_level = arena.mirror(host.dc_level, n);
  d.sums = arena.mirror(host.sums, G * (D + 1));
  d.noise = arena.mirror(host.noise, 3 * 2 * static_cast<std::size_t>(P) * n);
  for (int t = 0; t < host.sparse_count; ++t) {
    const std::size_t entries = static_cast<std::size_t>(host.sparse[t].width) * N;
    const std::size_t weights = entries * block_size(host.sparse[t].kind, D) * (host.sparse[t].network_stride ? G : 1);
    d.sparse[t].offset = arena.mirror(host.sparse[t].offset, entries);
    d.sparse[t].weight = arena.mirror(host.sparse[t].weight, weights);
  }
  if (host.mean_field.enabled) d.mean_field.weight = arena.mirror(host.mean_field.weight, G * block_size(host.mean_field.kind, D));
  if (host.electrical.enabled) {
    d.electrical.a = arena.mirror(host.electrical.a, n);
    d.electrical.b = arena.mirror(host.electrical.b, n);
    d.electrical.c = arena.mirror(host.electrical.c, n);
    d.electrical.gain = arena.mirror(host.electrical.gain, G);
  }
  NetworkObservablesView& o = d.observed;
  o.order_sum = arena.mirror(host.observed.order_sum, G);
  o.order_sum2 = arena.mirror(host.observed.order_sum2, G);
  o.order_samples = arena.mirror(host.observed.order_samples, G);
  o.order_trace = arena.mirror(host.observed.order_trace, order_trace_samples * G);
  o.plv = arena.mirror(host.observed.plv, plv);
  o.signal_trace = arena.mirror(host.observed.signal_trace, signal_samples * G);
  d.trace_column = arena.mirror(host.trace_column, n);
  d.trace_state = mirror(arena, host.trace_state, trace);
  d.trace_signal = arena.mirror(host.trace_signal, trace);
  T* signal = arena.allocate<T>(n);
  check(cudaMemset(signal, 0, n * sizeof(T)), "cudaMemset");

  // One block per unit when every unit fits in a block; else one kernel per pass.
  const std::vector<NetworkUnit> units = network_units(host, max_block);
  std::size_t widest = 0;
  for (const NetworkUnit& u : units) widest = std::max(widest, (u.end_block - u.first_block) * host.lanes);
  unsigned block_slots = 0;
  if (widest <= max_block) block_slots = static_cast<unsigned>((widest + 31) / 32 * 32);
  const NetworkUnit* device_units = arena.mirror(units.data(), units.size());

  const bool inputs = tones > 0 || schedule > 0;
  for (std::uint64_t begin = 0; begin < total_steps; begin += steps_per_launch) {
    const std::uint64_t end = begin + steps_per_launch < total_steps ? begin + steps_per_launch : total_steps;
    if (thermal) {
      if (inputs) advance<Adapter, T, true, true>(d, units, device_units, signal, block_slots, begin, end);
      else advance<Adapter, T, true, false>(d, units, device_units, signal, block_slots, begin, end);
    } else {
      if (inputs) advance<Adapter, T, false, true>(d, units, device_units, signal, block_slots, begin, end);
      else advance<Adapter, T, false, false>(d, units, device_units, signal, block_slots, begin, end);
    }
    check(cudaDeviceSynchronize(), "network kernels");
    if (progress) progress(context, static_cast<double>(end) / static_cast<double>(total_steps));
  }

  fetch_all(host.state, d.state, n);
  fetch_all(host.accumulators, d.accumulators, n);
  fetch(host.status, d.status, n);
  fetch(host.failed_step, d.failed_step, n);
  fetch_all(host.trace_state, d.trace_state, trace);
  fetch(host.trace_signal, d.trace_signal, trace);
  fetch(host.observed.order_sum, o.order_sum, G);
  fetch(host.observed.order_sum2, o.order_sum2, G);
  fetch(host.observed.order_samples, o.order_samples, G);
  fetch(host.observed.order_trace, o.order_trace, order_trace_samples * G);
  fetch(host.observed.plv, o.plv, plv);
  fetch(host.observed.signal_trace, o.signal_trace, signal_samples * G);
}

}  // namespace spinnet::cuda
