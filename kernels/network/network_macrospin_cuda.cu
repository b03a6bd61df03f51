// CUDA instantiation of the coupled networks of the macrospin model.
#include "kernels/network/network_cuda.cuh"
#include "spinnet/models/coupled_macrospin.hpp"

namespace spinnet::cuda {

template void run_network<CoupledMacrospin, float>(const NetworkView<CoupledMacrospin, float>&, std::uint64_t, std::uint64_t, std::uint64_t,
                                        std::uint64_t, std::uint64_t, bool, NetworkProgress, void*);
template void run_network<CoupledMacrospin, double>(const NetworkView<CoupledMacrospin, double>&, std::uint64_t, std::uint64_t,
                                         std::uint64_t, std::uint64_t, std::uint64_t, bool, NetworkProgress, void*);

}  // namespace spinnet::cuda
