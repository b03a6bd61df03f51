// `spinnet train CONFIG`, `spinnet evaluate NETWORK_FILE [--data PATH] [--chips N --spread x
// --parameter p]` and `spinnet size-study CONFIG --widths ... --depths ...` (docs/rfnet.md); the
// training and size-study runners of `spinnet run`.
#include "rf_commands.hpp"

#include <omp.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

#include "plots.hpp"
#include "reservoir_command.hpp"
#include "spinnet/config/config.hpp"
#include "spinnet/core/errors.hpp"
#include "spinnet/data/dataset.hpp"
#include "spinnet/reservoir/trained_reservoir.hpp"
#include "spinnet/rfnet/rf_experiment.hpp"
#include "spinnet/study/output.hpp"

namespace spinnet::cli {

namespace {

Backend backend_named(const std::string& name) {
  return name == "cpu" ? Backend::cpu : name == "cuda" ? Backend::cuda : Backend::automatic;
}

/// --backend / --tf32 over what the config chose (or the cpu default).
RfBackendOptions backend_from(const std::string& backend, bool tf32, RfBackendOptions chosen) {
  if (!backend.empty()) {
    chosen.backend = backend_named(backend);
    chosen.setting = "--backend";
  }
  if (tf32) chosen.tf32 = true;
  return chosen;
}

std::function<void(const std::string&)> progress_lines(bool quiet) {
  return [quiet](const std::string& line) {
    if (!quiet) std::fprintf(stderr, "%s\n", line.c_str());
  };
}

}  // namespace

int run_training(const RunFlags& f, const RunTarget& t) {
  RfExperiment experiment = read_rf_experiment(t.document, t.config_file);
  experiment.backend = backend_from(f.backend, f.tf32, experiment.backend);
  if (experiment.model == "rf_network") rf_backend_uses_cuda(experiment.backend);  // fail before loading data
  const TrainingRunResult result = run_rf_experiment(experiment, t.out, t.resume ? t.out : "", progress_lines(f.quiet));
  std::cout << "spinnet: " << experiment.name << " (" << experiment.model << "): test accuracy "
            << 100 * result.test.accuracy << " % after " << result.history.size() << " epochs ("
            << result.train_samples_per_second << " training samples/s); results in " << t.out << "\n";
  return 0;
}

int run_size_study_target(const RunFlags& f, const RunTarget& t, const RunExtras& extras) {
  json base = t.document;
  std::string source = t.config_file;
  SizeStudyOptions study = read_size_study_options(t.document, t.config_file);
  if (t.resume) read_size_study(t.out, base, source, study);  // the grid it was started with
  else extras.size_study.apply(study);
  // --backend means the same as for one training: where each RF network trains.
  if (!f.backend.empty()) {
    json training = base.value("training", json::object());
    training["backend"] = f.backend;
    base["training"] = training;
  }
  const auto runs = run_size_study(base, source, study, t.out, progress_lines(f.quiet));
  std::cout << size_study_table_text(runs) << "spinnet: size study of " << source << ": " << runs.size()
            << " runs; results in " << t.out << "\n";
  return 0;
}

namespace {

int run_evaluate(const RfCommandOptions& o) {
  if (std::filesystem::is_regular_file(o.network) && is_trained_reservoir(load_json_file(o.network)))  // reservoir_command.hpp
    return run_reservoir_evaluate({o.network, o.data, o.pattern, o.out, o.backend.empty() ? "cpu" : o.backend,
                                   o.resample, o.quiet, o.threads});
  // The network file's training.backend is where it was trained, not where it is evaluated.
  const RfBackendOptions backend = backend_from(o.backend, o.tf32, RfBackendOptions{Backend::cpu, false, "--backend"});
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
  if (o.plot && o.out.empty())
    throw RunError("evaluate --plot draws variability.png into the --out directory: give --out DIR (and --chips N)");
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
    if (!o.quiet) std::fprintf(stderr, "variability: %d chips per spread\n", o.chips);
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
      prepare_output_directory(o.out);
      write_file_atomically((std::filesystem::path(o.out) / "variability.csv").string(), variability_table_csv(rows));
    }
  }
  if (o.plot) return run_plot_script("plot_training.py", "SPINNET_PLOT_TRAINING_SCRIPT", o.out);
  return 0;
}

}  // namespace

