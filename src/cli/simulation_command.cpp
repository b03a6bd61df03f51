// `spinnet run` of a simulation or study config: the share of the study this process (shard, MPI
// rank) owns, checkpointed batch by batch; the results once every share is done.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include "interrupt.hpp"
#include "plots.hpp"
#include "run_command.hpp"
#include "spinnet/config/run_config.hpp"
#include "spinnet/core/errors.hpp"
#include "spinnet/study/experiment.hpp"
#include "spinnet/study/output.hpp"
#include "spinnet/study/progress.hpp"
#include "spinnet/study/scheduler.hpp"

#if defined(SPINNET_HAVE_CUDA)
#include "kernels/engine/device_query.hpp"
#endif

namespace spinnet::cli {

namespace {

constexpr int exit_user_error = 2;

spinnet::Backend parse_backend(const std::string& name) {
  if (name == "cpu") return spinnet::Backend::cpu;
  if (name == "cuda") return spinnet::Backend::cuda;
  return spinnet::Backend::automatic;
}

}  // namespace

std::pair<std::size_t, std::size_t> parse_shard(const std::string& text) {
  std::size_t i = 0, n = 0;
  char slash = 0, extra = 0;
  if (std::sscanf(text.c_str(), "%zu %c %zu %c", &i, &slash, &n, &extra) != 3 || slash != '/' || n == 0 || i >= n)
    throw spinnet::RunError("--shard: expected i/n with 0 <= i < n (e.g. 0/4), got \"" + text + "\"");
  return {i, n};
}

/// `spinnet run`: the share of the study this process (shard, MPI rank) owns, checkpointed batch by
/// batch; the results once every share is done.
int run_simulation(const RunFlags& args, const RunTarget& target, const MpiWorld& world, bool& resumable) {
  const bool resume = target.resume;
  const std::string out_dir = target.out;
  CheckpointPlan plan;
  if (resume) {
    plan = read_checkpoint_plan(out_dir);
  } else {
    plan.document = target.document;
    plan.config_file = target.config_file;
  }
  const RunConfig config = read_run_config(plan.document, plan.config_file);
  if (!resume) {
    auto [shard, shards] = args.shard.empty() ? std::pair<std::size_t, std::size_t>{0, 1} : parse_shard(args.shard);
    if (world.size > 1 && shards > 1) throw RunError("--shard and mpirun cannot be combined: each rank is a shard");
    plan.shard = shard;
    plan.shards = world.size > 1 ? static_cast<std::size_t>(world.size) : shards;
    plan.mpi = world.size > 1;
  } else if (!args.shard.empty()) {
    throw RunError("--shard: a resumed run keeps its shard (give --resume DIR alone)");
  }
  RunOptions options;
  options.backend = parse_backend(args.backend.empty() ? "auto" : args.backend);
  options.threads = args.threads;
#if defined(SPINNET_HAVE_CUDA)
  if (world.active && uses_cuda(options.backend)) cuda::select_device_for_rank(world.local_rank);
#endif

  // Rank 0 creates the checkpoint (plan and config); every rank then reads it.
  bool ok = true;
  if (world.rank == 0) {
    try {
      prepare_output_directory(out_dir);
      if (!resume) {
        const WorkLayout layout = work_layout(config);
        plan.config_hash = config_hash(plan.document);
        plan.items = layout.items();
        plan.devices_per_item = layout.devices_per_item;
        plan.items_per_batch = args.batch_items > 0 ? args.batch_items : choose_batch_items(config, options);
        detail::start_checkpoint(plan, out_dir);
      }
    } catch (const std::exception& e) {
      std::cerr << "spinnet: " << e.what() << "\n";
      ok = false;
    }
  }
  if (!mpi_all(world, ok)) return exit_user_error;
  plan = read_checkpoint_plan(out_dir);
  if (plan.config_hash != config_hash(plan.document)) throw RunError("cannot resume " + out_dir + ": damaged plan");

  // The shards this process runs: its own; under mpirun the rank's; all of an mpirun plan when
  // resumed by one process.
  std::vector<std::size_t> shards{plan.shard};
  if (plan.mpi) {
    if (world.size == 1) {
      shards.clear();
      for (std::size_t s = 0; s < plan.shards; ++s) shards.push_back(s);
    } else if (static_cast<std::size_t>(world.size) == plan.shards) {
      shards = {static_cast<std::size_t>(world.rank)};
    } else {
      throw RunError("cannot resume " + out_dir + " with " + std::to_string(world.size) + " ranks: it was started with " +
                     std::to_string(plan.shards) + " (use that many, or one process)");
    }
  } else if (world.size > 1) {
    throw RunError("cannot resume " + out_dir + " under mpirun: it was not started with mpirun");
  }

  install_interrupt_handlers();
  ProgressReporter reporter(args.quiet || world.rank > 0);
  StudyOptions study;
  study.run = options;
  study.progress = [&reporter](const StudyProgress& p) { reporter(p); };
  study.interrupted = [] { return interrupted_by() != 0; };
  // Snapshots inside a long batch (scheduler.hpp); SPINNET_SNAPSHOT_SECONDS changes the interval.
  if (const char* every = std::getenv("SPINNET_SNAPSHOT_SECONDS")) study.snapshot_seconds = std::atof(every);
  bool complete = true;
  std::size_t batches = 0, skipped = 0;
  double seconds = 0;
  ok = true;
  try {
    for (std::size_t shard : shards) {
      CheckpointPlan mine = plan;
      mine.shard = shard;
      const StudyOutcome outcome = detail::run_shard(config, out_dir, mine, study);
      complete = complete && outcome.complete;
      batches += outcome.batches_total;
      skipped += outcome.batches_skipped;
      seconds += outcome.wall_seconds;
      if (!outcome.complete) break;
    }
  } catch (const OutputWriteError& e) {
    std::cerr << "spinnet: " << e.what() << "\n";
    ok = false;
    resumable = true;  // finished batches are kept; the message says how to resume
  } catch (const std::exception& e) {
    // A numerical blow-up repeats on resume (the run is deterministic): no checkpoint is kept.
    std::cerr << "spinnet: " << (world.size > 1 ? "rank " + std::to_string(world.rank) + ": " : "") << e.what() << "\n";
    ok = false;
  }
  const bool all_done = mpi_all(world, ok && complete);
  resumable = mpi_all(world, ok || resumable) && !all_done;
  if (interrupted_by() != 0) {
    if (world.rank == 0)
      std::cerr << "spinnet: interrupted (signal " << interrupted_by() << "); finished work is kept in " << out_dir
                << "; resume with: spinnet run --resume " << out_dir << "\n";
    return 128 + interrupted_by();
  }
  if (!ok || !all_done) {
    if (world.rank == 0 && !resumable) {
      std::error_code ec;
      std::filesystem::remove_all(std::filesystem::path(out_dir) / "checkpoint", ec);
    }
    return exit_user_error;
  }
  if (world.rank != 0) return 0;
  if (plan.shards > 1 && !plan.mpi) {
    std::cout << "spinnet: " << config.name << ": shard " << plan.shard << "/" << plan.shards << " done (" << batches
              << " batches, " << skipped << " from the checkpoint) in " << seconds << " s; its records are in "
              << out_dir << "; once every shard is done: spinnet merge SHARD_DIR... --out DIR\n";
    return 0;
  }
  try {
    assemble_results({out_dir}, out_dir, plan.document, plan.config_file, config);
  } catch (const RunError& e) {
    std::cerr << "spinnet: " << e.what() << "; every finished batch is kept: resume with: spinnet run --resume "
              << out_dir << "\n";
    resumable = true;
    return exit_user_error;
  }
  std::cout << "spinnet: " << config.name << ": " << config.device_count() << " devices x " << config.control.steps
            << " steps in " << batches << " batches (" << skipped << " from the checkpoint) in " << seconds
            << " s; results in " << out_dir << "\n";
  return 0;
}

}  // namespace spinnet::cli
