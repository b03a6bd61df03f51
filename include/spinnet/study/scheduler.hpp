// The study scheduler: a study (sweep points x instances) as work items, packed into batches sized
// for the backend, run one batch at a time with every finished batch checkpointed in the run
// directory, so that an interrupted run resumes without recomputing finished batches, and shards
// (--shard i/n, MPI ranks) run disjoint shares that merge into the same results.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "spinnet/core/errors.hpp"
#include "spinnet/study/experiment.hpp"
#include "spinnet/config/run_config.hpp"

namespace spinnet {

/// How a study's devices form work items. A work item is one instance at one sweep point: the
/// devices_per_item consecutive devices starting at item * devices_per_item.
struct WorkLayout {
  std::size_t points = 1;
  std::size_t instances = 1;
  std::size_t devices_per_item = 1;  // devices_per_instance
  std::size_t items() const { return points * instances; }
  std::size_t devices() const { return items() * devices_per_item; }
};

/// The layout of a config (falls back to one instance per point when a reader leaves
/// instances * devices_per_instance != devices_per_point).
WorkLayout work_layout(const RunConfig& config);

/// A contiguous range of work items run as one engine batch.
struct BatchRange {
  std::size_t first_item = 0;
  std::size_t items = 0;
  std::size_t end_item() const { return first_item + items; }
};

/// What a batch size is chosen from; every number is given, so the choice is testable without
/// the hardware.
struct BatchSizing {
  std::uint64_t bytes_per_device = 1;     // host (CPU) or GPU bytes one device needs
  std::uint64_t memory_budget = 1 << 30;  // bytes a batch may use
  std::uint64_t steps = 1;                // time steps of every device
  /// Upper bound on device-steps in one batch, so that checkpoints come every few seconds to
  /// minutes whatever the study (a batch is the unit of work lost on a kill).
  double max_device_steps = 8e9;
};

/// CPU batch size in devices: at least 4 SIMD blocks of `simd_lanes` per thread (idle threads
/// would wait at every chunk barrier), otherwise 65536 devices, bounded by the memory budget and
/// the device-step bound (the latter two never below one SIMD block per thread).
std::size_t cpu_batch_devices(const BatchSizing& sizing, int threads, std::size_t simd_lanes);

/// CUDA batch size in devices: enough threads to fill every multiprocessor 8 times over
/// (2048 resident threads per SM), bounded by 80 % of the free GPU memory and the device-step bound.
std::size_t cuda_batch_devices(const BatchSizing& sizing, std::uint64_t free_bytes, int multiprocessors);

/// Items [begin, end) of shard `shard` of `shards`: contiguous, balanced, deterministic.
BatchRange shard_range(std::size_t items, std::size_t shard, std::size_t shards);

/// Splits a range of items into batches of at most items_per_batch items.
std::vector<BatchRange> plan_batches(const BatchRange& range, std::size_t items_per_batch);

/// The part of a config that devices [first, first + count) form: their parameters, drives,
/// trace devices (local indices), spectra to keep and global device ids (noise). `count` and
/// `first` are multiples of config.group_size() (whole networks).
RunConfig slice_config(const RunConfig& config, std::size_t first, std::size_t count);

/// The traced devices as the engine traces them: observables.trace.devices (the oscillators of a
/// network each on their own).
std::vector<std::uint32_t> traced_units(const RunConfig& config);

/// Bytes one device needs on the host for this config (engine arrays, spectrum traces).
std::uint64_t bytes_per_device(const RunConfig& config);

/// Bytes one oscillator of a coupled network needs on the host (network engine arrays, its share
/// of the coupling terms, summed-signal traces; network_experiment.cpp).
std::uint64_t network_bytes_per_oscillator(const RunConfig& config);

/// Work items per batch for this config and backend (`threads` 0: all).
std::size_t choose_batch_items(const RunConfig& config, const RunOptions& options);

/// Throws RunError when the smallest batch of the study (one work item, with every traced device's
/// trace) does not fit in available host memory: the engine's own check (run_model_checked), made
/// before anything is written, and by `spinnet validate`, so that validate and run agree.
void check_study_memory(const RunConfig& config);

struct StudyProgress {
  double fraction = 0;  // of this process's device-steps
  std::size_t items_done = 0, items_total = 0;
  std::size_t batches_done = 0, batches_total = 0;
};

struct StudyOptions {
  RunOptions run;                  // backend and threads (its progress callback is not used)
  std::size_t shard = 0, shards = 1;
  std::size_t batch_items = 0;     // work items per batch; 0: choose_batch_items
  bool resume = false;             // keep the checkpoint and skip its finished batches
  bool write_results = true;       // assemble results.h5 and result.json at the end
  std::function<void(const StudyProgress&)> progress;
  /// Polled between engine chunks: true stops the study; the current batch keeps a snapshot.
  std::function<bool()> interrupted;
  /// A batch that runs longer saves a snapshot of its state and sums this often (wall time), in
  /// checkpoint/partial-items-<first>-<end>-<k>.bin, and a resume continues from it (0: never).
  double snapshot_seconds = 30;
};

struct StudyOutcome {
  bool complete = false;  // every batch of this shard finished
  std::size_t batches_total = 0, batches_run = 0, batches_skipped = 0;
  double wall_seconds = 0;    // run_shard / run_study, from start to results
  double engine_seconds = 0;  // of which the engine stepped (ModelResult::wall_seconds, summed)
};

/// A failed write of a checkpoint or result file; finished batches stay in the checkpoint.
class OutputWriteError : public RunError {
 public:
  using RunError::RunError;
};

/// Runs the share of the study that options.shard selects, batch by batch, into
/// `directory`/checkpoint (see docs/outputs.md), then writes the results when the whole study is
/// there and options.write_results. `document` and `config_file` are the config as given (kept for
/// --resume). A fresh run (not resume) clears an existing checkpoint first.
StudyOutcome run_study(const json& document, const std::string& config_file, const RunConfig& config,
                       const std::string& directory, const StudyOptions& options);

/// The checkpoint of a run directory, as `spinnet run --resume` needs it.
struct CheckpointPlan {
  json document;  // the config as given
  std::string config_file;
  std::uint64_t config_hash = 0;
  std::size_t items = 0, devices_per_item = 0, items_per_batch = 0;
  std::size_t shard = 0, shards = 1;
  bool mpi = false;  // shards are the ranks of one mpirun: rank 0 assembles the results
};

/// Reads `directory`/checkpoint/plan.json; throws RunError naming the file when it is missing or
/// not a spinnet checkpoint.
CheckpointPlan read_checkpoint_plan(const std::string& directory);

/// Writes results.h5, result.json, resolved.json, trace.csv and spectrum.csv into `out_directory`
/// from the checkpoints of `run_directories` (one run, or the shards of one), which together must
/// hold every work item of `config` exactly once. Throws RunError naming a missing item range, a
/// damaged file or a shard of another config.
void assemble_results(const std::vector<std::string>& run_directories, const std::string& out_directory,
                      const json& document, const std::string& config_file, const RunConfig& config);

/// `spinnet merge`: reads the config from the first shard's checkpoint and assembles the shards.
void merge_shards(const std::vector<std::string>& run_directories, const std::string& out_directory);

namespace detail {
/// Clears `directory`/checkpoint and writes its plan (the config as given and the batch layout).
void start_checkpoint(const CheckpointPlan& plan, const std::string& directory);
/// Runs the batches of shard plan.shard of plan.shards that the checkpoint does not hold yet.
StudyOutcome run_shard(const RunConfig& config, const std::string& directory, const CheckpointPlan& plan,
                       const StudyOptions& options);
}  // namespace detail

/// FNV-1a 64 of the config's compact JSON text: identifies the config of a checkpoint.
std::uint64_t config_hash(const json& document);

}  // namespace spinnet
