// spinnet command line: run and validate configs. Every user error ends in one line on stderr and
// exit code 2.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>

#include "spinnet/config.hpp"
#include "spinnet/engine.hpp"
#include "spinnet/errors.hpp"
#include "spinnet/experiment.hpp"
#include "spinnet/output.hpp"
#include "spinnet/run_config.hpp"
#include "rf_commands.hpp"

namespace {

constexpr int exit_user_error = 2;

/// Progress on stderr: a redrawn bar with rate and ETA on a terminal, a plain line every few
/// seconds otherwise.
class ProgressReporter {
 public:
  explicit ProgressReporter(bool quiet) : quiet_(quiet), tty_(::isatty(STDERR_FILENO) != 0) {}

  void operator()(double fraction) {
    if (quiet_) return;
    const auto now = std::chrono::steady_clock::now();
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double since = std::chrono::duration<double>(now - last_).count();
    const bool done = fraction >= 1.0;
    if (!done && since < (tty_ ? 0.2 : 5.0)) return;
    last_ = now;
    const double eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0;
    if (tty_) {
      const int width = 30, filled = static_cast<int>(fraction * width);
      std::fprintf(stderr, "\r[%s%s] %5.1f%%  %.1f s elapsed  ETA %.1f s", std::string(filled, '#').c_str(),
                   std::string(width - filled, '.').c_str(), 100 * fraction, elapsed, eta);
      if (done) std::fprintf(stderr, "\n");
    } else {
      std::fprintf(stderr, "progress %5.1f%%  elapsed %.1f s  ETA %.1f s\n", 100 * fraction, elapsed, eta);
    }
    std::fflush(stderr);
  }

 private:
  bool quiet_, tty_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now(), last_ = start_;
};

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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"spinnet: GPU-accelerated simulator of spintronic neural networks"};
  app.set_version_flag("--version", std::string("spinnet ") + SPINNET_VERSION);
  app.require_subcommand(1);

  std::string config_file, out_dir, backend = "auto";
  int threads = 0;
  bool quiet = false, plot = false;
  CLI::App* run = app.add_subcommand("run", "run the experiment a config describes");
  run->add_option("config", config_file, "JSON config file")->required();
  run->add_option("--out", out_dir, "output directory (default: spinnet-out/<config name>)");
  run->add_option("--backend", backend, "auto (CUDA when a device is present), cpu or cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  run->add_option("--threads", threads, "CPU threads (default: all)")->check(CLI::NonNegativeNumber);
  run->add_flag("--quiet", quiet, "no progress output");
  run->add_flag("--plot", plot, "draw PNG figures of the results into the output directory (python3, matplotlib)");

  CLI::App* validate = app.add_subcommand("validate", "check a config without running it");
  validate->add_option("config", config_file, "JSON config file")->required();

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

  if (const auto code = spinnet::cli::dispatch_rf_commands(rf_options)) return *code;

  try {
    const spinnet::json document = spinnet::load_json_file(config_file);
    const spinnet::RunConfig config = spinnet::read_run_config(document, config_file);
    if (*validate) {
      std::cout << config_file << ": valid (" << spinnet::to_string(config.model) << ", " << config.device_count()
                << " devices in " << config.sweep.points << " sweep points, " << config.control.steps << " steps)\n";
      return 0;
    }
    if (out_dir.empty()) out_dir = (std::filesystem::path("spinnet-out") / config.name).string();
    spinnet::prepare_output_directory(out_dir);
    spinnet::RunOptions options;
    options.backend = parse_backend(backend);
    options.threads = threads;
    ProgressReporter reporter(quiet);
    options.progress = [&reporter](double f) { reporter(f); };
    const spinnet::ExperimentResult result = spinnet::run_experiment(config, options);
    spinnet::write_experiment(out_dir, config, result, config_file);
    std::cout << "spinnet: " << config.name << ": " << config.device_count() << " devices x " << config.control.steps
              << " steps on " << result.backend << " in " << result.wall_seconds << " s ("
              << result.device_steps_per_second << " device-steps/s); results in " << out_dir << "\n";
    if (plot) return draw_plots(out_dir);
    return 0;
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
