// Checked CUDA calls and device allocations released on every exit path (CUDA translation units only).
#pragma once

#include <cuda_runtime.h>

#include <string>
#include <vector>

#include "spinnet/core/errors.hpp"

namespace spinnet::cuda {

inline void check(cudaError_t code, const char* what) {
  if (code != cudaSuccess) throw RunError(std::string("CUDA error in ") + what + ": " + cudaGetErrorString(code));
}

/// Throws RunError when the GPU has less than `needed` bytes free.
inline void check_free_memory(std::size_t needed) {
  std::size_t free_bytes = 0, total_bytes = 0;
  check(cudaMemGetInfo(&free_bytes, &total_bytes), "cudaMemGetInfo");
  if (needed > free_bytes) {
    throw RunError("run needs " + std::to_string(needed >> 20) + " MiB of GPU memory, the GPU has " +
                   std::to_string(free_bytes >> 20) + " MiB free; use fewer devices or a shorter trace");
  }
}

class DeviceArena {
 public:
  DeviceArena() = default;
  DeviceArena(const DeviceArena&) = delete;
  DeviceArena& operator=(const DeviceArena&) = delete;
  ~DeviceArena() {
    for (void* p : blocks_) cudaFree(p);
  }
  /// A device copy of `count` elements of `host` (nullptr when there is nothing to copy).
  template <class U>
  U* mirror(const U* host, std::size_t count) {
    if (count == 0 || host == nullptr) return nullptr;
    U* p = allocate<U>(count);
    check(cudaMemcpy(p, host, count * sizeof(U), cudaMemcpyHostToDevice), "cudaMemcpy to device");
    return p;
  }
  template <class U>
  U* allocate(std::size_t count) {
    void* p = nullptr;
    check(cudaMalloc(&p, count * sizeof(U)), "cudaMalloc");
    blocks_.push_back(p);
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

}  // namespace spinnet::cuda
