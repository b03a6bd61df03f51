// Network-size study: a grid of training runs over hidden width and depth (see size_study.hpp).
#include "spinnet/rfnet/size_study.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>
#include <tuple>

#include "spinnet/core/errors.hpp"
#include "spinnet/study/output.hpp"
#include "spinnet/rfnet/rf_experiment.hpp"

namespace spinnet {

namespace fs = std::filesystem;

json size_study_network(const json& network, int depth, int width, const std::string& source) {
  if (depth < 1) throw ConfigError(source + ": size study depth", "at least 1 hidden layer", std::to_string(depth));
  if (width < 1) throw ConfigError(source + ": size study width", "at least 1 chain", std::to_string(width));
  if (!network.is_object() || !network.contains("layers") || !network.at("layers").is_array() ||
      network.at("layers").empty())
    throw ConfigError(source + ": network.layers", "an array of at least one chain layer object (the templates)",
                      network.is_object() && network.contains("layers") ? describe(network.at("layers")) : "nothing");
  const json& templates = network.at("layers");
  for (std::size_t l = 0; l < templates.size(); ++l)
    if (!templates[l].is_object())
      throw ConfigError(source + ": network.layers[" + std::to_string(l) + "]", "a chain layer object",
                        describe(templates[l]));
  json hidden = templates.front(), readout = templates.back();
  hidden["chains"] = width;
  readout.erase("chains");
  json out = network;
  out["layers"] = json::array();
  for (int l = 0; l < depth; ++l) out["layers"].push_back(hidden);
  out["layers"].push_back(readout);
  return out;
}

SizeStudyOptions read_size_study_options(const json& config, const std::string& source) {
  SizeStudyOptions options;
  if (!config.is_object() || !config.contains("size_study")) return options;
  json resolved = json::object();
  try {
    ObjectReader study(config.at("size_study"), "size_study", resolved);
    auto positive_list = [&](const std::string& key, std::vector<int>& into) {
      const json* list = study.raw(key);
      if (!list) return;
      if (!list->is_array() || list->empty())
        throw ConfigError(study.path_of(key), "a non-empty array of positive integers", describe(*list));
      into.clear();
      for (std::size_t k = 0; k < list->size(); ++k) {
        const json& v = (*list)[k];
        if (!v.is_number_integer() || v.get<long long>() < 1 || v.get<long long>() > 1 << 20)
          throw ConfigError(study.path_of(key) + "[" + std::to_string(k) + "]", "an integer in [1, 1048576]", describe(v));
        into.push_back(v.get<int>());
      }
    };
    positive_list("widths", options.widths);
    positive_list("depths", options.depths);
    options.seeds = static_cast<int>(study.integer("seeds", 3, 1));
    options.epochs = static_cast<int>(study.integer("epochs", 0));
    if (const json* baseline = study.raw("baseline")) {
      if (!baseline->is_boolean()) throw ConfigError(study.path_of("baseline"), "true or false", describe(*baseline));
      options.baseline = baseline->get<bool>();
    }
    options.baseline_learning_rate = study.number("baseline_learning_rate", 0.0, Bound::non_negative);
    study.finish();
  } catch (const ConfigError& e) {
    throw e.prefixed(source);
  }
  return options;
}

json size_study_run_config(const json& base, const std::string& model, int depth, int width, int seed_index,
                           const SizeStudyOptions& options, const std::string& source) {
  if (!base.is_object()) throw ConfigError(source, "a JSON object (a training config)", describe(base));
  json config = base;
  config["network"] = size_study_network(base.value("network", json()), depth, width, source);
  config["model"] = model;
  const std::string name = base.value("name", fs::path(source).stem().string());
  config["name"] = name + "_" + fs::path(size_study_run_folder(model, depth, width, seed_index)).filename().string();
  // Built apart and stored last: config is an ordered_map (a vector), where inserting a key
  // invalidates references to its values.
  json training = config.value("training", json::object());
  if (!training.is_object()) throw ConfigError(source + ": training", "an object", describe(training));
  const json seed = training.value("seed", json(0));
  if (!seed.is_number_unsigned() && !(seed.is_number_integer() && seed.get<long long>() >= 0))
    throw ConfigError(source + ": training.seed", "a non-negative integer", describe(seed));
  training["seed"] = seed.get<std::uint64_t>() + static_cast<std::uint64_t>(seed_index);
  if (options.epochs > 0) training["epochs"] = options.epochs;
  if (model == "software_mlp") {
    config["software_mlp"] = {{"hidden", std::vector<int>(static_cast<std::size_t>(depth), width)}};
    if (options.baseline_learning_rate > 0) training["learning_rate"] = options.baseline_learning_rate;
    training.erase("variability_aware");  // a software MLP has no chips
  }
  config["training"] = training;
  config.erase("variability");  // the size study measures the nominal network
  config.erase("size_study");   // each run is a plain training
  return config;
}

std::string size_study_run_folder(const std::string& model, int depth, int width, int seed_index) {
  return (fs::path("runs") / (model + "_d" + std::to_string(depth) + "_w" + std::to_string(width) + "_s" +
                              std::to_string(seed_index)))
      .string();
}

namespace {

struct Group {
  std::string model;
  int depth = 0, width = 0;
  std::size_t parameters = 0;
  std::vector<double> accuracies;
  double train_sps = 0, mean_train_sps = 0, evaluation_sps = 0, wall = 0;
  double mean() const {
    double m = 0;
    for (double a : accuracies) m += a / accuracies.size();
    return m;
  }
  double std() const {
    if (accuracies.size() < 2) return 0;
    const double m = mean();
    double v = 0;
    for (double a : accuracies) v += (a - m) * (a - m) / (accuracies.size() - 1);
    return std::sqrt(v);
  }
};

/// Runs grouped by (model, depth, width) in grid order (RF before the MLP), throughputs averaged.
std::vector<Group> group_runs(const std::vector<SizeStudyRun>& runs) {
  std::map<std::tuple<int, int, int, std::string>, Group> groups;
  for (const auto& r : runs) {
    Group& g = groups[{r.model == "rf_network" ? 0 : 1, r.depth, r.width, r.model}];
    g.model = r.model;
    g.depth = r.depth;
    g.width = r.width;
    g.parameters = r.parameters;
    g.accuracies.push_back(r.test_accuracy);
    g.train_sps += r.train_samples_per_second;
    g.mean_train_sps += r.mean_train_samples_per_second;
    g.evaluation_sps += r.evaluation_samples_per_second;
    g.wall += r.wall_seconds;
  }
  std::vector<Group> out;
  for (auto& [key, g] : groups) {
    const double n = static_cast<double>(g.accuracies.size());
    g.train_sps /= n;
    g.mean_train_sps /= n;
    g.evaluation_sps /= n;
    out.push_back(std::move(g));
  }
  return out;
}

}  // namespace

std::string size_study_table_csv(const std::vector<SizeStudyRun>& runs) {
  std::ostringstream s;
  s.precision(8);
  s << "model,depth,width,parameters,seeds,test_accuracies,mean_test_accuracy,std_test_accuracy,"
       "train_samples_per_second,mean_epoch_train_samples_per_second,evaluation_samples_per_second,wall_seconds\n";
  for (const Group& g : group_runs(runs)) {
    s << g.model << ',' << g.depth << ',' << g.width << ',' << g.parameters << ',' << g.accuracies.size() << ',';
    for (std::size_t i = 0; i < g.accuracies.size(); ++i) s << (i ? ";" : "") << g.accuracies[i];
    s << ',' << g.mean() << ',' << g.std() << ',' << g.train_sps << ',' << g.mean_train_sps << ',' << g.evaluation_sps
      << ',' << g.wall << '\n';
  }
  return s.str();
}

std::string size_study_runs_csv(const std::vector<SizeStudyRun>& runs) {
  std::ostringstream s;
  s.precision(8);
  s << "model,depth,width,seed_index,seed,parameters,test_accuracy,train_samples_per_second,"
       "mean_epoch_train_samples_per_second,evaluation_samples_per_second,wall_seconds\n";
  for (const auto& r : runs)
    s << r.model << ',' << r.depth << ',' << r.width << ',' << r.seed_index << ',' << r.seed << ',' << r.parameters << ','
      << r.test_accuracy << ',' << r.train_samples_per_second << ',' << r.mean_train_samples_per_second << ','
      << r.evaluation_samples_per_second << ',' << r.wall_seconds << '\n';
  return s.str();
}

std::string size_study_table_text(const std::vector<SizeStudyRun>& runs) {
  std::ostringstream s;
  char line[256];
  std::snprintf(line, sizeof line, "%-13s %5s %6s %10s %5s %17s %14s %14s %9s\n", "model", "depth", "width", "parameters",
                "seeds", "test accuracy %", "train sampl/s", "eval sampl/s", "wall s");
  s << line;
  for (const Group& g : group_runs(runs)) {
    char accuracy[32];
    std::snprintf(accuracy, sizeof accuracy, "%.2f +- %.2f", 100 * g.mean(), 100 * g.std());
    std::snprintf(line, sizeof line, "%-13s %5d %6d %10zu %5zu %17s %14.0f %14.0f %9.1f\n", g.model.c_str(), g.depth,
                  g.width, g.parameters, g.accuracies.size(), accuracy, g.train_sps, g.evaluation_sps, g.wall);
    s << line;
  }
  return s.str();
}

namespace {

json options_to_json(const SizeStudyOptions& o) {
  return {{"widths", o.widths},     {"depths", o.depths},     {"seeds", o.seeds},
          {"epochs", o.epochs},     {"baseline", o.baseline}, {"baseline_learning_rate", o.baseline_learning_rate}};
}

SizeStudyRun read_run(const fs::path& summary_file, const std::string& model, int depth, int width, int seed_index) {
  const json summary = load_json_file(summary_file.string());
  SizeStudyRun run;
  run.model = model;
  run.depth = depth;
  run.width = width;
  run.seed_index = seed_index;
  try {
    run.seed = summary.at("seed").get<std::uint64_t>();
    run.parameters = summary.at("parameter_count").get<std::size_t>();
    run.test_accuracy = summary.at("test_accuracy").get<double>();
    run.train_samples_per_second = summary.at("train_samples_per_second_best_epoch").get<double>();
    run.mean_train_samples_per_second = summary.at("train_samples_per_second_mean").get<double>();
    run.evaluation_samples_per_second = summary.at("evaluation_samples_per_second").get<double>();
    run.wall_seconds = summary.value("wall_seconds", summary.at("train_seconds").get<double>());
  } catch (const json::exception& e) {
    throw RunError(summary_file.string() + ": not a finished run's summary (" + e.what() +
                   "); delete that run folder to redo it");
  }
  return run;
}

}  // namespace

void read_size_study(const std::string& out_dir, json& base, std::string& source, SizeStudyOptions& options) {
  const fs::path file = fs::path(out_dir) / "size_study.json";
  if (!fs::exists(file)) throw RunError(file.string() + ": no size study to resume (not found)");
  const json study = load_json_file(file.string());
  try {
    base = study.at("config");
    source = study.at("config_file").get<std::string>();
    const json& o = study.at("options");
    options.widths = o.at("widths").get<std::vector<int>>();
    options.depths = o.at("depths").get<std::vector<int>>();
    options.seeds = o.at("seeds").get<int>();
    options.epochs = o.at("epochs").get<int>();
    options.baseline = o.at("baseline").get<bool>();
    options.baseline_learning_rate = o.at("baseline_learning_rate").get<double>();
  } catch (const json::exception& e) {
    throw RunError(file.string() + ": not a size study description (" + e.what() + ")");
  }
}

std::vector<SizeStudyRun> run_size_study(const json& base, const std::string& source, const SizeStudyOptions& options,
                                         const std::string& out_dir, std::function<void(const std::string&)> progress) {
  auto require_positive = [&](const std::vector<int>& values, const std::string& what) {
    if (values.empty()) throw ConfigError(what, "at least one value", "none");
    for (int v : values)
      if (v < 1) throw ConfigError(what, "positive integers", std::to_string(v));
  };
  require_positive(options.widths, "--widths");
  require_positive(options.depths, "--depths");
  if (options.seeds < 1) throw ConfigError("--seeds", "at least 1", std::to_string(options.seeds));

  std::vector<std::string> models{"rf_network"};
  if (options.baseline) models.push_back("software_mlp");
  // Every run's config is read before anything runs: a config error stops the study at once.
  struct Planned {
    std::string model;
    int depth, width, seed_index;
    RfExperiment experiment;
  };
  std::vector<Planned> plan;
  for (const auto& model : models)
    for (int depth : options.depths)
      for (int width : options.widths)
        for (int s = 0; s < options.seeds; ++s) {
          const json config = size_study_run_config(base, model, depth, width, s, options, source);
          plan.push_back({model, depth, width, s, read_rf_experiment(config, source)});
        }

  fs::create_directories(out_dir);
  const fs::path out(out_dir);
  const fs::path description = out / "size_study.json";
  json study = {{"format", "spinnet-size-study"},
                {"config_file", source},
                {"config", base},
                {"resolved", plan.front().experiment.resolved},
                {"options", options_to_json(options)}};
  json seeds = json::array();
  for (int s = 0; s < options.seeds; ++s) seeds.push_back(plan[static_cast<std::size_t>(s)].experiment.training.seed);
  study["training_seeds"] = seeds;
  if (fs::exists(description)) {
    const json earlier = load_json_file(description.string());
    if (earlier.value("config", json()) != base || earlier.value("options", json()) != study["options"])
      throw RunError(description.string() + ": " + out_dir +
                     " holds a different size study (config or grid); resume it with --resume, or choose another --out");
  }
  write_file_atomically(description.string(), study.dump(2) + "\n");

  std::vector<SizeStudyRun> runs;
  auto write_tables = [&] {
    write_file_atomically((out / "size_study.csv").string(), size_study_table_csv(runs));
    write_file_atomically((out / "size_study_runs.csv").string(), size_study_runs_csv(runs));
  };
  for (std::size_t i = 0; i < plan.size(); ++i) {
    const Planned& p = plan[i];
    const fs::path folder = out / size_study_run_folder(p.model, p.depth, p.width, p.seed_index);
    const fs::path summary = folder / "summary.json";
    char head[160];
    std::snprintf(head, sizeof head, "[%zu/%zu] %s depth %d width %d seed %llu", i + 1, plan.size(), p.model.c_str(),
                  p.depth, p.width, static_cast<unsigned long long>(p.experiment.training.seed));
    SizeStudyRun run;
    if (fs::exists(summary)) {
      run = read_run(summary, p.model, p.depth, p.width, p.seed_index);
      run.from_earlier = true;
    } else {
      const bool resume = fs::exists(folder / "checkpoint.json");
      const auto start = std::chrono::steady_clock::now();
      run_rf_experiment(p.experiment, folder.string(), resume ? folder.string() : "", nullptr);
      const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      // The wall time goes into the run's summary, so that a resumed study reports it too.
      json s = load_json_file(summary.string());
      s["wall_seconds"] = wall;
      write_file_atomically(summary.string(), s.dump(2) + "\n");
      run = read_run(summary, p.model, p.depth, p.width, p.seed_index);
    }
    runs.push_back(run);
    write_tables();
    if (progress) {
      char line[320];
      std::snprintf(line, sizeof line, "%s: test %.2f %%, %zu parameters, %.0f train samples/s, %.1f s%s", head,
                    100 * run.test_accuracy, run.parameters, run.train_samples_per_second, run.wall_seconds,
                    run.from_earlier ? " (finished earlier)" : "");
      progress(line);
    }
  }
  return runs;
}

}  // namespace spinnet
