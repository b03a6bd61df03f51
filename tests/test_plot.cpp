// `spinnet run CONFIG --plot` draws the run's figures with tools/plot.py: a 1-axis current sweep of
// the auto-oscillator with a spectrum measurement gives sweep.png and spectrum.png, a 3x3
// two-axis sweep with a locking measurement gives sweep_map.png, a traced macrospin gives
// trace.png, a spin-diode line-shape sweep gives line_shape.png (the rectified voltage with the
// fitted symmetric and antisymmetric Lorentzians); each is a valid PNG of real size. The script
// itself answers a missing or malformed run directory with one line on stderr and exit code 2.
// The cases skip only where python3 or matplotlib/numpy is absent (tools/install_deps.sh installs
// python3-matplotlib and python3-numpy, so CI runs them).
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cli_helpers.hpp"
#include "spinnet/config/config.hpp"

namespace spinnet {
namespace {

using test::CliResult;
using test::TempDir;
namespace fs = std::filesystem;

using test::exit_user_error;

bool shell_succeeds(const std::string& command) {
  const int status = std::system((command + " >/dev/null 2>&1 </dev/null").c_str());
  return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/// Why plotting cannot run here, or "" when it can (probed once per program). plot.py hands over
/// to Debian's /usr/bin/python3 when the python3 on PATH (say, a pyenv one) lacks matplotlib, so
/// either one having it is enough.
const std::string& plotting_unavailable() {
  static const std::string why = [] {
    if (!shell_succeeds("python3 -c pass")) return std::string("python3 is not on PATH");
    const std::string probe = " -c 'import matplotlib, numpy'";
    if (!shell_succeeds("python3" + probe) && !shell_succeeds("/usr/bin/python3" + probe))
      return std::string("matplotlib or numpy is missing (apt-get install python3-matplotlib python3-numpy)");
    return std::string();
  }();
  return why;
}

#define SKIP_WITHOUT_PLOTTING()                                          \
  do {                                                                   \
    const std::string& why = plotting_unavailable();                     \
    if (!why.empty()) GTEST_SKIP() << "no plotting here: " << why;       \
  } while (false)

/// Runs the config with --plot into dir/out and expects success.
fs::path run_with_plot(const TempDir& dir, const json& config) {
  const fs::path file = dir / "config.json", out = dir / "out";
  test::write_text(file, config.dump(2));
  const CliResult run = test::run_cli({"run", file.string(), "--out", out.string(), "--quiet", "--plot"}, dir.path());
  EXPECT_EQ(run.exit_code, 0) << "stderr: " << run.err << "\nstdout: " << run.out;
  return out;
}

/// A PNG: the 8-byte signature, an IHDR chunk first, a real picture size, and more than a few
/// kilobytes of image data (an empty figure is about 2 kB at this size).
void expect_png(const fs::path& file, const std::string& stdout_text) {
  SCOPED_TRACE(file.string());
  ASSERT_TRUE(fs::is_regular_file(file)) << "not written; plot.py printed:\n" << stdout_text;
  EXPECT_NE(stdout_text.find(file.string()), std::string::npos) << "plot.py should print the files it writes";
  const std::string bytes = test::read_text(file);
  ASSERT_GT(bytes.size(), 24u);
  const std::string signature = "\x89PNG\r\n\x1a\n";
  EXPECT_EQ(bytes.substr(0, 8), signature) << "not a PNG signature";
  EXPECT_EQ(bytes.substr(12, 4), "IHDR");
  auto big_endian = [&](std::size_t at) {
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < 4; ++k) v = v << 8 | static_cast<unsigned char>(bytes[at + k]);
    return v;
  };
  EXPECT_GE(big_endian(16), 300u) << "width";
  EXPECT_GE(big_endian(20), 300u) << "height";
  EXPECT_GT(bytes.size(), 15000u) << "suspiciously small for a figure with data";
}

json current_sweep_config() {
  return json::parse(R"({
    "name": "plot_current_sweep",
    "model": "auto_oscillator",
    "seed": 5,
    "devices": {"count": 3, "frequency_GHz": 5.0, "nonlinear_shift_GHz": -2.0, "damping_rate_per_ns": 0.3,
                "nonlinear_damping_Q": 2.0, "threshold_current_mA": 1.0, "current_mA": 1.5,
                "temperature_K": 300, "energy_aJ": 20, "signal_scale_mV": 1.0},
    "sweep": {"axes": [{"path": "devices.current_mA", "linear": {"start": 0.5, "stop": 2.5, "count": 5}}]},
    "integration": {"dt_ps": 2, "duration_ns": 40, "transient_ns": 10},
    "measure": {"spectrum": {"sample_every_ps": 20, "segment_samples": 256}}
  })");
}

TEST(Plot, CurrentSweepDrawsObservablesAndSpectra) {
  SKIP_WITHOUT_PLOTTING();
  TempDir dir;
  const fs::path out = run_with_plot(dir, current_sweep_config());
  const std::string printed = test::read_text(dir / "cli-stdout.txt");
  expect_png(out / "sweep.png", printed);
  expect_png(out / "spectrum.png", printed);
  EXPECT_FALSE(fs::exists(out / "sweep_map.png")) << "a 1-axis sweep has no map";
}

TEST(Plot, TwoAxisSweepDrawsMaps) {
  SKIP_WITHOUT_PLOTTING();
  TempDir dir;
  const json config = json::parse(R"({
    "name": "plot_tongue",
    "model": "auto_oscillator",
    "seed": 3,
    "devices": {"count": 1, "frequency_GHz": 5.0, "nonlinear_shift_GHz": -2.0, "damping_rate_per_ns": 0.5,
                "nonlinear_damping_Q": 1.0, "threshold_current_mA": 1.0, "current_mA": 2.0, "temperature_K": 0,
                "rf_drive": [{"amplitude_per_ns": 0.05, "frequency_GHz": 4.4}]},
    "sweep": {"axes": [
      {"path": "devices.rf_drive[0].amplitude_per_ns", "linear": {"start": 0.0, "stop": 0.3, "count": 3}},
      {"path": "devices.rf_drive[0].frequency_GHz", "linear": {"start": 4.0, "stop": 5.2, "count": 3}}
    ]},
    "integration": {"dt_ps": 2, "duration_ns": 20, "transient_ns": 10},
    "measure": {"locking": {"tolerance_MHz": 5}}
  })");
  const fs::path out = run_with_plot(dir, config);
  expect_png(out / "sweep_map.png", test::read_text(dir / "cli-stdout.txt"));
  EXPECT_FALSE(fs::exists(out / "sweep.png")) << "a 2-axis sweep has no line plot";
  EXPECT_FALSE(fs::exists(out / "line_shape.png")) << "no line-shape figure without measure.line_shape";
}

