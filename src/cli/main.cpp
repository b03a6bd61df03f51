// spinnet command line: run, resume and merge studies, validate configs. Every user error ends in
// one line on stderr and exit code 2; an interrupted run exits with 128 + the signal number.
#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>

#include "study/mpi_world.hpp"
#include "spinnet/config/config.hpp"
#include "spinnet/engine/engine.hpp"
#include "spinnet/core/errors.hpp"
#include "spinnet/study/experiment.hpp"
#include "spinnet/core/openmp_wait.hpp"
#include "spinnet/study/output.hpp"
#include "spinnet/study/progress.hpp"
#include "spinnet/config/run_config.hpp"
#include "spinnet/study/scheduler.hpp"

#if defined(SPINNET_HAVE_CUDA)
#include "kernels/engine/device_query.hpp"
#endif
#include "physics_in_the_loop_command.hpp"
#include "reservoir_command.hpp"
#include "rf_commands.hpp"
#include "spinnet/reservoir/reservoir_config.hpp"

namespace {

constexpr int exit_user_error = 2;

volatile std::sig_atomic_t interrupted_by = 0;

/// SIGINT / SIGTERM: the study stops at the next engine chunk; a second signal kills at once.
void install_interrupt_handlers() {
  struct sigaction action = {};
  action.sa_handler = [](int signal) { interrupted_by = signal; };
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

/// Runs tools/plot.py on a run directory (SPINNET_PLOT_SCRIPT overrides the script's path).
int draw_plots(const std::string& directory) {
  const char* override_path = std::getenv("SPINNET_PLOT_SCRIPT");
  const std::string script = override_path ? override_path : std::string(SPINNET_SOURCE_DIR) + "/tools/plot.py";
  if (!std::filesystem::exists(script)) {
    std::cerr << "spinnet: --plot: plotting script " << script << " not found (set SPINNET_PLOT_SCRIPT)\n";
    return exit_user_error;
  }
  // Debian's python3 has python3-matplotlib; a pyenv or virtualenv python3 first on PATH may not.
  const char* python_override = std::getenv("SPINNET_PYTHON");
  const std::string python = python_override                              ? python_override
                             : std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3"
                                                                           : "python3";
  const std::string command = "'" + python + "' '" + script + "' '" + directory + "'";
  std::cout.flush();
  // The script reports its own errors on one line.
  return std::system(command.c_str()) == 0 ? 0 : exit_user_error;
}

spinnet::Backend parse_backend(const std::string& name) {
  if (name == "cpu") return spinnet::Backend::cpu;
  if (name == "cuda") return spinnet::Backend::cuda;
  return spinnet::Backend::automatic;
}

/// "i/n" with 0 <= i < n.
std::pair<std::size_t, std::size_t> parse_shard(const std::string& text) {
  std::size_t i = 0, n = 0;
  char slash = 0, extra = 0;
  if (std::sscanf(text.c_str(), "%zu %c %zu %c", &i, &slash, &n, &extra) != 3 || slash != '/' || n == 0 || i >= n)
    throw spinnet::RunError("--shard: expected i/n with 0 <= i < n (e.g. 0/4), got \"" + text + "\"");
  return {i, n};
}

struct RunArguments {
  std::string config_file, out_dir, backend = "auto", shard, resume_dir;
  int threads = 0;
  std::size_t batch_items = 0;
  bool quiet = false, plot = false;
};

/// `spinnet run`: the share of the study this process (shard, MPI rank) owns, checkpointed batch by
/// batch; the results once every share is done.
int run_command(const RunArguments& args, const spinnet::MpiWorld& world) {
  using namespace spinnet;
  const bool resume = !args.resume_dir.empty();
  CheckpointPlan plan;
  std::string out_dir = args.out_dir;
  if (resume) {
    plan = read_checkpoint_plan(args.resume_dir);
    out_dir = args.resume_dir;
  } else {
    if (args.config_file.empty()) throw RunError("spinnet run: give a config file, or --resume DIR");
    plan.document = load_json_file(args.config_file);
    plan.config_file = args.config_file;
  }
  const RunConfig config = read_run_config(plan.document, plan.config_file);
  if (!resume) {
    auto [shard, shards] = args.shard.empty() ? std::pair<std::size_t, std::size_t>{0, 1} : parse_shard(args.shard);
    if (world.size > 1 && shards > 1) throw RunError("--shard and mpirun cannot be combined: each rank is a shard");
    plan.shard = shard;
    plan.shards = world.size > 1 ? static_cast<std::size_t>(world.size) : shards;
    plan.mpi = world.size > 1;
    if (out_dir.empty()) {
      std::string name = config.name;
      if (shards > 1) name += "-shard-" + std::to_string(shard) + "-of-" + std::to_string(shards);
      out_dir = (std::filesystem::path("spinnet-out") / name).string();
    }
  }
  RunOptions options;
  options.backend = parse_backend(args.backend);
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
  study.interrupted = [] { return interrupted_by != 0; };
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
  } catch (const std::exception& e) {
    std::cerr << "spinnet: " << (world.size > 1 ? "rank " + std::to_string(world.rank) + ": " : "") << e.what() << "\n";
    ok = false;
  }
  const bool all_done = mpi_all(world, ok && complete);
  if (interrupted_by != 0) {
    if (world.rank == 0)
      std::cerr << "spinnet: interrupted (signal " << interrupted_by << "); finished batches are kept in " << out_dir
                << "; resume with: spinnet run --resume " << out_dir << "\n";
    return 128 + interrupted_by;
  }
  if (!ok || !all_done) return exit_user_error;
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
    return exit_user_error;
  }
  std::cout << "spinnet: " << config.name << ": " << config.device_count() << " devices x " << config.control.steps
            << " steps in " << batches << " batches (" << skipped << " from the checkpoint) in " << seconds
            << " s; results in " << out_dir << "\n";
  return args.plot ? draw_plots(out_dir) : 0;
}

}  // namespace

