// The sine/square waveform task (waveform_task.hpp).
#include "spinnet/reservoir/waveform_task.hpp"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <sstream>
#include <tuple>

#include "spinnet/reservoir/linear_nodes.hpp"
#include "spinnet/reservoir/reservoir_random.hpp"
#include "spinnet/reservoir/ridge_readout.hpp"
#include "spinnet/reservoir/time_multiplexing.hpp"
#include "spinnet/reservoir/vortex_nodes.hpp"
#include "spinnet/study/output.hpp"

namespace spinnet {
namespace {

FeatureFrames column_of(const std::vector<double>& values) {
  FeatureFrames f(static_cast<Eigen::Index>(values.size()), 1);
  for (std::size_t k = 0; k < values.size(); ++k) f(static_cast<Eigen::Index>(k), 0) = values[k];
  return f;
}

Eigen::MatrixXd target_of(const WaveformSequence& s) {
  Eigen::MatrixXd t(static_cast<Eigen::Index>(s.is_sine.size()), 1);
  for (std::size_t k = 0; k < s.is_sine.size(); ++k) t(static_cast<Eigen::Index>(k), 0) = s.is_sine[k];
  return t;
}

double point_accuracy(const Eigen::MatrixXd& outputs, const WaveformSequence& s) {
  double correct = 0;
  for (Eigen::Index k = 0; k < outputs.rows(); ++k) correct += ((outputs(k, 0) > 0.5) == (s.is_sine[static_cast<std::size_t>(k)] == 1)) ? 1.0 : 0.0;
  return correct / static_cast<double>(outputs.rows());
}

}  // namespace

WaveformSequence sine_square_sequence(int periods, int points_per_period, std::uint64_t seed, std::uint64_t first_period) {
  WaveformSequence s;
  const double two_pi = 6.283185307179586;
  for (int p = 0; p < periods; ++p) {
    const bool sine = reservoir_uniform(seed, ReservoirDraw::task_input, first_period + static_cast<std::uint64_t>(p)) < 0.5;
    for (int k = 0; k < points_per_period; ++k) {
      s.input.push_back(sine ? std::sin(two_pi * k / points_per_period) : (2 * k < points_per_period ? 1.0 : -1.0));
      s.is_sine.push_back(sine ? 1 : 0);
    }
  }
  return s;
}

WaveformOutcome run_waveform_task(const ReservoirExperiment& e, const std::string& out_dir, const RunOptions& options,
                                  const ReservoirLog& log) {
  const auto start = std::chrono::steady_clock::now();
  const WaveformOptions& w = e.waveform;
  // Training and test periods are disjoint draws of the same stream.
  const WaveformSequence train = sine_square_sequence(w.train_periods, w.points_per_period, e.seed, 0);
  const WaveformSequence test = sine_square_sequence(w.test_periods, w.points_per_period, e.seed, 1u << 30);
  const WaveformSequence validation = sine_square_sequence(w.test_periods, w.points_per_period, e.seed, 1u << 29);
  const std::vector<FeatureFrames> features{column_of(train.input), column_of(test.input), column_of(validation.input)};
  const Eigen::MatrixXd mask = make_input_mask(e.nodes, 1, e.mask, e.mask_seed);
  RidgeCvOptions cv = e.readout.cross_validation;

  WaveformOutcome out;
  const auto evaluate = [&](const std::vector<StateFrames>& states, double* relative_lambda, Eigen::MatrixXd* test_out) {
    const RidgeCvResult fit = fit_ridge_regression(states[0].cast<double>(), target_of(train), cv);
    const Eigen::MatrixXd outputs = fit.fit.predict(states[1].cast<double>());
    if (relative_lambda) *relative_lambda = fit.fit.relative_lambda;
    if (test_out) *test_out = outputs;
    return std::pair<double, double>{point_accuracy(fit.fit.predict(states[0].cast<double>()), train),
                                     point_accuracy(outputs, test)};
  };

  TimeMultiplexedReservoir stno("stno", std::make_shared<VortexNodes>(e.vortex), mask);
  stno.fit_inputs(features, {0});
  const std::vector<StateFrames> states = stno.transform(features, 0, options, {});
  Eigen::MatrixXd test_outputs;
  std::tie(out.train_accuracy, out.test_accuracy) = evaluate(states, &out.relative_lambda, &test_outputs);
  {
    const RidgeCvResult fit = fit_ridge_regression(states[0].cast<double>(), target_of(train), cv);
    out.validation_accuracy = point_accuracy(fit.fit.predict(states[2].cast<double>()), validation);
  }
  out.device_steps_per_second = stno.cost().device_steps_per_second();

  PreprocessingOnly input_only(1);
  out.input_only_accuracy = evaluate(input_only.transform(features, 0, options, {}), nullptr, nullptr).second;
  TimeMultiplexedReservoir linear("linear", std::make_shared<LinearNodes>(linearized(e.vortex)), mask);
  linear.fit_inputs(features, {0});
  out.linear_accuracy = evaluate(linear.transform(features, 0, options, {}), nullptr, nullptr).second;
  for (double temperature : w.temperatures) {
    VortexNodeOptions at = e.vortex;
    at.device.temperature = temperature;
    TimeMultiplexedReservoir r("stno", std::make_shared<VortexNodes>(at), mask);
    r.fit_inputs(features, {0});
    const double a = evaluate(r.transform(features, 0, options, {}), nullptr, nullptr).second;
    out.by_temperature.emplace_back(temperature, a);
    if (log) log(e.name + ": at " + std::to_string(temperature) + " K: test accuracy " + std::to_string(100 * a) + " %");
  }
  out.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (log) {
    std::ostringstream text;
    text << e.name << ": sine/square test accuracy " << 100 * out.test_accuracy << " % (validation "
         << 100 * out.validation_accuracy << " %, train " << 100 * out.train_accuracy
         << " %; input alone " << 100 * out.input_only_accuracy << " %, linear reservoir " << 100 * out.linear_accuracy
         << " %)";
    log(text.str());
  }

  const auto path = [&](const char* name) { return (std::filesystem::path(out_dir) / name).string(); };
  std::ostringstream table;
  table << "# " << e.name << ": the test sequence, one row per point; envelope_<i> = node i's output\n"
        << "point,input,is_sine,output,predicted_sine,current_mA";
  for (int i = 0; i < e.nodes; ++i) table << ",envelope_" << i;
  table << "\n";
  const std::vector<float> u = stno.node_inputs(features[1]);
  const auto& vortex = static_cast<const VortexNodes&>(stno.dynamics());
  for (Eigen::Index k = 0; k < test_outputs.rows(); ++k) {
    table << k << "," << test.input[static_cast<std::size_t>(k)] << "," << test.is_sine[static_cast<std::size_t>(k)] << ","
          << test_outputs(k, 0) << "," << (test_outputs(k, 0) > 0.5 ? 1 : 0) << ","
          << vortex.current_of(u[static_cast<std::size_t>(k) * static_cast<std::size_t>(e.nodes)]) * 1e3;
    for (int i = 0; i < e.nodes; ++i) table << "," << states[1](k, i);
    table << "\n";
  }
  write_file_atomically(path("waveform.csv"), table.str());
  json result = {{"version", SPINNET_VERSION},
                 {"experiment", "reservoir"},
                 {"task", "sine_square"},
                 {"name", e.name},
                 {"seed", e.seed},
                 {"nodes", e.nodes},
                 {"theta_ns", e.vortex.node_duration * 1e9},
                 {"train_accuracy", out.train_accuracy},
                 {"validation_accuracy", out.validation_accuracy},
                 {"test_accuracy", out.test_accuracy},
                 {"input_only_test_accuracy", out.input_only_accuracy},
                 {"linear_reservoir_test_accuracy", out.linear_accuracy},
                 {"relative_lambda", out.relative_lambda},
                 {"test_accuracy_by_temperature", [&] {
                    json list = json::array();
                    for (const auto& [t, a] : out.by_temperature) list.push_back({{"temperature_K", t}, {"test_accuracy", a}});
                    return list;
                  }()},
                 {"operating_point", vortex.describe()},
                 {"device_steps_per_second", out.device_steps_per_second},
                 {"wall_s", out.wall_seconds},
                 {"resolved_config", e.resolved}};
  write_file_atomically(path("result.json"), result.dump(2) + "\n");
  write_file_atomically(path("resolved.json"), e.resolved.dump(2) + "\n");
  return out;
}

}  // namespace spinnet