/// The text of the PNG's tEXt chunk `keyword` ("" when it has none).
std::string png_text(const std::string& bytes, const std::string& keyword) {
  auto big_endian = [&](std::size_t at) {
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < 4; ++k) v = v << 8 | static_cast<unsigned char>(bytes[at + k]);
    return v;
  };
  for (std::size_t at = 8; at + 12 <= bytes.size();) {
    const std::size_t length = big_endian(at);
    if (bytes.compare(at + 4, 4, "tEXt") == 0) {
      const std::string data = bytes.substr(at + 8, length);
      if (data.rfind(keyword + '\0', 0) == 0) return data.substr(keyword.size() + 1);
    }
    at += 12 + length;
  }
  return "";
}

/// printf's %.6g, as Python's f"{x:.6g}".
std::string six_digits(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", x);
  return text;
}

// issue 17: `spin_diode_lineshape.json --plot` drew only the frequency and mean m_z. A line-shape
// sweep (2 RF current amplitudes x 13 frequencies on the 10 MHz window grid of docs/spin_diode.md)
// draws line_shape.png: per amplitude, rectified_voltage_V at the 13 frequencies with the fit's
// symmetric and antisymmetric Lorentzians, whose values (named in the PNG's Description) are the
// line_* observables of result.json.
TEST(Plot, SpinDiodeLineShapeDrawsRectifiedVoltageWithBothLorentzians) {
  SKIP_WITHOUT_PLOTTING();
  TempDir dir;
  json config = load_json_file((test::source_dir() / "configs" / "spin_diode_lineshape.json").string());
  config["name"] = "plot_line_shape";
  config["sweep"]["axes"][0]["values"] = json::array({0.002, 0.004});
  config["sweep"]["axes"][1]["linear"] = json::parse(R"({"start": 4.7, "stop": 5.3, "count": 13})");
  const fs::path out = run_with_plot(dir, config);
  const fs::path figure = out / "line_shape.png";
  expect_png(figure, test::read_text(dir / "cli-stdout.txt"));
  if (!fs::exists(figure)) return;

  const std::string description = png_text(test::read_text(figure), "Description");
  const json observables = json::parse(test::read_text(out / "result.json")).at("observables");
  std::size_t panels = 0;
  for (const double amplitude : {0.002, 0.004}) {
    // Devices 0-12 are the first amplitude's line, 13-25 the second's (the last axis is fastest).
    const std::size_t device = amplitude == 0.002 ? 0 : 13;
    auto value = [&](const char* name) { return six_digits(observables.at(name).at(device).get<double>()); };
    const std::string line = std::string("rf current[0] amplitude = ") + (amplitude == 0.002 ? "0.002" : "0.004") +
                             " mA: rectified_voltage_V at 13 frequencies; fit f_r " + value("line_resonance_Hz") +
                             " Hz, half-width " + value("line_half_width_Hz") + " Hz, symmetric V_S " +
                             value("line_symmetric_V") + " V, antisymmetric V_A " + value("line_antisymmetric_V") +
                             " V";
    EXPECT_NE(description.find(line), std::string::npos) << "missing panel: " << line << "\nDescription:\n" << description;
    panels += description.find(line) != std::string::npos;
  }
  EXPECT_EQ(std::count(description.begin(), description.end(), '\n'), 1) << "two panels:\n" << description;
  EXPECT_EQ(panels, 2u);
}

