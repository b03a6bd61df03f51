// The `measure` section of a run config (spectrum, locking, spin-diode line shape) and the checks
// that need the rest of the config (sweep axes, recorded samples).
#include <string>

#include "config/run_config_sections.hpp"

namespace spinnet {

std::uint64_t whole_steps(const ObjectReader& reader, const std::string& key, double ps, double dt_ps) {
  const double count = std::round(ps / dt_ps);
  if (count < 1 || std::abs(count * dt_ps - ps) > 1e-9 * ps)
    throw ConfigError(reader.path_of(key), "a whole multiple of integration.dt_ps (" + describe(json(dt_ps)) + ")",
                      describe(json(ps)));
  return static_cast<std::uint64_t>(count);
}

void check_line_shape(const RunConfig& config) {
  const std::string path = "measure.line_shape.frequency_axis";
  if (config.model != ModelKind::macrospin)
    throw ConfigError("measure.line_shape", "a macrospin config", to_string(config.model) + " model");
  const std::size_t a = config.line_shape.frequency_axis;
  if (a >= config.sweep.axes.size())
    throw ConfigError(path, "the index of a sweep axis (0 to " + std::to_string(config.sweep.axes.size()) + " - 1)",
                      std::to_string(a));
  const SweepAxis& axis = config.sweep.axes[a];
  const std::string suffix = "frequency_GHz";
  if (axis.path.size() < suffix.size() || axis.path.compare(axis.path.size() - suffix.size(), suffix.size(), suffix) != 0)
    throw ConfigError(path, "an axis over an RF frequency (path ending in frequency_GHz)", axis.path);
  if (axis.values.size() < 5)
    throw ConfigError(path, "an axis with at least 5 frequencies (4 parameters are fitted)",
                      std::to_string(axis.values.size()) + " values");
}

void read_measurements(ObjectReader& root, RunConfig& out, double dt_ps, double duration_ns, double transient_ns) {
  const RunControl& control = out.control;
  ObjectReader measure = root.object("measure");
  if (measure.has("spectrum")) {
    ObjectReader spectrum = measure.object("spectrum");
    out.spectrum.enabled = true;
    out.spectrum.sample_every = whole_steps(spectrum, "sample_every_ps", spectrum.number("sample_every_ps", dt_ps, Bound::positive), dt_ps);
    out.spectrum.segment_samples = spectrum.integer("segment_samples", 4096, 8);
    out.spectrum.overlap = spectrum.number("overlap", 0.5, Bound::unit_interval);
    if (out.spectrum.overlap >= 1) throw ConfigError(spectrum.path_of("overlap"), "a number in [0, 1)", "1");
    out.spectrum.saved_spectra = spectrum.integer("saved_spectra", 16);
    // Coupled networks: each oscillator's own signal, or each network's summed signal (the default
    // of a network section; the legacy coupling section keeps its per-oscillator spectra).
    const std::string of = spectrum.choice(
        "signal", std::string(out.network.enabled && !out.network.legacy ? "network" : "oscillator"), {"oscillator", "network"});
    if (of == "network" && !out.network.enabled)
      throw ConfigError(spectrum.path_of("signal"), "\"oscillator\" (a network's summed signal needs a network section)",
                        "\"network\"");
    out.spectrum.per_network = of == "network";
    spectrum.finish();
    const std::uint64_t recorded = (control.steps - control.transient_steps) / out.spectrum.sample_every;
    if (recorded < out.spectrum.segment_samples)
      throw ConfigError(spectrum.path_of("segment_samples"),
                        "at most the number of signal samples after the transient (" + std::to_string(recorded) + ")",
                        std::to_string(out.spectrum.segment_samples));
  }
  if (measure.has("locking")) {
    ObjectReader locking = measure.object("locking");
    out.locking.enabled = true;
    const double tolerance_MHz = locking.number("tolerance_MHz", 1e3 / (duration_ns - transient_ns), Bound::positive);
    out.locking.tolerance = tolerance_MHz * 1e6;
    locking.finish();
    if (out.drive.vector_tones.empty())
      throw ConfigError("measure.locking", "a config with an RF drive tone (devices.rf_drive or devices.rf_field)",
                        "no drive tone");
  }
  if (measure.has("line_shape")) {
    ObjectReader line_shape = measure.object("line_shape");
    out.line_shape.enabled = true;
    out.line_shape.frequency_axis = line_shape.integer("frequency_axis", 0);
    line_shape.finish();
    check_line_shape(out);
  }
  measure.finish();
}

}  // namespace spinnet
