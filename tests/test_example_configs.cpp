// Every configs/*.json runs through the command line (found when the test runs, so a new example is
// covered without touching this file) and writes result.json and resolved.json that parse. The
// spin-torque oscillator must actually auto-oscillate, and the thermal ensemble must be thermal.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cli_helpers.hpp"
#include "spinnet/config/config.hpp"
#include "spinnet/config/run_config.hpp"
#include "spinnet/core/constants.hpp"

namespace spinnet {
namespace {

using test::CliResult;
using test::TempDir;
namespace fs = std::filesystem;

struct ExampleRun {
  CliResult cli;
  fs::path out;
};

/// Runs an example config once per test program (into a scratch directory that lives as long as
/// the program) and returns what it produced.
const ExampleRun& run_example(const fs::path& config) {
  static TempDir scratch;
  static std::map<std::string, ExampleRun> done;
  const std::string key = config.stem().string();
  auto found = done.find(key);
  if (found != done.end()) return found->second;
  ExampleRun run;
  run.out = scratch / key;
  run.cli = test::run_cli({"run", config.string(), "--out", run.out.string(), "--quiet"}, scratch.path());
  return done.emplace(key, std::move(run)).first->second;
}

json read_json(const fs::path& file) { return json::parse(test::read_text(file)); }

TEST(ExampleConfigs, TheDocumentedExamplesExist) {
  for (const char* name : {"damped_precession", "spin_torque_oscillator", "thermal_ensemble"})
    EXPECT_TRUE(fs::is_regular_file(test::source_dir() / "configs" / (std::string(name) + ".json"))) << name;
}

TEST(ExampleConfigs, EveryConfigRunsAndWritesOutputs) {
  const auto configs = test::example_configs();
  ASSERT_FALSE(configs.empty()) << "no configs/*.json found under " << test::source_dir();
  for (const auto& config : configs) {
    SCOPED_TRACE(config.filename().string());
    const ExampleRun& run = run_example(config);
    ASSERT_EQ(run.cli.exit_code, 0) << run.cli.err;
    EXPECT_TRUE(run.cli.err.empty()) << "--quiet run wrote to stderr: " << run.cli.err;
    ASSERT_TRUE(fs::is_regular_file(run.out / "result.json"));
    ASSERT_TRUE(fs::is_regular_file(run.out / "resolved.json"));
    json result, resolved;
    ASSERT_NO_THROW(result = read_json(run.out / "result.json"));
    ASSERT_NO_THROW(resolved = read_json(run.out / "resolved.json"));

    // resolved.json is a complete config that reads back to itself, and result.json records it.
    EXPECT_EQ(read_run_config(resolved, "resolved.json").resolved, resolved);
    EXPECT_EQ(result.at("resolved_config"), resolved);
    // Every sweep point holds instances x devices.count devices.
    const std::size_t devices = resolved.at("devices").at("count").get<std::size_t>() *
                                resolved.at("instances").get<std::size_t>() *
                                result.at("sweep").at("points").get<std::size_t>();
    EXPECT_EQ(result.at("devices").get<std::size_t>(), devices);
    EXPECT_EQ(result.at("seed"), resolved.at("seed"));
    for (const auto& [name, values] : result.at("observables").items()) {
      ASSERT_EQ(values.size(), devices) << name;
      // A fit's error estimate is null (not a number) where the line was too narrow to fit.
      if (name == "linewidth_error_Hz" || name == "network_linewidth_error_Hz") continue;
      for (const auto& v : values) ASSERT_TRUE(v.is_number() && std::isfinite(v.get<double>())) << name << ": " << v;
    }
    if (resolved.at("observables").at("trace").at("every_ps").get<double>() > 0) {
      EXPECT_TRUE(fs::is_regular_file(run.out / "trace.csv"));
    }
  }
}

/// m_x samples of device 0 and their times, from trace.csv.
void read_trace(const fs::path& csv, std::vector<double>& time, std::vector<double>& mx, std::vector<double>& mz) {
  std::istringstream in(test::read_text(csv));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line.rfind("time_s", 0) == 0) continue;
    std::istringstream fields(line);
    std::string t, device, x, y, z;
    std::getline(fields, t, ',');
    std::getline(fields, device, ',');
    std::getline(fields, x, ',');
    std::getline(fields, y, ',');
    std::getline(fields, z, ',');
    if (device != "0") continue;
    time.push_back(std::stod(t));
    mx.push_back(std::stod(x));
    mz.push_back(std::stod(z));
  }
}

