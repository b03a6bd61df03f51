// spinnet command line: `spinnet run` for every kind of config, resume, merge, validate, and the
// specialised commands (train, evaluate, size-study, physics-in-the-loop). Every user error ends in
// one line on stderr and exit code 2; an interrupted run exits with 128 + the signal number.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <string>

#include "physics_in_the_loop_command.hpp"
#include "plots.hpp"
#include "rf_commands.hpp"
#include "run_command.hpp"
#include "run_directory.hpp"
#include "run_kinds.hpp"
#include "spinnet/config/config.hpp"
#include "spinnet/config/run_config.hpp"
#include "spinnet/core/errors.hpp"
#include "spinnet/core/openmp_wait.hpp"
#include "spinnet/data/dataset.hpp"
#include "spinnet/study/scheduler.hpp"
#include "study/mpi_world.hpp"

namespace {

constexpr int exit_user_error = 2;

/// `spinnet validate`: every problem, one line each; or one line describing the config.
int validate_command(const std::string& file) {
  const spinnet::json document = spinnet::load_json_file(file);
  spinnet::cli::CheckedConfig checked;
  const auto problems = spinnet::cli::check_config(document, file, checked);
  for (const auto& problem : problems) std::cerr << "spinnet: " << problem << "\n";
  if (!problems.empty()) return exit_user_error;
  std::cout << file << ": valid (" << checked.summary << ")\n";
  return 0;
}

int merge_command(const std::vector<std::string>& directories, const std::string& out_flag, bool plot) {
  std::string out = out_flag;
  const spinnet::CheckpointPlan plan = spinnet::read_checkpoint_plan(directories.front());
  if (out.empty())
    out = spinnet::cli::default_output_directory(spinnet::read_run_config(plan.document, plan.config_file).name);
  spinnet::merge_shards(directories, out);
  spinnet::cli::write_run_marker(out, {"simulation", plan.config_file, plan.document});
  std::cout << "spinnet: merged " << directories.size() << " shard directories; results in " << out << "\n";
  return plot ? spinnet::cli::run_plot_script("plot.py", "SPINNET_PLOT_SCRIPT", out) : 0;
}

}  // namespace

