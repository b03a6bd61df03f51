// The experiment of a config with a `network` section (docs/networks.md): its networks as one
// NetworkProblem of the config's model (coupling terms built from the plan and the oscillators'
// parameters), the run, and the observables: each oscillator's model observables, the network's
// order parameter, sync clusters, pairwise phase locking, and the spectrum of its summed signal.
#include "study/network_experiment.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "spinnet/core/constants.hpp"
#include "spinnet/models/coupled_auto_oscillator.hpp"
#include "spinnet/models/coupled_macrospin.hpp"
#include "spinnet/models/coupled_vortex.hpp"
#include "spinnet/network/coupling_graph.hpp"
#include "spinnet/network/dipolar.hpp"
#include "spinnet/network/network_run.hpp"
#include "spinnet/study/scheduler.hpp"
#include "study/measurements.hpp"

namespace spinnet {

namespace {

template <class Adapter>
const std::vector<typename Adapter::Parameters>& oscillators_of(const RunConfig& config) {
  if constexpr (std::is_same_v<Adapter, CoupledAutoOscillator>) return config.auto_oscillator;
  else if constexpr (std::is_same_v<Adapter, CoupledVortex>) return config.vortex;
  else return config.macrospin;
}

/// A sparse term over the ELLPACK layout of a graph (ell_layout: the common offsets in entries of
/// their own), with zero weights; `edge` maps each entry to its CSR edge.
SparseCouplingInput ell_of(const EllLayout& layout, BlockKind kind, int dim, bool per_network, std::size_t networks) {
  SparseCouplingInput t;
  t.kind = kind;
  t.width = layout.width;
  t.local_partner = layout.partner;
  t.per_network = per_network;
  t.weight.assign(t.local_partner.size() * static_cast<std::size_t>(block_size(kind, dim)) * (per_network ? networks : 1), 0.0);
  return t;
}

/// Whether parameter `get` differs between any two oscillators of the batch.
template <class P, class Get>
bool varies(const std::vector<P>& oscillators, Get get) {
  for (const P& p : oscillators)
    if (get(p) != get(oscillators.front())) return true;
  return false;
}

/// The normalization of a graph term's row j: 1, 1/N or 1/degree.
double row_scale(const NetworkCouplingTerm& term, std::uint32_t size, std::uint32_t degree) {
  if (term.normalize == "size") return 1.0 / size;
  if (term.normalize == "degree") return degree > 0 ? 1.0 / degree : 0.0;
  return 1.0;
}

/// A graph term's weight factor for edge e (its edge-list weight and its per-edge strength) of
/// network g.
double edge_factor(const NetworkCouplingTerm& term, std::size_t g, std::uint64_t e) {
  double w = term.edge_weight.empty() ? 1.0 : term.edge_weight[e];
  if (term.edge_strength.size() > 0) w *= term.edge_strength[g * term.graph.edges() + e];
  return w;
}

/// Reduced-force factor R_k / (R_j |G_j|) of the vortex partners k -> j (force in N per metre of
/// core shift of k -> rate in 1/s per unit u_k of j's equation).
double vortex_force_factor(const VortexParameters& j, const VortexParameters& k) {
  return k.radius / (j.radius * vortex_gyrovector(j.Ms, j.thickness, j.gamma));
}

template <class Adapter>
NetworkCouplingInput coupling_input(const RunConfig& config, const std::vector<typename Adapter::Parameters>& osc,
                                    std::size_t networks) {
  const NetworkPlan& plan = config.network;
  const std::uint32_t N = plan.size;
  constexpr int D = Adapter::dim;
  NetworkCouplingInput in;
  std::vector<double> mean_field;  // [g * block + c]
  BlockKind mean_kind = std::is_same_v<Adapter, CoupledAutoOscillator> ? BlockKind::complex : BlockKind::scalar;
  const int mean_block = block_size(mean_kind, D);
  for (const NetworkCouplingTerm& term : plan.terms) {
    if (term.kind == NetworkCouplingTerm::Kind::electrical && Adapter::circuit) {
      ElectricalCouplingInput& e = in.electrical;
      if (e.enabled) throw ConfigError(term.path, "one electrical circuit per network", "two electrical terms");
      e.enabled = true;
      e.connection = term.connection;
      e.load = term.load;
      e.dc_block_time = term.dc_block_time;
      e.gain.resize(networks);
      for (std::size_t g = 0; g < networks; ++g) e.gain[g] = term.gain[g];
      continue;
    }
    const bool mean = term.mean_field && !(std::is_same_v<Adapter, CoupledMacrospin> && term.tensor);
    if (mean) {
      // All-to-all with one weight per network: O(N). Vortices need equal disks for one weight.
      if constexpr (std::is_same_v<Adapter, CoupledVortex>) {
        if (varies(osc, [](const VortexParameters& p) { return p.radius; }) ||
            varies(osc, [](const VortexParameters& p) { return vortex_gyrovector(p.Ms, p.thickness, p.gamma); }))
          throw ConfigError(term.path + ".graph", "equal disks (radius, Ms, thickness, gamma) for all-to-all coupling of vortices, "
                                                  "or \"per_edge\": true",
                            "disks that differ");
      }
      mean_field.resize(networks * mean_block, 0.0);
      for (std::size_t g = 0; g < networks; ++g) {
        const double scale = term.normalize == "size" ? 1.0 / N : 1.0;
        if constexpr (std::is_same_v<Adapter, CoupledAutoOscillator>) {
          mean_field[g * 2] += term.strength[g] * scale * std::cos(term.phase[g]);
          mean_field[g * 2 + 1] += term.strength[g] * scale * std::sin(term.phase[g]);
        } else if constexpr (std::is_same_v<Adapter, CoupledVortex>) {
          mean_field[g] += term.strength[g] * scale * vortex_force_factor(osc[g * N], osc[g * N]);
        } else {
          mean_field[g] += term.strength[g] * scale;
        }
      }
      continue;
    }
    const CouplingGraph& graph = term.graph;
    const EllLayout layout = ell_layout(graph);
    const std::size_t width = static_cast<std::size_t>(layout.width);
    if (term.kind == NetworkCouplingTerm::Kind::dipolar) {
      SparseCouplingInput t = ell_of(layout, BlockKind::full, D, true, networks);
      const std::size_t block = static_cast<std::size_t>(D * D);
      for (std::size_t g = 0; g < networks; ++g)
        for (std::size_t e = 0; e < width; ++e)
          for (std::uint32_t j = 0; j < N; ++j) {
            if (layout.edge[e * N + j] == EllLayout::no_edge) continue;
            const std::uint32_t k = layout.partner[e * N + j];
            std::array<double, 3> r{};
            for (int c = 0; c < 3; ++c) r[c] = plan.positions[j][c] - plan.positions[k][c];
            double* w = t.weight.data() + (g * t.local_partner.size() + e * N + j) * block;
            if constexpr (std::is_same_v<Adapter, CoupledMacrospin>) {
              const auto& pk = osc[g * N + k];
              const auto tensor = point_dipole_tensor(r);
              for (std::size_t c = 0; c < 9; ++c) w[c] = tensor[c] * pk.Ms * pk.volume;
            } else if constexpr (std::is_same_v<Adapter, CoupledVortex>) {
              const auto& pj = osc[g * N + j];
              const auto& pk = osc[g * N + k];
              // In-plane moment per unit core shift, a = Ms V xi_m / R (two-vortex ansatz).
              const double aj = pj.Ms * constants::pi * pj.radius * pj.radius * pj.thickness * vortex_xi_m / pj.radius;
              const double ak = pk.Ms * constants::pi * pk.radius * pk.radius * pk.thickness * vortex_xi_m / pk.radius;
              const auto tensor = vortex_dipole_tensor(r);
              const double scale = constants::mu0 * aj * ak * pj.chirality * pk.chirality * vortex_force_factor(pj, pk);
              for (std::size_t c = 0; c < 4; ++c) w[c] = tensor[c] * scale;
            }
          }
      in.sparse.push_back(std::move(t));
      continue;
    }
    if (term.kind != NetworkCouplingTerm::Kind::graph) continue;
    // A graph term: shared weights unless something in them differs between networks.
    BlockKind kind = BlockKind::scalar;
    if constexpr (std::is_same_v<Adapter, CoupledAutoOscillator>) kind = BlockKind::complex;
    if (term.tensor) kind = BlockKind::full;
    bool per_network = !term.strength.uniform() || term.edge_strength.size() > 0 || !term.phase.uniform();
    if constexpr (std::is_same_v<Adapter, CoupledVortex>)
      per_network = per_network || varies(osc, [](const VortexParameters& p) { return vortex_force_factor(p, p); });
    SparseCouplingInput t = ell_of(layout, kind, D, per_network, networks);
    const std::size_t block = static_cast<std::size_t>(block_size(kind, D));
    for (std::size_t g = 0; g < (per_network ? networks : 1); ++g)
      for (std::size_t e = 0; e < width; ++e)
        for (std::uint32_t j = 0; j < N; ++j) {
          const std::uint64_t edge = layout.edge[e * N + j];
          if (edge == EllLayout::no_edge) continue;
          const double scale = row_scale(term, N, graph.degree(j));
          const double w = term.strength[g] * scale * edge_factor(term, g, edge);
          double* out = t.weight.data() + (g * t.local_partner.size() + e * N + j) * block;
          if constexpr (std::is_same_v<Adapter, CoupledAutoOscillator>) {
            const double phase = term.phase[g] + (term.edge_phase.empty() ? 0.0 : term.edge_phase[edge]);
            out[0] = w * std::cos(phase);
            out[1] = w * std::sin(phase);
          } else if constexpr (std::is_same_v<Adapter, CoupledVortex>) {
            out[0] = w * vortex_force_factor(osc[g * N + j], osc[g * N + layout.partner[e * N + j]]);
          } else {
            if (term.tensor) {
              for (std::size_t c = 0; c < 9; ++c) out[c] = w * (*term.tensor)[c];
            } else {
              out[0] = w;
            }
          }
        }
    in.sparse.push_back(std::move(t));
  }
  if (!mean_field.empty()) {
    in.mean_field.enabled = true;
    in.mean_field.kind = mean_kind;
    in.mean_field.weight = std::move(mean_field);
  }
  return in;
}

template <class Adapter>
NetworkProblem<Adapter> network_problem(const RunConfig& config) {
  const auto& osc = oscillators_of<Adapter>(config);
  NetworkProblem<Adapter> p;
  p.size = config.network.size;
  p.networks = osc.size() / p.size;
  p.oscillators = osc;
  p.coupling = coupling_input<Adapter>(config, osc, p.networks);
  p.drive = config.drive;
  p.control = config.control;
  p.observe.order_every = config.network.order_every;
  p.observe.order_trace_every = config.network.order_trace_every;
  p.observe.phase_locking = config.network.phase_locking;
  if (config.spectrum.enabled && config.spectrum.per_network) p.observe.signal_every = config.spectrum.sample_every;
  if (config.spectrum.enabled && !config.spectrum.per_network) {
    // Each oscillator's own spectrum needs every oscillator's signal.
    p.control.trace_every = config.spectrum.sample_every;
    p.control.trace_devices.resize(osc.size());
    std::iota(p.control.trace_devices.begin(), p.control.trace_devices.end(), 0u);
  }
  return p;
}

/// Sync clusters of one network: connected components of "locked" pairs (|f_j - f_k| below the
/// tolerance, and, when measured, a phase-locking value above the threshold), or, without
/// phase-locking values, groups of sorted frequencies no wider than the tolerance (coarse: mean
/// frequencies closer than the window's resolution cannot be told apart).
struct Clusters {
  std::vector<double> label, size;  // per oscillator: smallest index of its cluster, its size
  double count = 0, largest_fraction = 0;
};

Clusters sync_clusters(const double* frequency, const double* plv, std::uint32_t N, double tolerance,
                       double plv_threshold) {
  std::vector<std::uint32_t> parent(N);
  std::iota(parent.begin(), parent.end(), 0u);
  const auto find = [&](std::uint32_t a) {
    while (parent[a] != a) a = parent[a] = parent[parent[a]];
    return a;
  };
  const auto join = [&](std::uint32_t a, std::uint32_t b) {
    a = find(a), b = find(b);
    if (a != b) parent[std::max(a, b)] = std::min(a, b);
  };
  if (plv != nullptr) {
    std::size_t pair = 0;
    for (std::uint32_t j = 0; j < N; ++j)
      for (std::uint32_t k = j + 1; k < N; ++k, ++pair)
        if (std::abs(frequency[j] - frequency[k]) <= tolerance && plv[pair] >= plv_threshold) join(j, k);
  } else {
    std::vector<std::uint32_t> order(N);
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return frequency[a] < frequency[b]; });
    // Groups no wider than the tolerance (a new group starts when a frequency is more than the
    // tolerance above its group's lowest): chaining neighbours would join a whole continuum of
    // unlocked frequencies into one cluster.
    std::uint32_t start = 0;
    for (std::uint32_t i = 1; i < N; ++i) {
      if (frequency[order[i]] - frequency[order[start]] <= tolerance) join(order[i], order[start]);
      else start = i;
    }
  }
  Clusters c;
  c.label.resize(N);
  c.size.resize(N);
  std::vector<std::uint32_t> members(N, 0);
  for (std::uint32_t j = 0; j < N; ++j) ++members[find(j)];
  std::uint32_t largest = 0;
  for (std::uint32_t j = 0; j < N; ++j) {
    const std::uint32_t root = find(j);
    c.label[j] = root;
    c.size[j] = members[root];
    largest = std::max(largest, members[root]);
    if (root == j) ++c.count;
  }
  c.largest_fraction = static_cast<double>(largest) / N;
  return c;
}

