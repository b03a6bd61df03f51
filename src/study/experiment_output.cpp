// The outputs of an experiment (write_experiment, experiment.hpp): resolved.json, result.json with
// per-point statistics, results.h5, trace.csv and spectrum.csv, each written atomically.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "spinnet/study/experiment.hpp"
#include "spinnet/study/hdf5_output.hpp"
#include "spinnet/study/output.hpp"
#include "spinnet/study/scheduler.hpp"

namespace spinnet {

namespace {

/// Quantile q of the values, linearly interpolated between order statistics (Hyndman & Fan type 7,
/// numpy's default), by selection (not a sort: 10^6 values per point stay cheap). Reorders
/// `values`; `selected` is where the previous, lower quantile's selection left the values
/// partitioned, so increasing quantiles select only among the larger values.
double quantile_of(std::vector<double>& values, double q, std::size_t& selected) {
  const double position = q * static_cast<double>(values.size() - 1);
  const std::size_t below = std::max(static_cast<std::size_t>(position), selected);
  const auto at = values.begin() + static_cast<std::ptrdiff_t>(below);
  std::nth_element(values.begin() + static_cast<std::ptrdiff_t>(selected), at, values.end());
  selected = below;
  const double low = *at;
  if (below + 1 >= values.size()) return low;
  const double high = *std::min_element(at + 1, values.end());
  return low + (position - static_cast<double>(below)) * (high - low);
}

/// Per sweep point: count of finite values, mean, std (population), min, quantiles, max. Non-finite
/// values (failed fits) are left out and counted.
json point_summaries(const RunConfig& config, const std::vector<double>& values) {
  json points = json::array();
  const std::size_t per = config.sweep.devices_per_point;
  std::vector<double> finite;
  for (std::size_t p = 0; p < config.sweep.points; ++p) {
    finite.clear();
    for (std::size_t i = p * per; i < (p + 1) * per; ++i)
      if (std::isfinite(values[i])) finite.push_back(values[i]);
    json s;
    s["count"] = finite.size();
    s["non_finite"] = per - finite.size();
    if (finite.empty()) {
      s["mean"] = nullptr;
      s["std"] = nullptr;
    } else {
      double sum = 0;
      for (double x : finite) sum += x;
      const double mean = sum / static_cast<double>(finite.size());
      double squares = 0;  // two-pass: no cancellation for large means
      for (double x : finite) squares += (x - mean) * (x - mean);
      s["mean"] = mean;
      s["std"] = std::sqrt(squares / static_cast<double>(finite.size()));
      const auto [low, high] = std::minmax_element(finite.begin(), finite.end());
      s["min"] = *low;
      s["max"] = *high;
      // Quantiles in increasing order: each selection leaves the part above it for the next.
      std::size_t selected = 0;
      s["q05"] = quantile_of(finite, 0.05, selected);
      s["q25"] = quantile_of(finite, 0.25, selected);
      s["median"] = quantile_of(finite, 0.5, selected);
      s["q75"] = quantile_of(finite, 0.75, selected);
      s["q95"] = quantile_of(finite, 0.95, selected);
    }
    points.push_back(std::move(s));
  }
  return points;
}

json finite_or_null(const std::vector<double>& values) {
  json out = json::array();
  for (double v : values) out.push_back(std::isfinite(v) ? json(v) : json(nullptr));
  return out;
}

}  // namespace

void write_experiment(const std::string& directory, const RunConfig& config, const ExperimentResult& result,
                      const std::string& config_file) {
  const std::filesystem::path dir(directory);
  write_file_atomically((dir / "resolved.json").string(), config.resolved.dump(2) + "\n");
  write_results_h5((dir / "results.h5").string(), config, result);
  json out;
  out["spinnet_version"] = SPINNET_VERSION;
  out["name"] = config.name;
  out["config_file"] = config_file;
  out["seed"] = config.control.seed;
  out["model"] = to_string(config.model);
  out["precision"] = to_string(config.control.precision);
  out["backend"] = result.backend;
  out["devices"] = config.device_count();
  out["steps"] = config.control.steps;
  out["transient_steps"] = config.control.transient_steps;
  out["dt_s"] = config.control.dt;
  out["wall_seconds"] = result.wall_seconds;
  out["device_steps_per_second"] = result.device_steps_per_second;
  json sweep;
  sweep["points"] = config.sweep.points;
  sweep["devices_per_point"] = config.sweep.devices_per_point;
  sweep["axes"] = json::array();
  for (const SweepAxis& a : config.sweep.axes) sweep["axes"].push_back(json{{"path", a.path}, {"values", a.values}});
  out["sweep"] = sweep;
  out["resolved_config"] = config.resolved;
  json observables, summaries;
  const bool per_device = config.device_count() <= max_devices_in_result_json;
  for (const auto& [key, values] : result.observables) {
    if (per_device) observables[key] = finite_or_null(values);
    summaries[key] = point_summaries(config, values);
  }
  out["observables"] = per_device ? observables : json::object();
  out["observables_per_device_in"] = per_device ? "result.json and results.h5" : "results.h5";
  out["instances"] = work_layout(config).instances;
  out["devices_per_instance"] = work_layout(config).devices_per_item;
  out["summary_per_point"] = summaries;
  write_file_atomically((dir / "result.json").string(), out.dump(1) + "\n");

  const std::string header = "# spinnet " + std::string(SPINNET_VERSION) + " seed " +
                             std::to_string(config.control.seed) + " config " + config_file + "\n";
  const std::vector<std::uint32_t> traced = traced_units(config);
  if (!result.trace_time.empty() && !traced.empty()) {
    std::ostringstream csv;
    csv.precision(9);
    csv << header << "time_s,device";
    for (const auto& c : result.trace_columns) csv << ',' << c;
    csv << '\n';
    const std::size_t columns = traced.size();
    for (std::size_t s = 0; s < result.trace_time.size(); ++s) {
      for (std::size_t k = 0; k < columns; ++k) {
        csv << result.trace_time[s] << ',' << traced[k];
        for (const auto& values : result.trace_values) csv << ',' << values[s * columns + k];
        csv << '\n';
      }
    }
    write_file_atomically((dir / "trace.csv").string(), csv.str());
  }
  if (!result.spectrum_density.empty()) {
    std::ostringstream csv;
    csv.precision(9);
    csv << header << "frequency_Hz";
    const std::string row = result.spectrum_per_network ? ",psd_network_" : ",psd_device_";
    for (std::size_t i = 0; i < result.spectrum_density.size(); ++i) csv << row << i << "_V2_per_Hz";
    csv << '\n';
    for (std::size_t k = 0; k < result.spectrum_frequency.size(); ++k) {
      csv << result.spectrum_frequency[k];
      for (const auto& row : result.spectrum_density) csv << ',' << row[k];
      csv << '\n';
    }
    write_file_atomically((dir / "spectrum.csv").string(), csv.str());
  }
  if (!result.network_trace_time.empty()) {
    // Per-network traces of coupled networks: network.csv (time_s, network, order_parameter, ...).
    std::ostringstream csv;
    csv.precision(9);
    csv << header << "time_s,network";
    for (const auto& c : result.network_trace_columns) csv << ',' << c;
    csv << '\n';
    const std::size_t samples = result.network_trace_time.size();
    const std::size_t networks = result.network_trace_values.empty() ? 0 : result.network_trace_values[0].size() / samples;
    for (std::size_t s = 0; s < samples; ++s)
      for (std::size_t g = 0; g < networks; ++g) {
        csv << result.network_trace_time[s] << ',' << g;
        for (const auto& values : result.network_trace_values) csv << ',' << values[s * networks + g];
        csv << '\n';
      }
    write_file_atomically((dir / "network.csv").string(), csv.str());
  }
}

}  // namespace spinnet
