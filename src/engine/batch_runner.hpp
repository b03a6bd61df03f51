// advance_batch: runs a HostBatch of any model on the chosen backend, in chunks with progress.
// Included by the model's engine translation unit (src/<model>_engine.cpp).
#pragma once

#include <omp.h>

#include <chrono>
#include <string>

#include "engine/batch_cpu.hpp"
#include "engine/host_batch.hpp"

#if defined(SPINNET_HAVE_CUDA)
#include "kernels/engine/batch_cuda.hpp"
#endif

namespace spinnet::detail {

/// Snapshots and interruption between chunks (engine.hpp RunOptions), for both backends.
class ChunkSupervisor {
 public:
  ChunkSupervisor(const RunOptions& options, std::uint64_t steps, BatchArrays arrays)
      : options_(options), steps_(steps), arrays_(std::move(arrays)), clock_(options.chunk_seconds),
        last_snapshot_(std::chrono::steady_clock::now()) {}

  /// The step a saved snapshot reached (0: start from the beginning).
  std::uint64_t restore() { return options_.restore_snapshot ? options_.restore_snapshot(arrays_) : 0; }

  /// After a chunk ending at `reached` (the arrays hold that step on the host): progress, then
  /// whether to stop for an interruption (RunInterrupted after a snapshot) or for a snapshot.
  /// Returns true when the host should save now and continue (CUDA: the arrays are on the GPU and
  /// must be fetched first).
  bool snapshot_due(std::uint64_t reached) {
    if (options_.progress) options_.progress(static_cast<double>(reached) / static_cast<double>(steps_));
    if (reached >= steps_) return false;
    if (options_.interrupted && options_.interrupted()) {
      interrupted_ = true;
      return true;
    }
    const double since = std::chrono::duration<double>(std::chrono::steady_clock::now() - last_snapshot_).count();
    return options_.save_snapshot && options_.snapshot_seconds > 0 && since >= options_.snapshot_seconds;
  }
  /// Saves the arrays at `reached` (when snapshots are on); throws RunInterrupted when interrupted.
  void save(std::uint64_t reached) {
    if (options_.save_snapshot) options_.save_snapshot(reached, arrays_);
    last_snapshot_ = std::chrono::steady_clock::now();
    if (interrupted_) throw RunInterrupted{};
  }
  std::uint64_t next_chunk(std::uint64_t last_steps, double last_seconds) { return clock_.next(last_steps, last_seconds); }

 private:
  const RunOptions& options_;
  std::uint64_t steps_;
  BatchArrays arrays_;
  ChunkClock clock_;
  std::chrono::steady_clock::time_point last_snapshot_;
  bool interrupted_ = false;
};

template <class Model, class T>
std::string advance_batch(HostBatch<Model, T>& batch, const RunControl& control, bool thermal,
                          const RunOptions& options) {
  ChunkSupervisor supervisor(options, control.steps, batch.changing_arrays());
  std::uint64_t begin = std::min(supervisor.restore(), control.steps);
  if (uses_cuda(options.backend)) {
#if defined(SPINNET_HAVE_CUDA)
    // Segments between snapshots: each call mirrors the batch, runs until the supervisor stops it
    // and fetches the arrays back, so that a snapshot sees the step it reached.
    struct Context {
      ChunkSupervisor* supervisor;
      std::uint64_t first, reached, last_steps;
      bool stop_for_snapshot;
    };
    auto next_launch = [](void* raw, std::uint64_t done, double last_seconds) -> std::uint64_t {
      auto* c = static_cast<Context*>(raw);
      const std::uint64_t last = done - c->reached;
      c->reached = done;
      if (done > c->first && c->supervisor->snapshot_due(done)) {
        c->stop_for_snapshot = true;
        return 0;
      }
      const std::uint64_t chunk = c->supervisor->next_chunk(last, last_seconds);
      return chunk;
    };
    while (begin < control.steps) {
      Context context{&supervisor, begin, begin, 0, false};
      cuda::run<Model, T>(batch.view, begin, control.steps, batch.trace_samples, thermal, next_launch, &context);
      begin = context.reached;
      if (context.stop_for_snapshot) supervisor.save(begin);
    }
    if (options.progress) options.progress(1.0);
    return std::string("cuda (") + cuda::device_name() + ")";
#endif
  }
  // No more threads than SIMD blocks: an idle thread would only wait at every chunk's barrier.
  const int requested = options.threads > 0 ? options.threads : omp_get_max_threads();
  const int blocks = static_cast<int>(std::min<std::size_t>(batch.slots / simd_lanes<T>, 1u << 20));
  const int threads = std::max(1, std::min(requested, blocks));
  std::uint64_t chunk = supervisor.next_chunk(0, 0);
  while (begin < control.steps) {
    const std::uint64_t end = std::min(control.steps, begin + chunk);
    const auto start = std::chrono::steady_clock::now();
    cpu_advance<Model, T>(batch.view, begin, end, thermal, threads);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    chunk = supervisor.next_chunk(end - begin, seconds);
    begin = end;
    if (supervisor.snapshot_due(begin)) supervisor.save(begin);
  }
  if (control.steps == 0 && options.progress) options.progress(1.0);
  return "cpu (" + std::to_string(threads) + " threads)";
}

}  // namespace spinnet::detail
