#include "kernels/core/cuda_check.hpp"
#include "kernels/engine/device_query.hpp"

namespace spinnet::cuda {

DeviceMemory device_memory() {
  DeviceMemory out;
  std::size_t free_bytes = 0, total_bytes = 0;
  check(cudaMemGetInfo(&free_bytes, &total_bytes), "cudaMemGetInfo");
  int device = 0;
  check(cudaGetDevice(&device), "cudaGetDevice");
  check(cudaDeviceGetAttribute(&out.multiprocessors, cudaDevAttrMultiProcessorCount, device),
        "cudaDeviceGetAttribute(multiprocessor count)");
  out.free_bytes = free_bytes;
  out.total_bytes = total_bytes;
  return out;
}

int select_device_for_rank(int local_rank) {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) {
    cudaGetLastError();
    return -1;
  }
  const int device = local_rank % count;
  check(cudaSetDevice(device), "cudaSetDevice");
  return device;
}

}  // namespace spinnet::cuda