template <class Adapter>
ExperimentResult run_typed(const RunConfig& config, const RunOptions& options, const std::vector<std::string>& state_names) {
  const NetworkProblem<Adapter> problem = network_problem<Adapter>(config);
  const NetworkResult<Adapter> r = run_network(problem, options);
  const std::size_t G = problem.networks, N = problem.size, n = G * N;
  ExperimentResult out;
  model_observables(r, config.control.dt, out);
  out.backend = r.backend;
  out.wall_seconds = r.wall_seconds;
  out.device_steps_per_second = r.oscillator_steps_per_second;

  // Per network, repeated for each of its oscillators.
  const auto per_oscillator = [&](const std::vector<double>& v) {
    std::vector<double> d(n);
    for (std::size_t i = 0; i < n; ++i) d[i] = v[i / N];
    return d;
  };
  if (problem.observe.order_every > 0) {
    out.observables["order_parameter"] = per_oscillator(r.order_mean);
    out.observables["order_parameter_std"] = per_oscillator(r.order_std);
  }
  const std::vector<double>& frequency = out.observables.at("frequency_Hz");
  std::vector<double> label(n), size(n), count(n), largest(n);
  const std::size_t pairs = N * (N - 1) / 2;
  for (std::size_t g = 0; g < G; ++g) {
    const Clusters c = sync_clusters(frequency.data() + g * N, r.phase_locking.empty() ? nullptr : r.phase_locking.data() + g * pairs,
                                     static_cast<std::uint32_t>(N), config.network.lock_tolerance, config.network.plv_threshold);
    for (std::size_t j = 0; j < N; ++j) {
      label[g * N + j] = c.label[j];
      size[g * N + j] = c.size[j];
      count[g * N + j] = c.count;
      largest[g * N + j] = c.largest_fraction;
    }
  }
  out.observables["sync_cluster"] = label;
  out.observables["sync_cluster_size"] = size;
  out.observables["sync_clusters"] = count;
  out.observables["largest_cluster_fraction"] = largest;
  if (!r.phase_locking.empty()) {
    // Row j of the pairwise phase-locking matrix as N observables phase_locking[k] (1 on the diagonal).
    for (std::size_t k = 0; k < N; ++k) {
      std::vector<double> column(n);
      for (std::size_t g = 0; g < G; ++g)
        for (std::size_t j = 0; j < N; ++j) {
          if (j == k) {
            column[g * N + j] = 1;
            continue;
          }
          const std::size_t a = std::min(j, k), b = std::max(j, k);
          const std::size_t pair = a * N - a * (a + 1) / 2 + (b - a - 1);
          column[g * N + j] = r.phase_locking[g * pairs + pair];
        }
      out.observables["phase_locking[" + std::to_string(k) + "]"] = std::move(column);
    }
  }

  // Per-oscillator traces.
  out.trace_time = r.trace_time;
  out.trace_columns = state_names;
  out.trace_columns.push_back("signal");
  out.trace_values.assign(out.trace_columns.size(), {});
  constexpr int members = member_count<typename Adapter::template State<double>, double>;
  for (const auto& s : r.trace_state) {
    const double* v = reinterpret_cast<const double*>(&s);
    for (int k = 0; k < members; ++k) out.trace_values[static_cast<std::size_t>(k)].push_back(v[k]);
  }
  out.trace_values.back() = r.trace_signal;
  if (r.order_trace_samples > 0) {
    for (std::uint64_t s = 0; s < r.order_trace_samples; ++s)
      out.network_trace_time.push_back(static_cast<double>((s + 1) * problem.observe.order_trace_every) * config.control.dt);
    out.network_trace_columns = {"order_parameter"};
    out.network_trace_values = {r.order_trace};
  }

  // Each oscillator's spectrum, or that of each network's summed signal.
  if (config.spectrum.enabled && !config.spectrum.per_network) {
    const std::uint64_t every = config.spectrum.sample_every;
    const std::uint64_t first = (config.control.transient_steps + every - 1) / every;
    const std::uint64_t length = r.trace_samples - first;
    std::vector<double> signals(n * length);
    for (std::size_t i = 0; i < n; ++i)
      for (std::uint64_t s = 0; s < length; ++s) signals[i * length + s] = r.trace_signal[(first + s) * n + i];
    measure_spectra(config, signals, n, options, out);
    // Keep only the traces the user asked for: the spectrum recorded every oscillator.
    out.trace_time.clear();
    for (auto& column : out.trace_values) column.clear();
  }
  if (config.spectrum.enabled && config.spectrum.per_network) {
    const std::uint64_t every = config.spectrum.sample_every;
    const std::uint64_t first = (config.control.transient_steps + every - 1) / every;
    const std::uint64_t length = r.signal_samples - first;
    std::vector<double> signals(G * length);
    for (std::size_t g = 0; g < G; ++g)
      for (std::uint64_t s = 0; s < length; ++s) signals[g * length + s] = r.signal_trace[(first + s) * G + g];
    measure_spectra(config, signals, G, options, out, "network_", N);
    out.spectrum_per_network = true;
  }
  if (config.locking.enabled) measure_locking(config, out);
  return out;
}

