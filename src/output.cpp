#include "spinnet/output.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "spinnet/errors.hpp"

namespace spinnet {

namespace fs = std::filesystem;

void prepare_output_directory(const std::string& directory) {
  std::error_code ec;
  fs::create_directories(directory, ec);
  if (ec) throw RunError("cannot create output directory " + directory + ": " + ec.message());
  const std::string probe = (fs::path(directory) / ".spinnet-write-probe").string();
  std::FILE* f = std::fopen(probe.c_str(), "wb");
  if (f == nullptr) throw RunError("cannot write to output directory " + directory + ": " + std::strerror(errno));
  std::fclose(f);
  std::remove(probe.c_str());
}

void write_file_atomically(const std::string& path, const std::string& content) {
  const std::string temporary = path + ".tmp." + std::to_string(::getpid());
  std::FILE* f = std::fopen(temporary.c_str(), "wb");
  if (f == nullptr) throw RunError("cannot write " + temporary + ": " + std::strerror(errno));
  const bool written = std::fwrite(content.data(), 1, content.size(), f) == content.size();
  const bool flushed = std::fflush(f) == 0 && ::fsync(::fileno(f)) == 0;
  const int saved = errno;
  std::fclose(f);
  if (!written || !flushed) {
    std::remove(temporary.c_str());
    throw RunError("cannot write " + path + ": " + std::strerror(saved));
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const int e = errno;
    std::remove(temporary.c_str());
    throw RunError("cannot rename " + temporary + " to " + path + ": " + std::strerror(e));
  }
}

namespace {

json summary(const std::vector<double>& values) {
  double sum = 0, sum2 = 0;
  for (double v : values) sum += v, sum2 += v * v;
  const double n = static_cast<double>(values.size());
  const double mean = sum / n;
  return json{{"mean", mean}, {"std", std::sqrt(std::max(0.0, sum2 / n - mean * mean))}};
}

}  // namespace

void write_macrospin_outputs(const std::string& directory, const MacrospinRunConfig& config,
                             const MacrospinResult& result, const std::string& config_file) {
  const fs::path dir(directory);
  write_file_atomically((dir / "resolved.json").string(), config.resolved.dump(2) + "\n");

  const MacrospinProblem& problem = config.problem;
  json out;
  out["spinnet_version"] = SPINNET_VERSION;
  out["name"] = config.name;
  out["config_file"] = config_file;
  out["seed"] = problem.seed;
  out["model"] = "macrospin";
  out["precision"] = to_string(problem.precision);
  out["backend"] = result.backend;
  out["devices"] = problem.devices.size();
  out["steps"] = problem.steps;
  out["transient_steps"] = problem.transient_steps;
  out["dt_s"] = problem.dt;
  out["wall_seconds"] = result.wall_seconds;
  out["device_steps_per_second"] = result.device_steps_per_second;
  out["resolved_config"] = config.resolved;
  json observables;
  observables["mean_mx"] = result.mean_mx;
  observables["mean_my"] = result.mean_my;
  observables["mean_mz"] = result.mean_mz;
  observables["mean_mx2"] = result.mean_mx2;
  observables["mean_my2"] = result.mean_my2;
  observables["mean_mz2"] = result.mean_mz2;
  observables["mean_resistance_Ohm"] = result.mean_resistance;
  observables["rectified_voltage_V"] = result.rectified_voltage;
  observables["frequency_Hz"] = result.frequency;
  observables["final_mx"] = result.final_mx;
  observables["final_my"] = result.final_my;
  observables["final_mz"] = result.final_mz;
  out["observables"] = observables;
  json summaries;
  for (const auto& [key, values] : observables.items()) {
    summaries[key] = summary(values.get<std::vector<double>>());
  }
  out["summary_over_devices"] = summaries;
  write_file_atomically((dir / "result.json").string(), out.dump(1) + "\n");

  if (result.trace_samples > 0 && !problem.trace_devices.empty()) {
    std::ostringstream csv;
    csv.precision(9);
    csv << "# spinnet " << SPINNET_VERSION << " seed " << problem.seed << " config " << config_file << "\n";
    csv << "time_s,device,mx,my,mz\n";
    const std::size_t columns = problem.trace_devices.size();
    for (std::uint64_t s = 0; s < result.trace_samples; ++s) {
      for (std::size_t k = 0; k < columns; ++k) {
        const std::size_t j = s * columns + k;
        csv << result.trace_time[s] << ',' << problem.trace_devices[k] << ',' << result.trace_x[j] << ','
            << result.trace_y[j] << ',' << result.trace_z[j] << '\n';
      }
    }
    write_file_atomically((dir / "trace.csv").string(), csv.str());
  }
}

}  // namespace spinnet
