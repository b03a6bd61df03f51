// CUDA instantiation of the batch driver for the vortex model.
#include "kernels/engine/batch_cuda.cuh"
#include "spinnet/models/vortex.hpp"

namespace spinnet::cuda {

template void run<VortexModel, float>(const BatchView<VortexModel, float>&, std::uint64_t, std::uint64_t,
                                      std::uint64_t, bool, LaunchCallback, void*);
template void run<VortexModel, double>(const BatchView<VortexModel, double>&, std::uint64_t, std::uint64_t,
                                       std::uint64_t, bool, LaunchCallback, void*);

}  // namespace spinnet::cuda