template <class Adapter>
std::uint64_t bytes_per_oscillator(const RunConfig& config) {
  NetworkProblem<Adapter> one;
  one.networks = 1;
  one.size = config.network.size;
  one.control = config.control;
  one.control.trace_devices.clear();
  one.observe.order_every = config.network.order_every;
  one.observe.order_trace_every = config.network.order_trace_every;
  one.observe.phase_locking = config.network.phase_locking;
  if (config.spectrum.enabled) one.observe.signal_every = config.spectrum.sample_every;
  one.drive = config.drive;
  for (auto& t : one.drive.vector_tones) t = ToneInput{};
  std::uint64_t bytes = network_bytes(one);
  // The coupling terms of one network (shared topologies counted once per network: an upper bound).
  for (const NetworkCouplingTerm& t : config.network.terms)
    bytes += t.graph.edges() * (12 + 8 * static_cast<std::uint64_t>(Adapter::dim * Adapter::dim));
  // The config's own copy of the oscillator and its slice.
  return bytes / config.network.size + 2 * sizeof(typename Adapter::Parameters);
}

}  // namespace

ExperimentResult run_network_experiment(const RunConfig& config, const RunOptions& options) {
  switch (config.model) {
    case ModelKind::auto_oscillator: return run_typed<CoupledAutoOscillator>(config, options, {"re", "im"});
    case ModelKind::vortex: return run_typed<CoupledVortex>(config, options, {"x", "y"});
    case ModelKind::macrospin: return run_typed<CoupledMacrospin>(config, options, {"mx", "my", "mz"});
  }
  throw RunError("unknown model");
}

std::uint64_t network_bytes_per_oscillator(const RunConfig& config) {
  switch (config.model) {
    case ModelKind::auto_oscillator: return bytes_per_oscillator<CoupledAutoOscillator>(config);
    case ModelKind::vortex: return bytes_per_oscillator<CoupledVortex>(config);
    case ModelKind::macrospin: return bytes_per_oscillator<CoupledMacrospin>(config);
  }
  return 0;
}

}  // namespace spinnet
