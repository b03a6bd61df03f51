// CUDA instantiation of the coupled networks of the vortex model.
#include "kernels/network/network_cuda.cuh"
#include "spinnet/models/coupled_vortex.hpp"

namespace spinnet::cuda {

template void run_network<CoupledVortex, float>(const NetworkView<CoupledVortex, float>&, std::uint64_t, std::uint64_t, std::uint64_t,
                                        std::uint64_t, std::uint64_t, bool, NetworkProgress, void*);
template void run_network<CoupledVortex, double>(const NetworkView<CoupledVortex, double>&, std::uint64_t, std::uint64_t,
                                         std::uint64_t, std::uint64_t, std::uint64_t, bool, NetworkProgress, void*);

}  // namespace spinnet::cuda
