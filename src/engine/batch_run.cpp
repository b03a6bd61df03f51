// Backend choice, memory checks and failure reports shared by every device model.
#include <fstream>
#include <sstream>
#include <string>

#include "engine/host_batch.hpp"
#include "spinnet/core/errors.hpp"

#if defined(SPINNET_HAVE_CUDA)
#include "kernels/engine/batch_cuda.hpp"
#endif

namespace spinnet {

std::string to_string(Precision p) { return p == Precision::float32 ? "float32" : "float64"; }

std::string to_string(Backend b) {
  switch (b) {
    case Backend::automatic: return "auto";
    case Backend::cpu: return "cpu";
    case Backend::cuda: return "cuda";
  }
  return "?";
}

bool cuda_available() {
#if defined(SPINNET_HAVE_CUDA)
  return cuda::device_count() > 0;
#else
  return false;
#endif
}

bool uses_cuda(Backend backend) {
  switch (backend) {
    case Backend::cpu: return false;
    case Backend::automatic: return cuda_available();
    case Backend::cuda:
#if defined(SPINNET_HAVE_CUDA)
      if (!cuda_available()) throw RunError("--backend cuda: no CUDA device is visible on this machine");
      return true;
#else
      throw RunError("--backend cuda: this spinnet was built without CUDA (configure with nvcc available)");
#endif
  }
  return false;
}

namespace detail {

void check_host_memory(std::uint64_t bytes) {
  std::ifstream meminfo("/proc/meminfo");
  std::string key, unit;
  std::uint64_t kib = 0;
  while (meminfo >> key >> kib >> unit) {
    if (key != "MemAvailable:") continue;
    const std::uint64_t available = kib * 1024;
    if (bytes > available) {
      throw RunError("run needs " + std::to_string(bytes >> 20) + " MiB of memory, the machine has " +
                     std::to_string(available >> 20) + " MiB available; use fewer devices or a sparser trace");
    }
    return;
  }
}

void report_failures(const std::vector<std::uint32_t>& status, const std::vector<std::uint64_t>& failed_step,
                     std::size_t devices, const RunControl& control, const std::string& model_hint) {
  for (std::size_t i = 0; i < devices; ++i) {
    if (status[i] == status_ok) continue;
    const std::uint64_t step = failed_step[i] + 1;
    std::ostringstream time;
    time.precision(6);
    time << static_cast<double>(step) * control.dt * 1e9 << " ns";
    const std::string why =
        status[i] == status_not_finite ? "the state became non-finite; reduce integration.dt_ps" : model_hint;
    throw RunError("numerical blow-up: instance 0, device " + std::to_string(control.first_device_id + i) +
                   " at t = " + time.str() + " (step " + std::to_string(step) + "): " + why);
  }
}

}  // namespace detail
}  // namespace spinnet