int main(int argc, char** argv) {
  spinnet::prefer_passive_openmp_wait();  // openmp_wait.hpp: set before libgomp started (.preinit_array)
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

  spinnet::cli::RunFlags run_flags;
  CLI::App* run = app.add_subcommand(
      "run", "run any config: a simulation or study, an RF-network or MLP training (with its evaluation and "
             "variability study), a size study, physics in the loop (mpirun -n R: one shard per rank)");
  spinnet::cli::add_run_flags(*run, run_flags);
  run->add_option("--shard", run_flags.shard, "simulations: run only share i of n of the work items (then spinnet merge)");
  run->add_option("--batch-items", run_flags.batch_items, "simulations: work items per batch (default: sized for the backend)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 40));
  run->add_flag("--tf32", run_flags.tf32, "rf_network on cuda: TF32 tensor-core matrix products");

  std::vector<std::string> merge_dirs;
  std::string merge_out;
  bool merge_plot = false;
  CLI::App* merge = app.add_subcommand("merge", "combine the directories of --shard runs into one run's results");
  merge->add_option("directories", merge_dirs, "shard run directories")->required();
  merge->add_option("--out", merge_out, "output directory (default: spinnet-out/<config name>)");
  merge->add_flag("--plot", merge_plot, "draw PNG figures of the merged results");

  std::string validate_file;
  CLI::App* validate = app.add_subcommand("validate", "check a config of any kind without running it");
  validate->add_option("config", validate_file, "JSON config file")->required();

  spinnet::PhysicsInTheLoopCommand loop;  // physics_in_the_loop_command.hpp
  spinnet::cli::RunFlags loop_flags;
  CLI::App* in_the_loop = app.add_subcommand(
      "physics-in-the-loop", "evaluate a single-layer spin-diode network on 8x8 digits with time-domain junctions");
  in_the_loop->add_option("network", loop.network, "network file (default: train the reference network)");
  in_the_loop->add_option("--config", loop_flags.config, "a physics_in_the_loop config instead of the flags below");
  in_the_loop->add_option("--data", loop.data, "data folder (default: $SPINNET_DATA or ../shared/data)");
  in_the_loop->add_option("--out", loop_flags.out, "output directory (default: spinnet-out/physics_in_the_loop)");
  in_the_loop->add_option("--samples", loop.samples, "test samples simulated (default: all)")->check(CLI::Range(0, 1 << 30));
  in_the_loop->add_option("--temperature", loop.temperature, "K (default 300)")->check(CLI::Range(0.0, 1e4));
  in_the_loop->add_option("--peak-cone", loop.peak_cone, "small-signal cone of the strongest tone, rad (default 0.05)")
      ->check(CLI::Range(1e-9, 1.0));
  in_the_loop->add_option("--diameter-nm", loop.diameter_nm, "junction diameter, nm (default 100; 1.5 nm thick)")
      ->check(CLI::Range(1e-3, 1e6));
  in_the_loop->add_option("--window-ns", loop.window_ns, "averaging window (default: whole beat periods, >= 4 decay times)")
      ->check(CLI::Range(0.0, 1e6));
  in_the_loop->add_option("--seed", loop.seed, "seed of noise and tone phases");
  in_the_loop->add_option("--threads", loop_flags.threads, "CPU threads (default 0: all)")->check(spinnet::cli::thread_count());
  in_the_loop->add_option("--epochs", loop.epochs, "reference training epochs (default 400)")->check(CLI::Range(1, 1 << 24));
  in_the_loop->add_option("--junctions", loop.junctions, "reference network: junctions per chain (default 16)")
      ->check(CLI::Range(1, 1 << 20));
  in_the_loop->add_flag("!--no-equalize", loop.equalize, "keep every junction's field-like efficiency (K_SD ~ 1/f_r)");
  in_the_loop->add_option("--backend", loop_flags.backend, "auto or cpu (its junction loop runs on the CPU)")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  in_the_loop->add_option("--resume", loop_flags.resume, "(a physics-in-the-loop run keeps no checkpoints)");
  in_the_loop->add_flag("--quiet", loop_flags.quiet, "no progress output");
  in_the_loop->add_flag("--plot", loop_flags.plot, "draw physics_in_the_loop.png into the output directory");
  in_the_loop->add_flag("--force", loop_flags.force, "run into an output directory that holds another run");

  spinnet::cli::RfCommandOptions rf_options;  // train, evaluate, size-study (src/cli/rf_commands.cpp)
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

  try {
    if (*validate) return validate_command(validate_file);
    if (*merge) return merge_command(merge_dirs, merge_out, merge_plot);
    if (*in_the_loop) {
      spinnet::cli::RunExtras extras;
      extras.document = spinnet::physics_in_the_loop_config(loop);
      extras.document_name = "physics-in-the-loop";
      return spinnet::cli::run_any(loop_flags, world, spinnet::cli::RunKind::physics_in_the_loop,
                                   "physics-in-the-loop", extras);
    }
    if (const auto code = spinnet::cli::dispatch_rf_commands(rf_options, world)) return *code;
    return spinnet::cli::run_any(run_flags, world);
  } catch (const spinnet::ConfigError& e) {
    std::cerr << "spinnet: " << e.what() << "\n";
    return exit_user_error;
  } catch (const spinnet::RunError& e) {
    std::cerr << "spinnet: " << e.what() << "\n";
    return exit_user_error;
  } catch (const spinnet::DataError& e) {
    std::cerr << "spinnet: " << e.what() << "\n";
    return exit_user_error;
  } catch (const std::exception& e) {
    std::cerr << "spinnet: internal error: " << e.what() << "\n";
    return 1;
  }
}
