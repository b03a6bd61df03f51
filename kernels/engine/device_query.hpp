// CUDA device queries the scheduler sizes batches from, and the choice of device per MPI rank
// (plain types; implemented in kernels/engine/device_query.cu).
#pragma once

#include <cstdint>

namespace spinnet::cuda {

struct DeviceMemory {
  std::uint64_t free_bytes = 0, total_bytes = 0;
  int multiprocessors = 0;
};

/// Free and total memory and multiprocessor count of the current device. Throws RunError when a
/// CUDA call fails.
DeviceMemory device_memory();

/// Makes visible device `local_rank % count` current for this host thread (the CUDA runtime
/// numbers only the devices CUDA_VISIBLE_DEVICES lists). Returns the device chosen, -1 when none.
int select_device_for_rank(int local_rank);

}  // namespace spinnet::cuda
