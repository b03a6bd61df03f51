// The shared running flags (run_flags.hpp).
#include "run_flags.hpp"

#include <cmath>

#include "spinnet/rfnet/rf_experiment.hpp"

namespace spinnet::cli {

const CLI::Validator& thread_count() {
  static const CLI::Validator validator(
      [](std::string& text) -> std::string {
        std::size_t used = 0;
        long value = -1;
        try {
          value = std::stol(text, &used);
        } catch (const std::exception&) {
          used = 0;
        }
        if (used != text.size() || value < 0 || value > 4096)
          return "expected a thread count in [0, 4096] (0: all), got \"" + text + "\"";
        return "";
      },
      "N>=0");
  return validator;
}

const CLI::Validator& chip_spread() {
  static const CLI::Validator validator(
      [](std::string& text) -> std::string {
        std::size_t used = 0;
        double value = -1;
        try {
          value = std::stod(text, &used);
        } catch (const std::exception&) {
          used = 0;
        }
        if (used != text.size() || !(value >= 0 && value <= max_chip_spread))
          return "expected a relative spread in [0, 0.5], got \"" + text + "\"";
        return "";
      },
      "0..0.5");
  return validator;
}

void add_run_flags(CLI::App& command, RunFlags& flags) {
  command.add_option("config", flags.config, "JSON config file (any kind: simulation, training, size study, ...)");
  command.add_option("--out", flags.out, "output directory (default: spinnet-out/<config name>)");
  command.add_option("--backend", flags.backend, "auto (CUDA when a GPU is present), cpu or cuda (default: the config's)")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  command.add_option("--threads", flags.threads, "CPU threads (default 0: all)")->check(thread_count());
  command.add_option("--resume", flags.resume, "continue the interrupted run in this directory (any kind)");
  command.add_flag("--quiet", flags.quiet, "no progress output");
  command.add_flag("--plot", flags.plot, "draw PNG figures into the output directory (python3, matplotlib)");
  command.add_flag("--force", flags.force, "run into an output directory that holds another config's results");
}

}  // namespace spinnet::cli