TEST(Plot, TracedMacrospinDrawsTrace) {
  SKIP_WITHOUT_PLOTTING();
  TempDir dir;
  const json config = json::parse(R"({
    "name": "plot_trace",
    "devices": {"count": 2, "alpha": 0.05, "field_mT": [0, 0, 100], "m0": [1, 0, 0.1]},
    "integration": {"dt_ps": 1, "duration_ns": 2},
    "observables": {"trace": {"every_ps": 5, "devices": [0, 1]}}
  })");
  const fs::path out = run_with_plot(dir, config);
  expect_png(out / "trace.png", test::read_text(dir / "cli-stdout.txt"));
}

/// Runs tools/plot.py directly on `run_dir`; stdout and stderr go to files in `scratch`.
CliResult run_plot_script(const fs::path& run_dir, const fs::path& scratch) {
  const fs::path out = scratch / "plot-stdout.txt", err = scratch / "plot-stderr.txt";
  const std::string command = "python3 " + test::shell_quote((test::source_dir() / "tools" / "plot.py").string()) +
                              " " + test::shell_quote(run_dir.string()) + " >" + test::shell_quote(out.string()) +
                              " 2>" + test::shell_quote(err.string()) + " </dev/null";
  const int status = std::system(command.c_str());
  CliResult result;
  if (status != -1 && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  result.out = test::read_text(out);
  result.err = test::read_text(err);
  return result;
}

void expect_one_line_error(const CliResult& run, const std::string& fragment) {
  EXPECT_EQ(run.exit_code, exit_user_error) << run.err;
  const auto lines = run.error_lines();
  ASSERT_EQ(lines.size(), 1u) << "stderr must be one line, got:\n" << run.err;
  EXPECT_NE(lines[0].find(fragment), std::string::npos) << lines[0];
  EXPECT_TRUE(run.out.empty()) << run.out;
}

TEST(Plot, MissingRunDirectoryIsOneLineError) {
  SKIP_WITHOUT_PLOTTING();
  TempDir dir;
  expect_one_line_error(run_plot_script(dir / "no-such-run", dir.path()), "no such run directory");
  fs::create_directory(dir / "empty");
  expect_one_line_error(run_plot_script(dir / "empty", dir.path()), "result.json");
}

TEST(Plot, MalformedResultIsOneLineError) {
  SKIP_WITHOUT_PLOTTING();
  TempDir dir;
  const fs::path run = dir / "run";
  fs::create_directory(run);
  test::write_text(run / "result.json", "{\"observables\": ");
  expect_one_line_error(run_plot_script(run, dir.path()), "not readable JSON");
  test::write_text(run / "result.json", R"({"observables": {}, "summary_per_point": {},
    "sweep": {"points": 4, "devices_per_point": 1, "axes": [{"path": "devices.current_mA", "values": [1, 2]}]}})");
  expect_one_line_error(run_plot_script(run, dir.path()), "sweep.points");
  EXPECT_FALSE(fs::exists(run / "sweep.png")) << "no figure from a bad run";
}

}  // namespace
}  // namespace spinnet
