// advance_batch: runs a HostBatch of any model on the chosen backend, in chunks with progress.
// Included by the model's engine translation unit (src/<model>_engine.cpp).
#pragma once

#include <omp.h>

#include <string>

#include "engine/batch_cpu.hpp"
#include "engine/host_batch.hpp"

#if defined(SPINNET_HAVE_CUDA)
#include "kernels/engine/batch_cuda.hpp"
#endif

namespace spinnet::detail {

template <class Model, class T>
std::string advance_batch(HostBatch<Model, T>& batch, const RunControl& control, bool thermal,
                          const RunOptions& options) {
  const std::uint64_t chunk = chunk_steps(control.steps);
  if (uses_cuda(options.backend)) {
#if defined(SPINNET_HAVE_CUDA)
    auto callback = [](void* context, double fraction) {
      const auto* opts = static_cast<const RunOptions*>(context);
      if (opts->progress) opts->progress(fraction);
    };
    cuda::run<Model, T>(batch.view, control.steps, chunk, batch.trace_samples, thermal, callback,
                        const_cast<RunOptions*>(&options));
    return std::string("cuda (") + cuda::device_name() + ")";
#endif
  }
  // No more threads than SIMD blocks: an idle thread would only wait at every chunk's barrier.
  const int requested = options.threads > 0 ? options.threads : omp_get_max_threads();
  const int blocks = static_cast<int>(std::min<std::size_t>(batch.slots / simd_lanes<T>, 1u << 20));
  const int threads = std::max(1, std::min(requested, blocks));
  for (std::uint64_t begin = 0; begin < control.steps; begin += chunk) {
    const std::uint64_t end = std::min(control.steps, begin + chunk);
    cpu_advance<Model, T>(batch.view, begin, end, thermal, threads);
    if (options.progress) options.progress(static_cast<double>(end) / static_cast<double>(control.steps));
  }
  return "cpu (" + std::to_string(threads) + " threads)";
}

}  // namespace spinnet::detail