void add_rf_commands(CLI::App& app, RfCommandOptions& o) {
  o.train = app.add_subcommand("train", "train an RF spintronic network (or the software MLP): spinnet run for "
                                        "training configs");
  add_run_flags(*o.train, o.train_flags);
  o.train->add_flag("--tf32", o.train_flags.tf32, "cuda: TF32 tensor-core matrix products (default: full float32)");

  o.evaluate = app.add_subcommand("evaluate", "evaluate a trained RF network (or reservoir) file on data");
  o.evaluate->add_option("network", o.network,
                         "trained network file (network.json of a run, or trained_*.json of a reservoir run)")
      ->required();
  o.evaluate->add_option("--data", o.data, "data file or folder (default: the one in the network's config)");
  o.evaluate->add_option("--pattern", o.pattern, "reservoirs: file names of --data, e.g. {digit}_{speaker}_{take}.wav");
  o.evaluate->add_flag("--resample", o.resample, "reservoirs: resample recordings at another sample rate");
  o.evaluate->add_option("--chips", o.chips, "also evaluate on N fabricated chips")->check(CLI::Range(0, 100000000));
  o.evaluate->add_option("--spread", o.spreads, "relative spread(s) of the chips, each in [0, 0.5] (default 0.01)")
      ->check(chip_spread());
  o.evaluate->add_option("--parameter", o.parameters, "resonance, alpha, power or all (one or more)")
      ->check(CLI::IsMember({"resonance", "alpha", "power", "all"}));
  o.evaluate->add_option("--calibration", o.calibration,
                         "also evaluate each chip after calibrating its resonances to this relative precision");
  o.evaluate->add_option("--out", o.out,
                         "write variability.csv (and with --plot variability.png; reservoirs: predictions.csv) into this folder");
  o.evaluate->add_option("--threads", o.threads, "CPU threads (default 0: all)")->check(thread_count());
  o.evaluate->add_option("--backend", o.backend, "auto, cpu or cuda (default: cpu)")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  o.evaluate->add_flag("--tf32", o.tf32, "cuda: TF32 tensor-core matrix products (default: full float32)");
  o.evaluate->add_flag("--quiet", o.quiet, "no progress output");
  o.evaluate->add_flag("--plot", o.plot, "draw variability.png into the --out directory (python3, matplotlib)");

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
        if (used != text.size() || value < 1 || value > (1 << 20))
          return "expected a positive integer (at most 1048576), got \"" + text + "\"";
        return "";
      },
      "INT>0");
  add_run_flags(*s, o.size_study_flags);
  s->add_option("--widths", o.widths, "chains per hidden layer (default: size_study.widths, 16 32 64 128 256)")
      ->check(positive_integer);
  s->add_option("--depths", o.depths, "hidden STNO layers (default: size_study.depths, 1 2 3)")->check(positive_integer);
  s->add_option("--seeds", o.seeds, "training seeds per size: config seed + 0 .. N-1 (default 3)")
      ->check(positive_integer);
  s->add_option("--epochs", o.epochs, "training epochs (default: the config's)")->check(positive_integer);
  s->add_flag("--baseline", o.baseline, "also train the software MLP of the same shape");
  s->add_option("--baseline-lr", o.baseline_learning_rate, "learning rate of the MLP (default: the config's)")
      ->check(CLI::PositiveNumber);
}

std::optional<int> dispatch_rf_commands(const RfCommandOptions& o, const MpiWorld& world) {
  if (o.train && o.train->parsed()) return run_any(o.train_flags, world, RunKind::training, "train");
  if (o.size_study && o.size_study->parsed()) {
    RunExtras extras;
    SizeStudyOverrides& over = extras.size_study;
    if (o.size_study->count("--widths")) over.widths = o.widths;
    if (o.size_study->count("--depths")) over.depths = o.depths;
    if (o.size_study->count("--seeds")) over.seeds = o.seeds;
    if (o.size_study->count("--epochs")) over.epochs = o.epochs;
    over.baseline = o.baseline;
    if (o.size_study->count("--baseline-lr")) over.baseline_learning_rate = o.baseline_learning_rate;
    return run_any(o.size_study_flags, world, RunKind::size_study, "size-study", extras);
  }
  if (o.evaluate && o.evaluate->parsed()) {
    if (o.threads > 0) omp_set_num_threads(o.threads);
    return run_evaluate(o);
  }
  return std::nullopt;
}

}  // namespace spinnet::cli
