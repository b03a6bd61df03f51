// CUDA instantiation of the batch driver for coupled auto-oscillator networks.
#include "kernels/engine/batch_cuda.cuh"
#include "spinnet/models/oscillator_network.hpp"

namespace spinnet::cuda {

#define SPINNET_NETWORK_CUDA(M, T)                                                                        \
  template void run<OscillatorNetworkModel<M>, T>(const BatchView<OscillatorNetworkModel<M>, T>&,          \
                                                  std::uint64_t, std::uint64_t, std::uint64_t, bool,       \
                                                  LaunchCallback, void*);
SPINNET_NETWORK_CUDA(2, float)
SPINNET_NETWORK_CUDA(2, double)
SPINNET_NETWORK_CUDA(3, float)
SPINNET_NETWORK_CUDA(3, double)
SPINNET_NETWORK_CUDA(4, float)
SPINNET_NETWORK_CUDA(4, double)
#undef SPINNET_NETWORK_CUDA

}  // namespace spinnet::cuda
