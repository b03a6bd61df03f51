// The `coupling` section of a run config: networks of 2 to 4 coupled auto-oscillators (group_size
// consecutive devices, coupling matrix Omega e^{i beta}; docs/config.md).
#include <cmath>

#include "config/run_config_sections.hpp"

namespace spinnet {

void read_coupling(ObjectReader& root, RunConfig& out) {
  ObjectReader coupling = root.object("coupling");
  const std::size_t group_size = coupling.integer("group_size", 1, 1);
  if (group_size > 1) {
    if (out.model != ModelKind::auto_oscillator)
      throw ConfigError(coupling.path_of("group_size"), "1 (coupling is implemented for model \"auto_oscillator\")",
                        std::to_string(group_size) + " for model \"" + to_string(out.model) + "\"");
    const std::size_t m = group_size;
    if (m > 4) throw ConfigError(coupling.path_of("group_size"), "2, 3 or 4 oscillators per network", std::to_string(m));
    out.coupling.group_size = static_cast<int>(m);
    if (out.sweep.devices_per_instance % m != 0)
      throw ConfigError(coupling.path_of("group_size"),
                        "a divisor of devices.count (" + std::to_string(out.sweep.devices_per_instance) + ")",
                        std::to_string(m));
    auto matrix = [&](const std::string& key, double fallback) {
      std::vector<double> values(m * m, fallback);
      const json* given = coupling.raw(key);
      if (given == nullptr) {
        coupling.record(key, fallback);
        return values;
      }
      if (given->is_number()) {
        values.assign(m * m, given->get<double>());
      } else {
        const std::string expected = "a number or a " + std::to_string(m) + " x " + std::to_string(m) + " matrix";
        if (!given->is_array() || given->size() != m) throw ConfigError(coupling.path_of(key), expected, describe(*given));
        for (std::size_t j = 0; j < m; ++j) {
          const json& row = (*given)[j];
          if (!row.is_array() || row.size() != m)
            throw ConfigError(coupling.path_of(key) + "[" + std::to_string(j) + "]", expected, describe(row));
          for (std::size_t k = 0; k < m; ++k) {
            if (!row[k].is_number())
              throw ConfigError(coupling.path_of(key) + "[" + std::to_string(j) + "][" + std::to_string(k) + "]",
                                "a number", describe(row[k]));
            values[j * m + k] = row[k].get<double>();
          }
        }
      }
      coupling.record(key, *given);
      return values;
    };
    const auto strength = matrix("strength_per_ns", 0.0);
    const auto phase = matrix("phase_rad", 0.0);
    for (std::size_t k = 0; k < m * m; ++k) {
      out.coupling.coupling_re.push_back(strength[k] * 1e9 * std::cos(phase[k]));
      out.coupling.coupling_im.push_back(strength[k] * 1e9 * std::sin(phase[k]));
    }
    // The oscillators of a network share their RF inputs and schedule (a series connection).
    auto same_in_groups = [&](const std::vector<double>& values, const std::string& what) {
      for (std::size_t d = 0; d < values.size(); ++d)
        if (values[d] != values[d - d % m])
          throw ConfigError("devices." + what, "the same value for every oscillator of a coupled network",
                            "different values in network " + std::to_string(d / m));
    };
    for (const ToneInput& t : out.drive.vector_tones) {
      same_in_groups(t.amplitude_x, "rf_drive.amplitude_per_ns");
      same_in_groups(t.frequency, "rf_drive.frequency_GHz");
      same_in_groups(t.phase, "rf_drive.phase_rad");
    }
    for (const ToneInput& t : out.drive.current_tones) {
      same_in_groups(t.amplitude_x, "rf_current.amplitude_mA");
      same_in_groups(t.frequency, "rf_current.frequency_GHz");
      same_in_groups(t.phase, "rf_current.phase_rad");
    }
    for (const auto& sample : out.drive.schedule.values) same_in_groups(sample, "current_schedule.samples_mA");
  } else {
    coupling.raw("strength_per_ns");
    coupling.raw("phase_rad");
  }
  coupling.finish();
}

}  // namespace spinnet
