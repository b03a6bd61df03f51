// The spoken-digit study's output files (spoken_digit_study.hpp; docs/reservoir.md).
#include <cmath>
#include <filesystem>
#include <sstream>

#include "spinnet/reservoir/spoken_digit_study.hpp"
#include "spinnet/study/output.hpp"

namespace spinnet {
namespace {

json number_or_null(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

std::string csv_number(double v) {
  if (!std::isfinite(v)) return "";
  std::ostringstream text;
  text.precision(10);
  text << v;
  return text.str();
}

}  // namespace

void write_spoken_digit_outputs(const ReservoirExperiment& e, const SpokenDigitOutcome& outcome,
                                const std::vector<std::string>& files, const std::vector<int>& labels,
                                const std::vector<std::string>& parts, const std::string& out_dir) {
  const auto path = [&](const char* name) { return (std::filesystem::path(out_dir) / name).string(); };
  const std::string header = "# " + e.name + " (seed " + std::to_string(e.seed) + ")\n";

  std::ostringstream table;
  table << header << "preprocessing,method,state_size,train_accuracy,validation_accuracy,test_accuracy,"
        << "loso_accuracy,relative_lambda,cv_accuracy,wall_s,device_steps_per_s\n";
  for (const auto& m : outcome.methods)
    table << m.preprocessing << "," << m.method << "," << m.state_size << "," << csv_number(m.train_accuracy) << ","
          << csv_number(m.validation_accuracy) << "," << csv_number(m.test_accuracy) << ","
          << csv_number(m.loso_accuracy) << "," << csv_number(m.relative_lambda) << "," << csv_number(m.cv_accuracy)
          << "," << csv_number(m.cost.wall_seconds) << "," << csv_number(m.cost.device_steps_per_second()) << "\n";
  write_file_atomically(path("accuracy.csv"), table.str());

  std::ostringstream loso;
  loso << header << "preprocessing,method,speaker,accuracy\n";
  for (const auto& m : outcome.methods)
    for (const auto& [speaker, a] : m.loso) loso << m.preprocessing << "," << m.method << "," << speaker << "," << a << "\n";
  write_file_atomically(path("loso.csv"), loso.str());

  std::ostringstream confusion;
  confusion << header << "# validation part: count of recordings of class true classified as predicted\n"
            << "preprocessing,method,true,predicted,count\n";
  for (const auto& m : outcome.methods)
    for (std::size_t t = 0; t < m.confusion.size(); ++t)
      for (std::size_t q = 0; q < m.confusion[t].size(); ++q)
        confusion << m.preprocessing << "," << m.method << "," << t << "," << q << "," << m.confusion[t][q] << "\n";
  write_file_atomically(path("confusion.csv"), confusion.str());

  std::ostringstream predictions;
  predictions << header << "file,label,part";
  for (const auto& m : outcome.methods) predictions << "," << m.preprocessing << "_" << m.method;
  predictions << "\n";
  for (std::size_t i = 0; i < files.size(); ++i) {
    predictions << files[i] << "," << labels[i] << "," << parts[i];
    for (const auto& m : outcome.methods) predictions << "," << m.predicted[i];
    predictions << "\n";
  }
  write_file_atomically(path("predictions.csv"), predictions.str());

  std::ostringstream sweeps;
  sweeps << header << "# the STNO reservoir on " << (e.preprocessing.empty() ? "" : to_string(e.preprocessing[0].kind))
         << ", one parameter changed at a time from the base point\nparameter,value,validation_accuracy,device_steps_per_s,wall_s,failure\n";
  for (const auto& s : outcome.sweeps)
    sweeps << s.parameter << "," << s.value << "," << csv_number(s.validation_accuracy) << "," << s.device_steps_per_second
           << "," << s.seconds << ",\"" << s.failure << "\"\n";
  write_file_atomically(path("sweeps.csv"), sweeps.str());

  json result = json::object();
  result["version"] = SPINNET_VERSION;
  result["experiment"] = "reservoir";
  result["task"] = "spoken_digits";
  result["name"] = e.name;
  result["seed"] = e.seed;
  result["recordings"] = {{"folder", e.data.folder}, {"total", outcome.recordings}, {"train", outcome.train},
                          {"validation", outcome.validation}, {"test", outcome.test}};
  json methods = json::array();
  for (const auto& m : outcome.methods) {
    json loso_json = json::object();
    for (const auto& [speaker, a] : m.loso) loso_json[speaker] = a;
    methods.push_back({{"preprocessing", m.preprocessing},
                       {"method", m.method},
                       {"state_size", m.state_size},
                       {"train_accuracy", m.train_accuracy},
                       {"validation_accuracy", m.validation_accuracy},
                       {"test_accuracy", number_or_null(m.test_accuracy)},
                       {"leave_one_speaker_out_accuracy", number_or_null(m.loso_accuracy)},
                       {"leave_one_speaker_out", loso_json},
                       {"relative_lambda", m.relative_lambda},
                       {"cross_validated_accuracy", m.cv_accuracy},
                       {"reservoir_seconds", m.cost.wall_seconds},
                       {"readout_seconds", m.readout_seconds},
                       {"device_steps", m.cost.device_steps},
                       {"device_steps_per_second", m.cost.device_steps_per_second()},
                       {"backend", m.cost.backend}});
  }
  result["methods"] = methods;
  // Gains of the STNO reservoir over each baseline of the same preprocessing, in accuracy points.
  json gains = json::array();
  for (const auto& stno : outcome.methods) {
    if (stno.method != "stno") continue;
    for (const auto& other : outcome.methods) {
      if (other.preprocessing != stno.preprocessing || other.method == "stno") continue;
      gains.push_back({{"preprocessing", stno.preprocessing},
                       {"over", other.method},
                       {"validation_points", 100 * (stno.validation_accuracy - other.validation_accuracy)},
                       {"test_points", number_or_null(100 * (stno.test_accuracy - other.test_accuracy))},
                       {"leave_one_speaker_out_points", number_or_null(100 * (stno.loso_accuracy - other.loso_accuracy))}});
    }
  }
  result["gains"] = gains;
  json sweep_json = json::array();
  for (const auto& s : outcome.sweeps)
    sweep_json.push_back({{"parameter", s.parameter}, {"value", s.value},
                          {"validation_accuracy", number_or_null(s.validation_accuracy)},
                          {"device_steps_per_second", s.device_steps_per_second}, {"seconds", s.seconds},
                          {"failure", s.failure}});
  result["sweeps"] = sweep_json;
  result["timings"] = {{"read_s", outcome.read_seconds},
                       {"features_s", outcome.feature_seconds},
                       {"wall_s", outcome.wall_seconds},
                       {"stno_device_steps", outcome.stno_device_steps},
                       {"stno_engine_s", outcome.stno_engine_seconds},
                       {"stno_device_steps_per_second",
                        outcome.stno_engine_seconds > 0 ? outcome.stno_device_steps / outcome.stno_engine_seconds : 0.0}};
  result["resolved_config"] = e.resolved;
  write_file_atomically(path("result.json"), result.dump(2) + "\n");
  write_file_atomically(path("resolved.json"), e.resolved.dump(2) + "\n");
}

}  // namespace spinnet
