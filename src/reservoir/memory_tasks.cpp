// Memory capacity and NARMA-10 of the vortex reservoir (memory_tasks.hpp).
#include "spinnet/reservoir/memory_tasks.hpp"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <sstream>
#include <utility>

#include "spinnet/models/vortex_orbit.hpp"
#include "spinnet/reservoir/reservoir_random.hpp"
#include "spinnet/reservoir/ridge_readout.hpp"
#include "spinnet/reservoir/time_multiplexing.hpp"
#include "spinnet/reservoir/vortex_nodes.hpp"
#include "spinnet/study/output.hpp"

namespace spinnet {
namespace {

double squared_correlation(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  const Eigen::VectorXd x = a.array() - a.mean(), y = b.array() - b.mean();
  const double denominator = x.squaredNorm() * y.squaredNorm();
  return denominator > 0 ? (x.dot(y) * x.dot(y)) / denominator : 0.0;
}

}  // namespace

std::vector<double> narma10(const std::vector<double>& v) {
  std::vector<double> y(v.size() + 1, 0.0);
  for (std::size_t k = 9; k < v.size(); ++k) {
    double sum = 0;
    for (std::size_t i = 0; i < 10; ++i) sum += y[k - i];
    y[k + 1] = 0.3 * y[k] + 0.05 * y[k] * sum + 1.5 * v[k - 9] * v[k] + 0.1;
  }
  return y;
}

std::vector<double> memory_task_input(int samples, std::uint64_t seed) {
  std::vector<double> u(static_cast<std::size_t>(samples));
  for (int k = 0; k < samples; ++k)
    u[static_cast<std::size_t>(k)] = 2 * reservoir_uniform(seed, ReservoirDraw::task_input, static_cast<std::uint64_t>(k)) - 1;
  return u;
}

std::vector<MemoryPoint> run_memory_study(const ReservoirExperiment& e, const std::string& out_dir,
                                          const RunOptions& options, const ReservoirLog& log) {
  const MemoryOptions& m = e.memory;
  const std::vector<double> u = memory_task_input(m.samples, e.seed);
  std::vector<double> v(u.size());
  for (std::size_t k = 0; k < u.size(); ++k) v[k] = (u[k] + 1) / 4;
  const std::vector<double> narma = narma10(v);
  FeatureFrames input(m.samples, 1);
  for (int k = 0; k < m.samples; ++k) input(k, 0) = u[static_cast<std::size_t>(k)];
  const std::vector<FeatureFrames> features{input};

  const int first = m.washout + m.max_delay;                 // first usable frame
  const int rows = m.samples - 1 - first;                    // frames first .. samples - 2 (NARMA needs y_{k+1})
  const int train_rows = static_cast<int>(std::lround(m.train_fraction * rows));
  std::vector<MemoryPoint> points;
  std::vector<std::pair<double, double>> grid;  // (temperature, theta); each runs its currents as one batch
  for (double temperature : m.temperature)
    for (double theta : m.theta) grid.emplace_back(temperature, theta);
  for (const auto& [temperature, theta] : grid) {
    VortexNodeOptions vortex = e.vortex;
    vortex.node_duration = theta;
    vortex.device.temperature = temperature;
    auto dynamics = std::make_shared<VortexNodes>(vortex);
    TimeMultiplexedReservoir reservoir("stno", dynamics, make_input_mask(e.nodes, 1, e.mask, e.mask_seed));
    reservoir.fit_inputs(features, {0});
    const std::vector<float> nodes = reservoir.node_inputs(input);
    std::vector<std::vector<float>> inputs(m.current.size(), nodes);
    std::vector<double> offsets;
    for (double current : m.current) offsets.push_back(current - vortex.device.current);
    const NodeResponses responses = dynamics->run_with_offsets(inputs, offsets, 0, options, {});
    for (std::size_t c = 0; c < m.current.size(); ++c) {
      const auto& values = responses.values[c];
      Eigen::MatrixXd x(rows, e.nodes);
      Eigen::MatrixXd y(rows, m.max_delay + 1);  // delays 1 .. D, then NARMA-10
      for (int r = 0; r < rows; ++r) {
        const int k = first + r;
        for (int i = 0; i < e.nodes; ++i) x(r, i) = values[static_cast<std::size_t>(k) * static_cast<std::size_t>(e.nodes) + static_cast<std::size_t>(i)];
        for (int d = 1; d <= m.max_delay; ++d) y(r, d - 1) = u[static_cast<std::size_t>(k - d)];
        y(r, m.max_delay) = narma[static_cast<std::size_t>(k) + 1];
      }
      MemoryPoint point;
      point.theta = theta;
      point.current = m.current[c];
      point.temperature = temperature;
      point.relaxation_time = vortex_amplitude_relaxation_time(vortex_at(vortex.device, m.current[c], vortex.device.temperature), m.current[c]);
      point.device_steps_per_second = responses.engine_seconds > 0 ? responses.device_steps / responses.engine_seconds : 0;
      RidgeCvOptions cv = e.readout.cross_validation;
      const Eigen::MatrixXd x_train = x.topRows(train_rows), x_test = x.bottomRows(rows - train_rows);
      const Eigen::MatrixXd recall_train = y.topRows(train_rows).leftCols(m.max_delay);
      const Eigen::MatrixXd narma_train = y.topRows(train_rows).rightCols(1);
      const RidgeCvResult recall = fit_ridge_regression(x_train, recall_train, cv);
      const Eigen::MatrixXd recall_out = recall.fit.predict(x_test);
      for (int d = 0; d < m.max_delay; ++d) {
        const double r2 = squared_correlation(recall_out.col(d), y.bottomRows(rows - train_rows).col(d));
        point.recall.push_back(r2);
        point.capacity += r2;
      }
      const RidgeCvResult n = fit_ridge_regression(x_train, narma_train, cv);
      const Eigen::VectorXd predicted = n.fit.predict(x_test).col(0);
      const Eigen::VectorXd target = y.bottomRows(rows - train_rows).col(m.max_delay);
      const double variance = (target.array() - target.mean()).square().mean();
      point.narma_nrmse = std::sqrt((predicted - target).squaredNorm() / static_cast<double>(target.size()) / variance);
      if (log) {
        std::ostringstream text;
        text << e.name << ": " << temperature << " K, theta " << theta * 1e9 << " ns, I_dc " << m.current[c] * 1e3 << " mA (tau "
             << point.relaxation_time * 1e9 << " ns): memory capacity " << point.capacity << ", NARMA-10 NRMSE "
             << point.narma_nrmse;
        log(text.str());
      }
      points.push_back(std::move(point));
    }
  }

  const auto path = [&](const char* name) { return (std::filesystem::path(out_dir) / name).string(); };
  std::ostringstream table, recall;
  table << "# " << e.name << ": " << e.nodes << " virtual nodes per input sample, seed " << e.seed << "\n"
        << "temperature_K,theta_ns,current_mA,relaxation_time_ns,frame_ns,memory_capacity,narma10_nrmse,device_steps_per_s\n";
  recall << "temperature_K,theta_ns,current_mA,delay,r2\n";
  json list = json::array();
  for (const auto& p : points) {
    table << p.temperature << "," << p.theta * 1e9 << "," << p.current * 1e3 << "," << p.relaxation_time * 1e9 << ","
          << p.theta * e.nodes * 1e9 << "," << p.capacity << "," << p.narma_nrmse << "," << p.device_steps_per_second << "\n";
    for (std::size_t d = 0; d < p.recall.size(); ++d)
      recall << p.temperature << "," << p.theta * 1e9 << "," << p.current * 1e3 << "," << d + 1 << "," << p.recall[d] << "\n";
    list.push_back({{"temperature_K", p.temperature}, {"theta_ns", p.theta * 1e9}, {"current_mA", p.current * 1e3},
                    {"relaxation_time_ns", p.relaxation_time * 1e9}, {"memory_capacity", p.capacity},
                    {"narma10_nrmse", p.narma_nrmse}});
  }
  write_file_atomically(path("memory.csv"), table.str());
  write_file_atomically(path("memory_recall.csv"), recall.str());
  json result = {{"version", SPINNET_VERSION}, {"experiment", "reservoir"}, {"task", "memory"}, {"name", e.name},
                 {"seed", e.seed}, {"nodes", e.nodes}, {"points", list}, {"resolved_config", e.resolved}};
  write_file_atomically(path("result.json"), result.dump(2) + "\n");
  write_file_atomically(path("resolved.json"), e.resolved.dump(2) + "\n");
  return points;
}

}  // namespace spinnet
