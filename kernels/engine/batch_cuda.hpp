// CUDA backend for any device model: plain-type launch interface (no JSON, no Eigen here).
#pragma once

#include <cstdint>

#include "spinnet/engine/batch.hpp"

namespace spinnet::cuda {

/// Number of visible CUDA devices; 0 when there is no driver or no device.
int device_count();

/// Name of the current CUDA device.
const char* device_name();

/// Called by the CUDA runner between launches with the fraction of steps done.
using ProgressCallback = void (*)(void* context, double fraction);

/// Mirrors every array of `host` on the GPU, integrates steps [0, total_steps) in launches of
/// `steps_per_launch`, and copies state, accumulators, status and trace back into `host`'s arrays.
/// `trace_samples` is the number of trace rows `host` holds. Throws spinnet::RunError when the GPU
/// lacks memory or a CUDA call fails. Instantiated per model in kernels/<model>_cuda.cu.
template <class Model, class T>
void run(const BatchView<Model, T>& host, std::uint64_t total_steps, std::uint64_t steps_per_launch,
         std::uint64_t trace_samples, bool thermal, ProgressCallback progress, void* context);

}  // namespace spinnet::cuda
