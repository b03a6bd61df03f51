// Thin CUDA driver: one thread per device, state in registers for a whole launch, calling the same
// advance_device as every backend (include/spinnet/macrospin_batch.hpp).
#include "macrospin_cuda.hpp"

#include <cuda_runtime.h>

#include <string>
#include <vector>

#include "spinnet/errors.hpp"

namespace spinnet::cuda {
namespace {

void check(cudaError_t code, const char* what) {
  if (code != cudaSuccess) {
    throw RunError(std::string("CUDA error in ") + what + ": " + cudaGetErrorString(code));
  }
}

template <class T, bool Thermal, bool Tones>
__global__ void advance_kernel(MacrospinBatchView<T> view, std::uint64_t step_begin, std::uint64_t step_end) {
  const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= view.count) return;
  advance_device<T, Thermal, Tones>(view, i, step_begin, step_end);
}

/// Device allocations released on every exit path.
class DeviceArena {
 public:
  ~DeviceArena() {
    for (void* p : blocks_) cudaFree(p);
  }
  template <class U>
  U* mirror(const U* host, std::size_t count) {
    if (count == 0 || host == nullptr) return nullptr;
    void* p = nullptr;
    check(cudaMalloc(&p, count * sizeof(U)), "cudaMalloc");
    blocks_.push_back(p);
    check(cudaMemcpy(p, host, count * sizeof(U), cudaMemcpyHostToDevice), "cudaMemcpy to device");
    return static_cast<U*>(p);
  }

 private:
  std::vector<void*> blocks_;
};

template <class U>
void fetch(U* host, const U* device, std::size_t count) {
  if (count == 0 || host == nullptr) return;
  check(cudaMemcpy(host, device, count * sizeof(U), cudaMemcpyDeviceToHost), "cudaMemcpy to host");
}

}  // namespace

int device_count() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();  // clear the sticky "no driver" error
    return 0;
  }
  return count;
}

const char* device_name() {
  static cudaDeviceProp properties;
  int device = 0;
  if (cudaGetDevice(&device) != cudaSuccess || cudaGetDeviceProperties(&properties, device) != cudaSuccess) {
    return "unknown CUDA device";
  }
  return properties.name;
}

template <class T>
void run(const MacrospinBatchView<T>& host, std::uint64_t total_steps, std::uint64_t steps_per_launch,
         std::uint64_t trace_samples, bool thermal, ProgressCallback progress, void* context) {
  const std::size_t n = host.count;
  const std::size_t tone_field = static_cast<std::size_t>(host.tones.field_tones) * host.tones.stride;
  const std::size_t tone_current = static_cast<std::size_t>(host.tones.current_tones) * host.tones.stride;
  const std::size_t trace = trace_samples * static_cast<std::size_t>(host.trace_columns);

  std::size_t free_bytes = 0, total_bytes = 0;
  check(cudaMemGetInfo(&free_bytes, &total_bytes), "cudaMemGetInfo");
  const std::size_t needed = n * (sizeof(MacrospinCoefficients<T>) + 3 * sizeof(T) + sizeof(MacrospinAccumulators) +
                                  sizeof(std::uint32_t) + sizeof(std::uint64_t) + sizeof(int)) +
                             (tone_field + tone_current) * (3 * sizeof(T) + 2 * sizeof(double)) +
                             trace * 3 * sizeof(T);
  if (needed > free_bytes) {
    throw RunError("run needs " + std::to_string(needed >> 20) + " MiB of GPU memory, the GPU has " +
                   std::to_string(free_bytes >> 20) + " MiB free; use fewer devices or a shorter trace");
  }

  DeviceArena arena;
  MacrospinBatchView<T> d = host;
#define SPINNET_MIRROR(name) d.coefficients.name = arena.mirror(host.coefficients.name, n);
  SPINNET_MACROSPIN_COEFFICIENTS(SPINNET_MIRROR)
#undef SPINNET_MIRROR
#define SPINNET_MIRROR(name) d.accumulators.name = arena.mirror(host.accumulators.name, n);
  SPINNET_MACROSPIN_ACCUMULATORS(SPINNET_MIRROR)
#undef SPINNET_MIRROR
  d.tones.field_x = arena.mirror(host.tones.field_x, tone_field);
  d.tones.field_y = arena.mirror(host.tones.field_y, tone_field);
  d.tones.field_z = arena.mirror(host.tones.field_z, tone_field);
  d.tones.field_cycles_per_step = arena.mirror(host.tones.field_cycles_per_step, tone_field);
  d.tones.field_phase_cycles = arena.mirror(host.tones.field_phase_cycles, tone_field);
  d.tones.current_amplitude = arena.mirror(host.tones.current_amplitude, tone_current);
  d.tones.current_cycles_per_step = arena.mirror(host.tones.current_cycles_per_step, tone_current);
  d.tones.current_phase_cycles = arena.mirror(host.tones.current_phase_cycles, tone_current);
  d.mx = arena.mirror(host.mx, n);
  d.my = arena.mirror(host.my, n);
  d.mz = arena.mirror(host.mz, n);
  d.status = arena.mirror(host.status, n);
  d.failed_step = arena.mirror(host.failed_step, n);
  d.trace_column = arena.mirror(host.trace_column, n);
  d.trace_x = arena.mirror(host.trace_x, trace);
  d.trace_y = arena.mirror(host.trace_y, trace);
  d.trace_z = arena.mirror(host.trace_z, trace);

  const bool tones = host.tones.field_tones > 0 || host.tones.current_tones > 0;
  constexpr int threads_per_block = 128;
  const unsigned blocks = static_cast<unsigned>((n + threads_per_block - 1) / threads_per_block);
  for (std::uint64_t begin = 0; begin < total_steps; begin += steps_per_launch) {
    const std::uint64_t end = begin + steps_per_launch < total_steps ? begin + steps_per_launch : total_steps;
    if (thermal) {
      if (tones) advance_kernel<T, true, true><<<blocks, threads_per_block>>>(d, begin, end);
      else advance_kernel<T, true, false><<<blocks, threads_per_block>>>(d, begin, end);
    } else {
      if (tones) advance_kernel<T, false, true><<<blocks, threads_per_block>>>(d, begin, end);
      else advance_kernel<T, false, false><<<blocks, threads_per_block>>>(d, begin, end);
    }
    check(cudaGetLastError(), "advance_kernel launch");
    check(cudaDeviceSynchronize(), "advance_kernel");
    if (progress) progress(context, static_cast<double>(end) / static_cast<double>(total_steps));
  }

#define SPINNET_FETCH(name) fetch(host.accumulators.name, d.accumulators.name, n);
  SPINNET_MACROSPIN_ACCUMULATORS(SPINNET_FETCH)
#undef SPINNET_FETCH
  fetch(host.mx, d.mx, n);
  fetch(host.my, d.my, n);
  fetch(host.mz, d.mz, n);
  fetch(host.status, d.status, n);
  fetch(host.failed_step, d.failed_step, n);
  fetch(host.trace_x, d.trace_x, trace);
  fetch(host.trace_y, d.trace_y, trace);
  fetch(host.trace_z, d.trace_z, trace);
}

template void run<float>(const MacrospinBatchView<float>&, std::uint64_t, std::uint64_t, std::uint64_t, bool,
                         ProgressCallback, void*);
template void run<double>(const MacrospinBatchView<double>&, std::uint64_t, std::uint64_t, std::uint64_t, bool,
                          ProgressCallback, void*);

}  // namespace spinnet::cuda
