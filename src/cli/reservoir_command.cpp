// `spinnet run` for reservoir configs and `spinnet evaluate` for trained reservoirs
// (reservoir_command.hpp).
#include "reservoir_command.hpp"

#include "run_command.hpp"

#include <omp.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "spinnet/core/errors.hpp"
#include "spinnet/data/dataset.hpp"
#include "spinnet/reservoir/memory_tasks.hpp"
#include "spinnet/reservoir/reservoir_config.hpp"
#include "spinnet/reservoir/spoken_digit_study.hpp"
#include "spinnet/reservoir/trained_reservoir.hpp"
#include "spinnet/reservoir/waveform_task.hpp"
#include "spinnet/study/output.hpp"

namespace spinnet::cli {
namespace {

constexpr int exit_user_error = 2;

Backend backend_of(const std::string& name) {
  return name == "cpu" ? Backend::cpu : name == "cuda" ? Backend::cuda : Backend::automatic;
}

/// Runs `body`, turning every user error into one line on stderr and exit code 2.
template <class Body>
int guarded(Body body) {
  try {
    return body();
  } catch (const ConfigError& e) {
    std::cerr << "spinnet: " << e.what() << "\n";
  } catch (const DataError& e) {
    std::cerr << "spinnet: " << e.what() << "\n";
  } catch (const RunError& e) {
    std::cerr << "spinnet: " << e.what() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "spinnet: internal error: " << e.what() << "\n";
    return 1;
  }
  return exit_user_error;
}

std::string percent(double fraction) {
  std::ostringstream text;
  text.setf(std::ios::fixed);
  text.precision(2);
  text << 100 * fraction << " %";
  return text.str();
}

}  // namespace

int run_reservoir_target(const RunFlags& flags, const RunTarget& target) {
  if (target.resume)
    throw RunError("cannot resume " + target.out + ": a reservoir study keeps no checkpoints; run its config again "
                   "(spinnet run CONFIG)");
  const ReservoirExperiment experiment = read_reservoir_experiment(target.document, target.config_file);
  RunOptions options;
  options.backend = backend_of(flags.backend);
  options.threads = flags.threads;
  uses_cuda(options.backend);  // fail early when cuda is requested and absent
  const ReservoirLog log = [&](const std::string& line) {
    if (!flags.quiet) std::cerr << "spinnet: " << line << "\n";
  };
  const std::string& out = target.out;
  std::ostringstream summary;
  switch (experiment.task) {
    case ReservoirTask::spoken_digits: {
      const SpokenDigitOutcome outcome = run_spoken_digit_study(experiment, out, options, log);
      for (const auto& m : outcome.methods)
        if (m.method == "stno")
          summary << "spinnet: " << experiment.name << ": " << m.preprocessing << ": STNO reservoir "
                  << percent(m.validation_accuracy) << " on the validation recordings\n";
      summary << "spinnet: " << experiment.name << ": " << outcome.recordings << " recordings in "
              << static_cast<int>(std::lround(outcome.wall_seconds)) << " s; results in " << out << "\n";
      break;
    }
    case ReservoirTask::sine_square: {
      const WaveformOutcome outcome = run_waveform_task(experiment, out, options, log);
      summary << "spinnet: " << experiment.name << ": sine/square test accuracy " << percent(outcome.test_accuracy)
              << "; results in " << out << "\n";
      break;
    }
    case ReservoirTask::memory: {
      const auto points = run_memory_study(experiment, out, options, log);
      summary << "spinnet: " << experiment.name << ": " << points.size()
              << " operating points (memory capacity, NARMA-10); results in " << out << "\n";
      break;
    }
  }
  std::cout << summary.str();
  return 0;
}

int run_reservoir_evaluate(const ReservoirEvaluateArguments& a) {
  return guarded([&] {
    const TrainedReservoir trained = read_trained_reservoir(a.file);
    if (a.threads > 0) omp_set_num_threads(a.threads);
    RunOptions options;
    options.backend = backend_of(a.backend);
    options.threads = a.threads;
    uses_cuda(options.backend);
    const ReservoirLog log = [&](const std::string& line) {
      if (!a.quiet) std::cerr << "spinnet: " << line << "\n";
    };
    const ApplyOutcome outcome = apply_trained_reservoir(trained, a.data, a.pattern, a.resample, options, log);
    if (!a.out.empty()) {
      prepare_output_directory(a.out);
      std::ostringstream table;
      table << "# " << a.file << " applied to " << (a.data.empty() ? "its validation recordings" : a.data) << "\n"
            << "file,label,predicted,predicted_class\n";
      for (std::size_t k = 0; k < outcome.files.size(); ++k)
        table << outcome.files[k] << "," << outcome.truth[k] << "," << outcome.predicted[k] << ","
              << trained.class_names[static_cast<std::size_t>(outcome.predicted[k])] << "\n";
      write_file_atomically((std::filesystem::path(a.out) / "predictions.csv").string(), table.str());
    }
    if (outcome.labelled > 0)
      std::cout << a.file << ": accuracy " << percent(outcome.accuracy) << " on " << outcome.labelled
                << " labelled recordings (" << outcome.files.size() << " classified)\n";
    else
      std::cout << a.file << ": " << outcome.files.size() << " recordings classified (no labels in their names)\n";
    return 0;
  });
}

}  // namespace spinnet::cli
