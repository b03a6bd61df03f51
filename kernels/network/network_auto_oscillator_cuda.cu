// CUDA instantiation of the coupled networks of the auto_oscillator model.
#include "kernels/network/network_cuda.cuh"
#include "spinnet/models/coupled_auto_oscillator.hpp"

namespace spinnet::cuda {

template void run_network<CoupledAutoOscillator, float>(const NetworkView<CoupledAutoOscillator, float>&, std::uint64_t, std::uint64_t, std::uint64_t,
                                        std::uint64_t, std::uint64_t, bool, NetworkProgress, void*);
template void run_network<CoupledAutoOscillator, double>(const NetworkView<CoupledAutoOscillator, double>&, std::uint64_t, std::uint64_t,
                                         std::uint64_t, std::uint64_t, std::uint64_t, bool, NetworkProgress, void*);

}  // namespace spinnet::cuda
