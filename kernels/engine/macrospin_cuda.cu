// CUDA instantiation of the batch driver for the macrospin model, and device queries.
#include "kernels/engine/batch_cuda.cuh"
#include "spinnet/models/macrospin.hpp"

namespace spinnet::cuda {

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

template void run<MacrospinModel, float>(const BatchView<MacrospinModel, float>&, std::uint64_t, std::uint64_t,
                                         std::uint64_t, bool, LaunchCallback, void*);
template void run<MacrospinModel, double>(const BatchView<MacrospinModel, double>&, std::uint64_t, std::uint64_t,
                                          std::uint64_t, bool, LaunchCallback, void*);

}  // namespace spinnet::cuda