TEST(ExampleConfigs, SpinTorqueOscillatorAutoOscillates) {
  // m, p and H along z, thin-film demagnetization (N_z = 1), mu0 H = 1.5 T > mu0 Ms = 1.257 T, and a
  // negative current: spin torque opposes damping (J. C. Slonczewski, JMMM 159, L1 (1996)). Above threshold,
  //   |a_J eta| > alpha (H - Ms)   (I_th = 0.23 mA for these parameters),
  // the cone opens until alpha (H - Ms cos theta) = |a_J eta| (damping grows with the angle), and m
  // precesses steadily at f = gamma0 (H - Ms cos theta) / 2 pi. At -0.7 mA: cos theta = 0.61,
  // f = 20.6 GHz.
  const ExampleRun& run = run_example(test::source_dir() / "configs" / "spin_torque_oscillator.json");
  ASSERT_EQ(run.cli.exit_code, 0) << run.cli.err;
  const json observables = read_json(run.out / "result.json").at("observables");
  const double mean_mz = observables.at("mean_mz")[0], frequency = observables.at("frequency_Hz")[0];
  const double mean_mx2 = observables.at("mean_mx2")[0], mean_my2 = observables.at("mean_my2")[0];
  EXPECT_GT(frequency, 5e9) << "no precession";
  EXPECT_LT(mean_mz, 0.8) << "m stays near the field axis: below the auto-oscillation threshold";
  EXPECT_GT(mean_mz, 0.2) << "m switched instead of precessing";
  EXPECT_GT(mean_mx2 + mean_my2, 0.2) << "the precession cone is small";
  // Steady orbit: the in-plane components average out over many periods.
  EXPECT_LT(std::abs(observables.at("mean_mx")[0].get<double>()), 0.05);

  // The orbit the torque balance predicts, from the config's own parameters (polarizer, field and
  // anisotropy-free thin film as above; lambda = 0 so eta = P):
  //   a_J eta = hbar P |I| / (2 e mu0 Ms V),  cos theta = (H - a_J eta / alpha) / Ms,
  //   f = gamma mu0 (a_J eta / alpha) / (2 pi (1 + alpha^2)).
  // Heun at dt = 0.5 ps (omega dt = 0.065 rad) lands within 0.3 % of f and 0.002 of cos theta
  // (0.05 % and 0.0002 at 0.25 ps), hence the tolerances.
  const json devices = read_json(run.out / "resolved.json").at("devices");
  const double alpha = devices.at("alpha"), P = devices.at("spin_polarization");
  const double Ms = devices.at("Ms_kA_per_m").get<double>() * 1e3;
  const double volume = constants::pi / 4 * devices.at("length_nm").get<double>() *
                        devices.at("width_nm").get<double>() * devices.at("thickness_nm").get<double>() * 1e-27;
  const double current = std::abs(devices.at("current_mA").get<double>()) * 1e-3;
  const double H = devices.at("field_mT")[2].get<double>() * 1e-3 / constants::mu0;
  const double aJ_eta = constants::hbar * P * current / (2 * constants::electron_charge * constants::mu0 * Ms * volume);
  const double cos_theta = (H - aJ_eta / alpha) / Ms;
  const double f_orbit = devices.at("gamma_rad_per_s_T").get<double>() * constants::mu0 * (aJ_eta / alpha) /
                         (2 * constants::pi * (1 + alpha * alpha));
  EXPECT_NEAR(mean_mz, cos_theta, 0.005);
  EXPECT_NEAR(frequency, f_orbit, 0.01 * f_orbit);

  // The trace shows the same oscillation: m_x crosses zero twice per period over the averaged
  // window (the last half of the run), with a steady amplitude and m_z on the cone.
  std::vector<double> time, mx, mz;
  read_trace(run.out / "trace.csv", time, mx, mz);
  ASSERT_GT(time.size(), 1000u);
  const std::size_t begin = time.size() / 2;
  std::size_t crossings = 0;
  double amplitude = 0, mz_deviation = 0;
  for (std::size_t s = begin + 1; s < time.size(); ++s) {
    crossings += (mx[s - 1] < 0) != (mx[s] < 0);
    amplitude = std::max(amplitude, std::abs(mx[s]));
    mz_deviation = std::max(mz_deviation, std::abs(mz[s] - mean_mz));
  }
  EXPECT_LT(mz_deviation, 0.02) << "the traced orbit is not steady or not at the averaged cone angle";
  const double trace_frequency = crossings / 2.0 / (time.back() - time[begin]);
  EXPECT_NEAR(trace_frequency, frequency, 0.02 * frequency);
  EXPECT_GT(amplitude, 0.5);
}

TEST(ExampleConfigs, ThermalEnsembleFluctuatesAroundTheEasyAxis) {
  // 10^4 junctions with perpendicular anisotropy (Delta = K V / kB T = 11.4) at 300 K, started on
  // the easy axis: each stays in its well (mean m_z near 1) but fluctuates with its own noise.
  const ExampleRun& run = run_example(test::source_dir() / "configs" / "thermal_ensemble.json");
  ASSERT_EQ(run.cli.exit_code, 0) << run.cli.err;
  const json result = read_json(run.out / "result.json");
  EXPECT_GE(result.at("devices").get<std::size_t>(), 10000u);
  EXPECT_EQ(result.at("resolved_config").at("devices").at("temperature_K"), 300.0);
  const json& summary = result.at("summary_per_point");
  const double mz2 = summary.at("mean_mz2").at(0).at("mean");
  EXPECT_GT(mz2, 0.8);
  EXPECT_LT(mz2, 0.99) << "no thermal fluctuations";
  EXPECT_GT(summary.at("final_mx").at(0).at("std").get<double>(), 0.05) << "devices do not see independent noise";
}

}  // namespace
}  // namespace spinnet
