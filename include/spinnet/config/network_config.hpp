// The `network` section of a run config (docs/networks.md): networks of `size` coupled oscillators
// of the config's model, their positions, coupling terms (graph, dipolar, electrical) and what to
// observe. Topologies are read (or generated) once and shared by every network of the study;
// strengths and gains are per-network columns (numbers, distributions or sweep axes), or per edge.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "spinnet/config/config.hpp"
#include "spinnet/network/coupling_graph.hpp"
#include "spinnet/network/network_run.hpp"

namespace spinnet {

struct NetworkCouplingTerm {
  enum class Kind { graph, dipolar, electrical } kind = Kind::graph;
  std::string path;  // "network.coupling[i]", for messages
  // graph: the topology; dipolar: the pairs within the cutoff (their weights come from positions).
  CouplingGraph graph;
  bool mean_field = false;  // all-to-all with one weight per network (O(N)); no graph is stored
  std::string normalize = "none";  // none | size (divide by N) | degree (divide by each row's degree)
  // Strength of graph couplings and of the auto-oscillator's electrical mean field, SI:
  // auto-oscillator Omega (1/s) with phase beta (rad); macrospin a field per unit m (A/m), or a
  // tensor (A/m, row-major 3 x 3); vortex a force per unit core shift (N/m).
  Column strength;                   // per network
  Column phase;                      // per network (auto-oscillator)
  Column edge_strength;              // per (network, edge), when the strength varies per edge
  std::vector<double> edge_weight;   // per edge of `graph`, from an edge list's third column (x strength)
  std::vector<double> edge_phase;    // per edge of `graph` (auto-oscillator, rad; added to phase)
  std::optional<std::array<double, 9>> tensor;  // macrospin: a 3 x 3 tensor instead of strength I
  // dipolar
  double cutoff = 0;  // m (0: all pairs)
  // electrical (macrospin, vortex: a circuit; auto-oscillator: the mean field above)
  CircuitConnection connection = CircuitConnection::series;
  double load = 50;            // Ohm
  Column gain;                 // per network
  double dc_block_time = 5e-9; // s
};

struct NetworkPlan {
  bool enabled = false;
  std::uint32_t size = 1;  // oscillators per network
  std::vector<std::array<double, 3>> positions;  // m, per oscillator (empty: none given)
  std::optional<Lattice> lattice;
  std::vector<NetworkCouplingTerm> terms;
  std::uint64_t order_every = 0;        // steps between order-parameter / phase samples
  std::uint64_t order_trace_every = 0;  // steps between recorded r(t) samples (0: none)
  bool phase_locking = false;           // pairwise phase-locking values (N <= max_phase_locking_size)
  double lock_tolerance = 0;            // Hz: |f_j - f_k| below it counts as frequency locked
  double plv_threshold = 0.9;           // phase-locking value above it counts as phase locked
  bool legacy = false;                  // read from the legacy `coupling` section
};

/// The part of a plan that networks [first, first + count) of the study use (per-network columns cut
/// to them; topologies shared).
NetworkPlan slice_network_plan(const NetworkPlan& plan, std::size_t first, std::size_t count);

/// The largest network whose pairwise phase-locking values are recorded (N (N - 1) / 2 pairs).
inline constexpr std::uint32_t max_phase_locking_size = 256;

}  // namespace spinnet
