// CUDA backend for any device model: plain-type launch interface (no JSON, no Eigen here).
#pragma once

#include <cstdint>

#include "spinnet/engine/batch.hpp"

namespace spinnet::cuda {

/// Number of visible CUDA devices; 0 when there is no driver or no device.
int device_count();

/// Name of the current CUDA device.
const char* device_name();

/// Called by the CUDA runner before each launch and after the last, with the steps done so far
/// (absolute) and the wall time of the last launch (0 before the first); returns the steps of the
/// next launch, 0 to stop.
/// The host sizes launches by wall time and stops for an interruption or a snapshot
/// (src/engine/batch_runner.hpp).
using LaunchCallback = std::uint64_t (*)(void* context, std::uint64_t steps_done, double last_launch_seconds);

/// Mirrors every array of `host` on the GPU, integrates steps [first_step, end_step) in launches
/// whose sizes `next_launch` chooses, and copies state, accumulators, status and trace back into
/// `host`'s arrays: at end_step, or where `next_launch` returned 0 (it saw the step reached). A
/// later call continues from there (noise and drives depend on the absolute step only).
/// `trace_samples` is the number of trace rows `host` holds. Throws spinnet::RunError when the GPU
/// lacks memory or a CUDA call fails. Instantiated per model in kernels/<model>_cuda.cu.
template <class Model, class T>
void run(const BatchView<Model, T>& host, std::uint64_t first_step, std::uint64_t end_step,
         std::uint64_t trace_samples, bool thermal, LaunchCallback next_launch, void* context);

}  // namespace spinnet::cuda
