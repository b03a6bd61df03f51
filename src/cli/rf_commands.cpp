// `spinnet train CONFIG [--out DIR] [--resume DIR]`, `spinnet evaluate NETWORK_FILE [--data PATH]
// [--chips N --spread x --parameter p]` and `spinnet size-study CONFIG --widths ... --depths ...
// --out DIR` (docs/rfnet.md).
#include "rf_commands.hpp"

#include "reservoir_command.hpp"
#include "spinnet/reservoir/trained_reservoir.hpp"

#include <omp.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>

#include "spinnet/config/config.hpp"
#include "spinnet/data/dataset.hpp"
#include "spinnet/core/errors.hpp"
#include "spinnet/study/output.hpp"
#include "spinnet/rfnet/rf_experiment.hpp"

namespace spinnet::cli {

namespace {

constexpr int exit_user_error = 2;

/// Runs a plotting script of tools/ on a directory (`override_variable` names the environment
/// variable that replaces the script's path).
int run_plot_script(const std::string& name, const char* override_variable, const std::string& directory) {
  const char* override_path = std::getenv(override_variable);
  const std::string script = override_path ? override_path : std::string(SPINNET_SOURCE_DIR) + "/tools/" + name;
  const char* python_override = std::getenv("SPINNET_PYTHON");
  const std::string python = python_override                              ? python_override
                             : std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3"
                                                                           : "python3";
  if (!std::filesystem::exists(script)) {
    std::cerr << "spinnet: --plot: plotting script " << script << " not found (set " << override_variable << ")\n";
    return exit_user_error;
  }
  std::cout.flush();
  const std::string command = "'" + python + "' '" + script + "' '" + directory + "'";
  return std::system(command.c_str()) == 0 ? 0 : exit_user_error;
}

/// --backend / --tf32 over what the config chose (or the cpu default).
RfBackendOptions backend_from(const RfCommandOptions& o, RfBackendOptions chosen) {
  if (!o.backend.empty()) {
    chosen.backend = o.backend == "cpu" ? Backend::cpu : o.backend == "cuda" ? Backend::cuda : Backend::automatic;
    chosen.setting = "--backend";
  }
  if (o.tf32) chosen.tf32 = true;
  return chosen;
}

int run_train(const RfCommandOptions& o) {
  const json document = load_json_file(o.config);
  RfExperiment experiment = read_rf_experiment(document, o.config);
  experiment.backend = backend_from(o, experiment.backend);
  if (experiment.model == "rf_network") rf_backend_uses_cuda(experiment.backend);  // fail before loading data
  const std::string out =
      !o.out.empty() ? o.out : (std::filesystem::path("spinnet-out") / experiment.name).string();
  auto progress = [&](const std::string& line) {
    if (!o.quiet) std::fprintf(stderr, "%s\n", line.c_str());
  };
  const TrainingRunResult result = run_rf_experiment(experiment, out, o.resume, progress);
  std::cout << "spinnet: " << experiment.name << " (" << experiment.model << "): test accuracy "
            << 100 * result.test.accuracy << " % after " << result.history.size() << " epochs ("
            << result.train_samples_per_second << " training samples/s); results in " << out << "\n";
  if (o.plot) return run_plot_script("plot_training.py", "SPINNET_PLOT_TRAINING_SCRIPT", out);
  return 0;
}

int run_evaluate(const RfCommandOptions& o) {
  if (is_trained_reservoir(load_json_file(o.network)))  // a trained reservoir: reservoir_command.hpp
    return run_reservoir_evaluate({o.network, o.data, o.pattern, o.out, o.backend.empty() ? "cpu" : o.backend,
                                   o.resample, o.quiet, o.threads});
  // The network file's training.backend is where it was trained, not where it is evaluated.
  const RfBackendOptions backend = backend_from(o, RfBackendOptions{Backend::cpu, false, "--backend"});
  rf_backend_uses_cuda(backend);
  const json document = load_json_file(o.network);
  const RfNetworkSpec spec = rf_network_from_json(document, o.network);
  if (!document.contains("config"))
    throw ConfigError(o.network + ": config", "the training config the network was trained with", "nothing");
  RfExperiment experiment = read_rf_experiment(document.at("config"), o.network);
  if (!o.data.empty()) experiment.data.path = o.data;
  FeatureScaling scaling;
  scaling.kind = spec.encoding.offset.empty() ? FeatureScaling::Kind::none : FeatureScaling::Kind::min_max;
  scaling.offset = Eigen::Map<const Eigen::VectorXd>(spec.encoding.offset.data(), spec.encoding.offset.size()).cast<float>();
  scaling.scale = Eigen::Map<const Eigen::VectorXd>(spec.encoding.scale.data(), spec.encoding.scale.size()).cast<float>();
  const ExperimentData data = load_experiment_data(experiment.data, o.network, &scaling);
  if (static_cast<int>(data.test.feature_count()) != spec.input_count())
    throw DataError(data.test.source + ": " + std::to_string(data.test.feature_count()) + " features per sample, but " +
                    o.network + " has " + std::to_string(spec.input_count()) + " input tones");
  if (data.test.classes > spec.output_count())
    throw DataError(data.test.source + ": " + std::to_string(data.test.classes) + " classes, but " + o.network + " has " +
                    std::to_string(spec.output_count()) + " output chains");
  const std::unique_ptr<RfTrainableNetwork<float>> model = make_rf_network(spec, backend);
  const EvaluationResult nominal = evaluate_model(*model, data.test, spec.output_count());
  std::cout << o.network << ": test accuracy " << 100 * nominal.accuracy << " % (" << data.test.size()
            << " samples, nominal chip)\n";
  if (o.chips > 0) {
    VariabilityOptions v;
    v.chips = o.chips;
    v.spreads = o.spreads;
    v.parameters = o.parameters;
    v.calibration_precision = o.calibration;
    const auto rows = variability_study(spec, data.test, spec.output_count(), v, backend);
    for (const auto& row : rows)
      for (int calibrated = 0; calibrated < 2; ++calibrated) {
        const auto& a = calibrated ? row.calibrated_accuracies : row.accuracies;
        if (a.empty()) continue;
        double mean = 0, worst = 1;
        for (double x : a) mean += x / a.size(), worst = std::min(worst, x);
        std::cout << o.network << ": " << o.chips << " chips with " << 100 * row.spread << " % " << row.parameter
                  << " spread" << (calibrated ? " (calibrated)" : "") << ": mean accuracy " << 100 * mean
                  << " %, worst " << 100 * worst << " %\n";
      }
    if (!o.out.empty()) {
      std::filesystem::create_directories(o.out);
      write_file_atomically((std::filesystem::path(o.out) / "variability.csv").string(), variability_table_csv(rows));
    }
  }
  return 0;
}

int run_size_study_command(const RfCommandOptions& o) {
  json base;
  std::string source = o.config, out = o.out;
  SizeStudyOptions study = o.study;
  if (!o.resume.empty()) {
    if (!o.config.empty()) throw RunError("spinnet size-study: give a config file or --resume DIR, not both");
    read_size_study(o.resume, base, source, study);
    out = o.resume;
  } else {
    if (o.config.empty()) throw RunError("spinnet size-study: give a config file, or --resume DIR");
    base = load_json_file(o.config);
    if (out.empty()) {
      const std::string name = base.is_object() ? base.value("name", std::filesystem::path(o.config).stem().string())
                                                : std::filesystem::path(o.config).stem().string();
      out = (std::filesystem::path("spinnet-out") / (name + "_size_study")).string();
    }
  }
  auto progress = [&](const std::string& line) {
    if (!o.quiet) std::fprintf(stderr, "%s\n", line.c_str());
  };
  const auto runs = run_size_study(base, source, study, out, progress);
  std::cout << size_study_table_text(runs) << "spinnet: size study of " << source << ": " << runs.size()
            << " runs; results in " << out << "\n";
  if (o.plot) return run_plot_script("plot_size_study.py", "SPINNET_PLOT_SIZE_STUDY_SCRIPT", out);
  return 0;
}

}  // namespace

void add_rf_commands(CLI::App& app, RfCommandOptions& o) {
  o.train = app.add_subcommand("train", "train an RF spintronic network (or the software MLP) from a config");
  o.train->add_option("config", o.config, "JSON training config")->required();
  o.train->add_option("--out", o.out, "run directory (default: spinnet-out/<config name>)");
  o.train->add_option("--resume", o.resume, "continue from the checkpoint in this run directory");
  o.train->add_option("--threads", o.threads, "CPU threads (default: all)")->check(CLI::NonNegativeNumber);
  o.train->add_flag("--quiet", o.quiet, "no per-epoch progress");
  o.train->add_flag("--plot", o.plot, "draw PNG figures into the run directory (python3, matplotlib)");
  o.train->add_option("--backend", o.backend, "auto, cpu or cuda (default: training.backend, cpu)")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  o.train->add_flag("--tf32", o.tf32, "cuda: TF32 tensor-core matrix products (default: full float32)");
  o.evaluate = app.add_subcommand("evaluate", "evaluate a trained RF network (or reservoir) file on data");
  o.evaluate->add_option("network", o.network, "trained network file (network.json of a run, or trained_*.json of a reservoir run)")->required();
  o.evaluate->add_option("--data", o.data, "data file or folder (default: the one in the network's config)");
  o.evaluate->add_option("--pattern", o.pattern, "reservoirs: file names of --data, e.g. {digit}_{speaker}_{take}.wav");
  o.evaluate->add_flag("--resample", o.resample, "reservoirs: resample recordings at another sample rate");
  o.evaluate->add_flag("--quiet", o.quiet, "reservoirs: no progress lines");
  o.evaluate->add_option("--chips", o.chips, "also evaluate on N fabricated chips")->check(CLI::NonNegativeNumber);
  o.evaluate->add_option("--spread", o.spreads, "relative spread(s) of the chips (default 0.01)")
      ->check(CLI::NonNegativeNumber);
  o.evaluate->add_option("--parameter", o.parameters, "resonance, alpha, power or all (one or more)")
      ->check(CLI::IsMember({"resonance", "alpha", "power", "all"}));
  o.evaluate->add_option("--calibration", o.calibration,
                         "also evaluate each chip after calibrating its resonances to this relative precision");
  o.evaluate->add_option("--out", o.out, "write variability.csv (reservoirs: predictions.csv) into this folder");
  o.evaluate->add_option("--threads", o.threads, "CPU threads (default: all)")->check(CLI::NonNegativeNumber);
  o.evaluate->add_option("--backend", o.backend, "auto, cpu or cuda (default: cpu)")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  o.evaluate->add_flag("--tf32", o.tf32, "cuda: TF32 tensor-core matrix products (default: full float32)");

  o.size_study = app.add_subcommand(
      "size-study", "train RF networks (and optionally the software MLP) over hidden widths and depths");
  auto* s = o.size_study;
  const CLI::Validator positive_integer(
      [](std::string& text) -> std::string {
        std::size_t used = 0;
        long value = 0;
        try {
          value = std::stol(text, &used);
        } catch (const std::exception&) {
          used = 0;
        }
        if (used != text.size() || value < 1) return "expected a positive integer, got \"" + text + "\"";
        return "";
      },
      "INT>0");
  s->add_option("config", o.config, "JSON training config (its first layer is the hidden-layer template)");
  s->add_option("--widths", o.study.widths, "chains per hidden layer (default 16 32 64 128 256)")
      ->check(positive_integer);
  s->add_option("--depths", o.study.depths, "hidden STNO layers (default 1 2 3)")->check(positive_integer);
  s->add_option("--seeds", o.study.seeds, "training seeds per size: config seed + 0 .. N-1 (default 3)")
      ->check(positive_integer);
  s->add_option("--epochs", o.study.epochs, "training epochs (default: the config's)")->check(positive_integer);
  s->add_flag("--baseline", o.study.baseline, "also train the software MLP of the same shape");
  s->add_option("--baseline-lr", o.study.baseline_learning_rate, "learning rate of the MLP (default: the config's)")
      ->check(CLI::PositiveNumber);
  s->add_option("--out", o.out, "study directory (default: spinnet-out/<config name>_size_study)");
  s->add_option("--resume", o.resume, "continue the study in this directory (finished runs are kept)");
  s->add_option("--threads", o.threads, "CPU threads (default: all)")->check(CLI::NonNegativeNumber);
  s->add_flag("--quiet", o.quiet, "no per-run progress");
  s->add_flag("--plot", o.plot, "draw size_study.png into the study directory (python3, matplotlib)");
}

std::optional<int> dispatch_rf_commands(const RfCommandOptions& o) {
  const bool train = o.train && o.train->parsed(), evaluate = o.evaluate && o.evaluate->parsed();
  const bool size_study = o.size_study && o.size_study->parsed();
  if (!train && !evaluate && !size_study) return std::nullopt;
  if (o.threads > 0) omp_set_num_threads(o.threads);
  try {
    if (size_study) return run_size_study_command(o);
    return train ? run_train(o) : run_evaluate(o);
  } catch (const ConfigError& e) {
    std::cerr << "spinnet: " << e.what() << "\n";
  } catch (const RunError& e) {
    std::cerr << "spinnet: " << e.what() << "\n";
  } catch (const DataError& e) {
    std::cerr << "spinnet: " << e.what() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "spinnet: internal error: " << e.what() << "\n";
    return 1;
  }
  return exit_user_error;
}

}  // namespace spinnet::cli
