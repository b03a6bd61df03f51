// CUDA instantiation of the batch driver for the auto-oscillator model.
#include "kernels/engine/batch_cuda.cuh"
#include "spinnet/models/auto_oscillator.hpp"

namespace spinnet::cuda {

template void run<AutoOscillatorModel, float>(const BatchView<AutoOscillatorModel, float>&, std::uint64_t,
                                              std::uint64_t, std::uint64_t, bool, LaunchCallback, void*);
template void run<AutoOscillatorModel, double>(const BatchView<AutoOscillatorModel, double>&, std::uint64_t,
                                               std::uint64_t, std::uint64_t, bool, LaunchCallback, void*);

}  // namespace spinnet::cuda
