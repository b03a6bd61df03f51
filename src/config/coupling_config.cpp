// The legacy `coupling` section of a run config: networks of 2 to 4 coupled auto-oscillators
// (group_size consecutive devices, coupling matrix Omega_jk e^{i beta_jk}; docs/config.md). It is
// read into the `network` plan (network_config.hpp): a network of group_size oscillators with one
// graph term holding every pair j != k and its complex weight, run by the network engine.
#include <cmath>

#include "config/run_config_sections.hpp"

namespace spinnet {

void read_coupling(ObjectReader& root, RunConfig& out) {
  ObjectReader coupling = root.object("coupling");
  const std::size_t group_size = coupling.integer("group_size", 1, 1);
  if (group_size > 1) {
    if (out.network.enabled)
      throw ConfigError(coupling.path(), "either a network section or the legacy coupling section", "both");
    if (out.model != ModelKind::auto_oscillator)
      throw ConfigError(coupling.path_of("group_size"), "1 (coupling is implemented for model \"auto_oscillator\")",
                        std::to_string(group_size) + " for model \"" + to_string(out.model) + "\"");
    const std::size_t m = group_size;
    if (m > 4) throw ConfigError(coupling.path_of("group_size"), "2, 3 or 4 oscillators per network", std::to_string(m));
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
    NetworkPlan& plan = out.network;
    plan.enabled = true;
    plan.legacy = true;
    plan.size = static_cast<std::uint32_t>(m);
    NetworkCouplingTerm term;
    term.kind = NetworkCouplingTerm::Kind::graph;
    term.path = coupling.path();
    // Row j (target) reads every k != j with the weight Omega_jk e^{i beta_jk}.
    std::vector<std::array<std::uint32_t, 2>> edges;
    for (std::size_t j = 0; j < m; ++j)
      for (std::size_t k = 0; k < m; ++k)
        if (k != j) {
          edges.push_back({static_cast<std::uint32_t>(k), static_cast<std::uint32_t>(j)});
          term.edge_weight.push_back(strength[j * m + k]);
          term.edge_phase.push_back(phase[j * m + k]);
        }
    term.graph = graph_from_edges(plan.size, edges);
    const std::size_t networks = out.sweep.points * out.sweep.instances * (out.sweep.devices_per_instance / m);
    term.strength = Column(1e9, networks);  // 1/ns -> 1/s; the matrix values are the edge weights
    term.phase = Column(0.0, networks);
    plan.terms.push_back(std::move(term));
    // Phases are sampled as often as the old networks' spectra could resolve them: every 10 steps.
    plan.order_every = 10;
    plan.lock_tolerance = 0;  // set by the caller from the integration window
  } else {
    coupling.raw("strength_per_ns");
    coupling.raw("phase_rad");
  }
  coupling.finish();
}

}  // namespace spinnet
