// CUDA backend of the coupled networks: plain-type launch interface (no JSON, no Eigen here).
#pragma once

#include <cstdint>

#include "kernels/engine/batch_cuda.hpp"
#include "spinnet/network/network_view.hpp"

namespace spinnet::cuda {

/// Called by the network runner between launches with the fraction of steps done.
using NetworkProgress = void (*)(void* context, double fraction);

/// Mirrors every array of `host` on the GPU, integrates steps [0, total_steps) in launches of
/// `steps_per_launch`, and copies states, sums, status, traces and the per-network observables back
/// into `host`'s arrays (trace_samples, order_trace_samples and signal_samples rows). Networks whose
/// slots fit one thread block run one block per unit (network, or interleaved group) with all the
/// steps of a launch inside the block (barriers between the passes of a step); larger networks run
/// one kernel per pass. Throws spinnet::RunError when the GPU lacks memory or a CUDA call fails.
/// Instantiated per model in kernels/network/network_<model>_cuda.cu.
template <class Adapter, class T>
void run_network(const NetworkView<Adapter, T>& host, std::uint64_t total_steps, std::uint64_t steps_per_launch,
                 std::uint64_t trace_samples, std::uint64_t order_trace_samples, std::uint64_t signal_samples,
                 bool thermal, NetworkProgress progress, void* context);

}  // namespace spinnet::cuda