int main(int argc, char** argv) {
  spinnet::prefer_passive_openmp_wait(argv);  // openmp_wait.hpp: may re-execute this program once
  spinnet::MpiWorld world;
  try {
    world = spinnet::mpi_start(&argc, &argv);
  } catch (const spinnet::RunError& e) {
    std::cerr << "spinnet: " << e.what() << "\n";
    return exit_user_error;
  }
  struct Finish {
    const spinnet::MpiWorld& world;
    ~Finish() { spinnet::mpi_finish(world); }
  } finish{world};

  CLI::App app{"spinnet: GPU-accelerated simulator of spintronic neural networks"};
  app.set_version_flag("--version", std::string("spinnet ") + SPINNET_VERSION);
  app.require_subcommand(1);

  RunArguments args;
  CLI::App* run = app.add_subcommand("run", "run the study a config describes (mpirun -n R: one shard per rank)");
  run->add_option("config", args.config_file, "JSON config file");
  run->add_option("--out", args.out_dir, "output directory (default: spinnet-out/<config name>)");
  run->add_option("--backend", args.backend, "auto (CUDA when a device is present), cpu or cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  run->add_option("--threads", args.threads, "CPU threads (default: all)")->check(CLI::NonNegativeNumber);
  run->add_option("--shard", args.shard, "run only share i of n of the work items (job arrays; then spinnet merge)");
  run->add_option("--batch-items", args.batch_items, "work items per batch (default: sized for the backend)")
      ->check(CLI::PositiveNumber);
  run->add_option("--resume", args.resume_dir, "continue the interrupted run in this directory");
  run->add_flag("--quiet", args.quiet, "no progress output");
  run->add_flag("--plot", args.plot, "draw PNG figures of the results into the output directory (python3, matplotlib)");

  std::vector<std::string> merge_dirs;
  std::string merge_out;
  bool merge_plot = false;
  CLI::App* merge = app.add_subcommand("merge", "combine the directories of --shard runs into one run's results");
  merge->add_option("directories", merge_dirs, "shard run directories")->required();
  merge->add_option("--out", merge_out, "output directory (default: spinnet-out/<config name>)");
  merge->add_flag("--plot", merge_plot, "draw PNG figures of the merged results");

  std::string validate_file;
  CLI::App* validate = app.add_subcommand("validate", "check a config without running it");
  validate->add_option("config", validate_file, "JSON config file")->required();

  spinnet::PhysicsInTheLoopCommand loop;  // physics_in_the_loop_command.hpp
  CLI::App* in_the_loop = app.add_subcommand(
      "physics-in-the-loop", "evaluate a single-layer spin-diode network on 8x8 digits with time-domain junctions");
  in_the_loop->add_option("network", loop.network, "network file (default: train the reference network)");
  in_the_loop->add_option("--data", loop.data, "data folder (default: $SPINNET_DATA or ../shared/data)");
  in_the_loop->add_option("--out", loop.out, "output directory");
  in_the_loop->add_option("--samples", loop.samples, "test samples simulated (default: all)")->check(CLI::NonNegativeNumber);
  in_the_loop->add_option("--temperature", loop.temperature, "K (default 300)")->check(CLI::NonNegativeNumber);
  in_the_loop->add_option("--peak-cone", loop.peak_cone, "small-signal cone of the strongest tone, rad (default 0.05)");
  in_the_loop->add_option("--diameter-nm", loop.diameter_nm, "junction diameter, nm (default 100; 1.5 nm thick)")
      ->check(CLI::PositiveNumber);
  in_the_loop->add_option("--window-ns", loop.window_ns, "averaging window (default: whole beat periods, >= 4 decay times)");
  in_the_loop->add_option("--seed", loop.seed, "seed of noise and tone phases");
  in_the_loop->add_option("--threads", loop.threads, "CPU threads (default: all)")->check(CLI::NonNegativeNumber);
  in_the_loop->add_option("--epochs", loop.epochs, "reference training epochs (default 400)");
  in_the_loop->add_option("--junctions", loop.junctions, "reference network: junctions per chain (default 16)");
  in_the_loop->add_flag("!--no-equalize", loop.equalize, "keep every junction's field-like efficiency (K_SD ~ 1/f_r)");
  spinnet::cli::RfCommandOptions rf_options;  // train, evaluate (src/cli/rf_commands.cpp)
  spinnet::cli::add_rf_commands(app, rf_options);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "spinnet: " << e.what() << " (see spinnet --help)\n";
    return exit_user_error;
  }

  if (*in_the_loop) return spinnet::run_physics_in_the_loop_command(loop);
  if (const auto code = spinnet::cli::dispatch_rf_commands(rf_options)) return *code;

  try {
    if (*validate) {  // every problem, one line each
      const spinnet::json document = spinnet::load_json_file(validate_file);
      if (spinnet::is_reservoir_config(document)) {  // reservoir_command.hpp
        const auto experiment = spinnet::read_reservoir_experiment(document, validate_file);
        std::cout << validate_file << ": valid (reservoir, task " << spinnet::to_string(experiment.task) << ")\n";
        return 0;
      }
      const auto problems = spinnet::validate_config(document, validate_file);
      for (const auto& problem : problems) std::cerr << "spinnet: " << problem.message << "\n";
      if (!problems.empty()) return exit_user_error;
      const spinnet::RunConfig config = spinnet::read_run_config(document, validate_file);
      std::cout << validate_file << ": valid (" << spinnet::to_string(config.model) << ", " << config.device_count()
                << " devices in " << config.sweep.points << " sweep points, " << config.control.steps << " steps)\n";
      return 0;
    }
    if (*merge) {
      std::string out = merge_out;
      if (out.empty()) {
        const spinnet::CheckpointPlan plan = spinnet::read_checkpoint_plan(merge_dirs.front());
        out = (std::filesystem::path("spinnet-out") / spinnet::read_run_config(plan.document, plan.config_file).name)
                  .string();
      }
      spinnet::merge_shards(merge_dirs, out);
      std::cout << "spinnet: merged " << merge_dirs.size() << " shard directories; results in " << out << "\n";
      return merge_plot ? draw_plots(out) : 0;
    }
    if (!args.resume_dir.empty() && !args.config_file.empty())
      throw spinnet::RunError("spinnet run: give a config file or --resume DIR, not both");
    if (args.resume_dir.empty() && !args.config_file.empty()) {  // reservoir configs: reservoir_command.hpp
      const spinnet::json document = spinnet::load_json_file(args.config_file);
      if (spinnet::is_reservoir_config(document))
        return spinnet::cli::run_reservoir_config(
            document, {args.config_file, args.out_dir, args.backend, args.threads, args.quiet, args.plot});
    }
    return run_command(args, world);
  } catch (const spinnet::ConfigError& e) {
    std::cerr << "spinnet: " << e.what() << "\n";
    return exit_user_error;
  } catch (const spinnet::RunError& e) {
    std::cerr << "spinnet: " << e.what() << "\n";
    return exit_user_error;
  } catch (const std::exception& e) {
    std::cerr << "spinnet: internal error: " << e.what() << "\n";
    return 1;
  }
}
