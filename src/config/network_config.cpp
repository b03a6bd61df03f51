// The `network` section of a run config (network_config.hpp, docs/networks.md), and the legacy
// `coupling` section of small auto-oscillator networks, which it replaces.
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <set>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "config/run_config_sections.hpp"
#include "spinnet/core/constants.hpp"
#include "spinnet/network/coupling_graph.hpp"

namespace spinnet {

namespace {

constexpr double mT_to_A_per_m = 1e-3 / constants::mu0;

std::uint64_t physical_bytes() {
  return static_cast<std::uint64_t>(::sysconf(_SC_PHYS_PAGES)) * static_cast<std::uint64_t>(::sysconf(_SC_PAGE_SIZE));
}

/// Refuses a graph of `edges` edges before it is generated when its storage (the CSR partners and,
/// per network or shared, up to nine weights per edge, held twice over) cannot fit in memory.
void check_graph_fits(const std::string& path, double edges, const std::string& what) {
  const double needed = edges * (4 + 4 + 9 * 8) * 2;
  const std::uint64_t physical = physical_bytes();
  if (needed > static_cast<double>(physical))
    throw ConfigError(path, "a coupling graph that fits in this machine's memory (" + std::to_string(physical >> 20) + " MiB)",
                      what + ": " + describe(json(edges)) + " edges, about " +
                          std::to_string(static_cast<std::uint64_t>(needed) >> 20) + " MiB");
}

std::uint32_t checked_index(const json& value, const std::string& path, std::uint32_t size) {
  if (!value.is_number_integer() || value.get<std::int64_t>() < 0 || value.get<std::int64_t>() >= size)
    throw ConfigError(path, "an oscillator index in [0, " + std::to_string(size - 1) + "]", describe(value));
  return value.get<std::uint32_t>();
}

/// Edges (source, target[, weight]) from a JSON array or a CSV file, in the network's index space.
struct EdgeList {
  std::vector<std::array<std::uint32_t, 2>> edges;
  std::vector<double> weights;  // empty, or one per edge
};

EdgeList edges_from_json(const json& list, const std::string& path, std::uint32_t size) {
  EdgeList out;
  if (!list.is_array()) throw ConfigError(path, "an array of edges [source, target] or [source, target, weight]", describe(list));
  for (std::size_t k = 0; k < list.size(); ++k) {
    const std::string at = path + "[" + std::to_string(k) + "]";
    const json& e = list[k];
    if (!e.is_array() || (e.size() != 2 && e.size() != 3))
      throw ConfigError(at, "an edge [source, target] or [source, target, weight]", describe(e));
    const std::uint32_t a = checked_index(e[0], at + "[0]", size), b = checked_index(e[1], at + "[1]", size);
    if (a == b) throw ConfigError(at, "an edge between two different oscillators", describe(e) + " (a self-loop)");
    if (e.size() == 3) {
      if (!e[2].is_number() || !std::isfinite(e[2].get<double>()))
        throw ConfigError(at + "[2]", "a finite number (the edge's strength factor)", describe(e[2]));
      if (out.weights.size() != k) throw ConfigError(at, "a weight on every edge or on none", describe(e));
      out.weights.push_back(e[2].get<double>());
    } else if (!out.weights.empty()) {
      throw ConfigError(at, "a weight on every edge or on none", describe(e));
    }
    out.edges.push_back({a, b});
  }
  return out;
}

EdgeList edges_from_file(const std::string& file, const std::string& path, std::uint32_t size) {
  std::ifstream in(file);
  if (!in) throw ConfigError(path, "a readable edge-list file (CSV lines: source,target[,weight])", "\"" + file + "\"");
  EdgeList out;
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    const auto hash = line.find('#');
    if (hash != std::string::npos) line.resize(hash);
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    for (char& c : line)
      if (c == ',' || c == ';' || c == '\t') c = ' ';
    std::istringstream fields(line);
    std::vector<double> values;
    double v;
    while (fields >> v) values.push_back(v);
    const std::string at = file + " line " + std::to_string(number);
    if (!fields.eof() || (values.size() != 2 && values.size() != 3))
      throw ConfigError(path, "lines \"source,target[,weight]\" of numbers in " + file, "line " + std::to_string(number) + ": \"" + line + "\"");
    for (int c = 0; c < 2; ++c)
      if (values[c] < 0 || values[c] >= size || values[c] != std::floor(values[c]))
        throw ConfigError(path, "oscillator indices in [0, " + std::to_string(size - 1) + "] (" + at + ")", describe(json(values[c])));
    const auto a = static_cast<std::uint32_t>(values[0]), b = static_cast<std::uint32_t>(values[1]);
    if (a == b) throw ConfigError(path, "edges between two different oscillators (" + at + ")", "a self-loop");
    if (!out.edges.empty() && (values.size() == 3) != !out.weights.empty())
      throw ConfigError(path, "a weight on every edge or on none (" + at + ")", describe(json(values)));
    if (values.size() == 3) out.weights.push_back(values[2]);
    out.edges.push_back({a, b});
  }
  return out;
}

/// The graph of a `graph` coupling term: a family name, a family object or an edge list.
void read_graph(ObjectReader& term, NetworkCouplingTerm& out, const NetworkPlan& plan, const std::string& source_dir,
                std::uint64_t seed) {
  const std::uint32_t N = plan.size;
  const std::string path = term.path_of("graph");
  const json* given = term.raw("graph");
  if (given == nullptr) throw ConfigError(path, "a graph: \"all_to_all\", \"lattice\", or an object such as {\"ring\": {\"neighbours\": 1}}", "nothing (the key is required)");
  json resolved_graph = *given;
  std::string family = given->is_string() ? given->get<std::string>() : "";
  const json* args = nullptr;
  if (given->is_object()) {
    if (given->size() != 1)
      throw ConfigError(path, "an object with one family: ring, chain, random_regular, erdos_renyi, edges or edge_file",
                        describe(*given));
    family = given->begin().key();
    args = &given->begin().value();
  }
  const std::string family_path = path + (args ? "." + family : "");
  const auto arg_number = [&](const std::string& key, double fallback) -> double {
    if (args == nullptr || !args->is_object() || !args->contains(key)) return fallback;
    const json& v = args->at(key);
    if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < 0)
      throw ConfigError(family_path + "." + key, "a number >= 0", describe(v));
    return v.get<double>();
  };
  const auto check_keys = [&](const std::set<std::string>& known) {
    if (args == nullptr) return;
    if (!args->is_object()) throw ConfigError(family_path, "an object", describe(*args));
    for (const auto& [key, value] : args->items())
      if (!known.count(key)) {
        const std::string hint = closest_match(key, known);
        throw ConfigError(family_path + "." + key, hint.empty() ? "one of the known keys" : "a known key (did you mean \"" + hint + "\"?)",
                          "unknown key \"" + key + "\"");
      }
  };
  const auto whole = [&](const std::string& key, double value, double minimum) {
    if (value != std::floor(value) || value < minimum)
      throw ConfigError(family_path + "." + key, "a whole number >= " + describe(json(minimum)), describe(json(value)));
    return static_cast<std::uint32_t>(value);
  };
  try {
    if (family == "all_to_all") {
      check_keys({});
      out.mean_field = true;  // decided finally by the caller (per-edge strengths need the graph)
    } else if (family == "lattice") {
      check_keys({});
      if (!plan.lattice) throw ConfigError(path, "\"lattice\" with a network.lattice section", "no network.lattice");
      out.graph = lattice_graph(*plan.lattice);
    } else if (family == "ring" || family == "chain") {
      check_keys({"neighbours"});
      const std::uint32_t k = whole("neighbours", arg_number("neighbours", 1), 1);
      if (k >= N) throw ConfigError(family_path + ".neighbours", "fewer than network.size (" + std::to_string(N) + ")", std::to_string(k));
      check_graph_fits(path, 2.0 * k * N, family);
      out.graph = ring_graph(N, k, family == "ring");
      resolved_graph = json{{family, {{"neighbours", k}}}};
    } else if (family == "random_regular") {
      check_keys({"degree", "seed"});
      const std::uint32_t d = whole("degree", arg_number("degree", 4), 1);
      const auto graph_seed = static_cast<std::uint64_t>(arg_number("seed", static_cast<double>(seed)));
      if (d >= N) throw ConfigError(family_path + ".degree", "less than network.size (" + std::to_string(N) + ")", std::to_string(d));
      if ((static_cast<std::uint64_t>(N) * d) % 2)
        throw ConfigError(family_path + ".degree", "an even product network.size x degree", std::to_string(N) + " x " + std::to_string(d));
      check_graph_fits(path, static_cast<double>(d) * N, family);
      out.graph = random_regular_graph(N, d, graph_seed);
      resolved_graph = json{{family, {{"degree", d}, {"seed", graph_seed}}}};
    } else if (family == "erdos_renyi") {
      check_keys({"probability", "seed"});
      const double p = arg_number("probability", 0.1);
      if (p > 1) throw ConfigError(family_path + ".probability", "a probability in [0, 1]", describe(json(p)));
      const auto graph_seed = static_cast<std::uint64_t>(arg_number("seed", static_cast<double>(seed)));
      check_graph_fits(path, p * N * (N - 1.0) * 1.1 + 100, family);
      out.graph = erdos_renyi_graph(N, p, graph_seed);
      resolved_graph = json{{family, {{"probability", p}, {"seed", graph_seed}}}};
    } else if (family == "edges" || family == "edge_file") {
      EdgeList list;
      if (family == "edges") {
        list = edges_from_json(*args, family_path, N);
      } else {
        if (!args->is_string() || args->get<std::string>().empty())
          throw ConfigError(family_path, "the path of a CSV edge list (source,target[,weight] per line)", describe(*args));
        std::filesystem::path file = args->get<std::string>();
        if (file.is_relative() && !source_dir.empty()) file = std::filesystem::path(source_dir) / file;
        list = edges_from_file(file.string(), family_path, N);
      }
      // "symmetric": true adds the reverse of every edge that is not given (with the same weight).
      bool symmetric = false;
      if (const json* sym = term.raw("symmetric")) {
        if (!sym->is_boolean()) throw ConfigError(term.path_of("symmetric"), "true or false", describe(*sym));
        symmetric = sym->get<bool>();
      }
      term.record("symmetric", symmetric);
      if (symmetric) {
        std::set<std::pair<std::uint32_t, std::uint32_t>> given_edges;
        for (const auto& e : list.edges) given_edges.insert({e[0], e[1]});
        const std::size_t count = list.edges.size();
        for (std::size_t k = 0; k < count; ++k) {
          const auto e = list.edges[k];
          if (given_edges.count({e[1], e[0]})) continue;
          list.edges.push_back({e[1], e[0]});
          if (!list.weights.empty()) list.weights.push_back(list.weights[k]);
        }
      }
      out.graph = graph_from_edges(N, list.edges);
      if (!list.weights.empty()) {
        // Weights in the order of the CSR rows (graph_from_edges keeps each row's edges in input order).
        std::vector<std::vector<double>> rows(N);
        for (std::size_t k = 0; k < list.edges.size(); ++k) rows[list.edges[k][1]].push_back(list.weights[k]);
        for (auto& row : rows) out.edge_weight.insert(out.edge_weight.end(), row.begin(), row.end());
      }
    } else {
      throw ConfigError(path, "\"all_to_all\", \"lattice\", or an object {\"ring\" | \"chain\" | \"random_regular\" | "
                              "\"erdos_renyi\" | \"edges\" | \"edge_file\": ...}",
                        describe(*given));
    }
  } catch (const std::invalid_argument& e) {
    throw ConfigError(family_path, "a valid graph", e.what());
  }
  term.record("graph", resolved_graph);
}

}  // namespace

void read_network(ObjectReader& root, RunConfig& out, DeviceLayout& device_layout, double dt_ps, double duration_ns,
                  double transient_ns, const std::string& source_dir) {
  NetworkPlan& plan = out.network;
  if (!root.has("network")) {
    root.raw("network");
    return;
  }
  ObjectReader net = root.object("network");
  plan.enabled = true;
  const std::string model = to_string(out.model);

  // Size and positions.
  // Read in one order (lattice, positions, then size), so that the resolved section reads back to
  // itself with its keys in the same order.
  std::optional<std::uint32_t> size;
  const bool size_given = net.has("size");
  if (size_given) {
    const json& given = *net.raw("size");
    if (!given.is_number_integer() || given.get<std::int64_t>() < 1 ||
        given.get<std::int64_t>() > std::numeric_limits<std::uint32_t>::max())
      throw ConfigError(net.path_of("size"), "an integer >= 1", describe(given));
    size = given.get<std::uint32_t>();
  }
  if (net.has("lattice")) {
    ObjectReader lat = net.object("lattice");
    Lattice l;
    l.kind = lat.choice("kind", std::string("square"), {"square", "hexagonal"}) == "square" ? LatticeKind::square
                                                                                             : LatticeKind::hexagonal;
    l.rows = static_cast<std::uint32_t>(lat.integer("rows", std::nullopt, 1));
    l.columns = static_cast<std::uint32_t>(lat.integer("columns", std::nullopt, 1));
    l.pitch = lat.number("pitch_nm", 0.0, Bound::non_negative) * 1e-9;
    if (const json* periodic = lat.raw("periodic")) {
      if (!periodic->is_boolean()) throw ConfigError(lat.path_of("periodic"), "true or false", describe(*periodic));
      l.periodic = periodic->get<bool>();
    }
    lat.record("periodic", l.periodic);
    lat.finish();
    const std::uint64_t sites = static_cast<std::uint64_t>(l.rows) * l.columns;
    if (sites > std::numeric_limits<std::uint32_t>::max())
      throw ConfigError(net.path_of("lattice"), "at most 4294967295 sites", std::to_string(sites));
    if (size && *size != sites)
      throw ConfigError(net.path_of("size"), "rows x columns of network.lattice (" + std::to_string(sites) + ")",
                        std::to_string(*size));
    size = static_cast<std::uint32_t>(sites);
    plan.lattice = l;
    if (l.pitch > 0) plan.positions = lattice_positions(l);
  }
  if (const json* given = net.raw("positions_nm")) {
    const std::string path = net.path_of("positions_nm");
    if (plan.lattice) throw ConfigError(path, "either network.lattice or network.positions_nm", "both");
    if (!given->is_array() || given->empty()) throw ConfigError(path, "an array of positions [x, y, z] in nm", describe(*given));
    for (std::size_t k = 0; k < given->size(); ++k) {
      const json& p = (*given)[k];
      const std::string at = path + "[" + std::to_string(k) + "]";
      if (!p.is_array() || (p.size() != 2 && p.size() != 3)) throw ConfigError(at, "a position [x, y] or [x, y, z] in nm", describe(p));
      std::array<double, 3> r{0, 0, 0};
      for (std::size_t c = 0; c < p.size(); ++c) {
        if (!p[c].is_number() || !std::isfinite(p[c].get<double>()))
          throw ConfigError(at + "[" + std::to_string(c) + "]", "a finite number (nm)", describe(p[c]));
        r[c] = p[c].get<double>() * 1e-9;
      }
      plan.positions.push_back(r);
    }
    if (size && *size != plan.positions.size())
      throw ConfigError(net.path_of("size"), "the number of positions (" + std::to_string(plan.positions.size()) + ")",
                        std::to_string(*size));
    size = static_cast<std::uint32_t>(plan.positions.size());
    net.record("positions_nm", *given);
  }
  if (!size) throw ConfigError(net.path_of("size"), "the number of oscillators per network (or a network.lattice)", "nothing");
  plan.size = *size;
  net.record("size", plan.size);
  const std::uint32_t N = plan.size;
  if (out.sweep.devices_per_instance % N != 0)
    throw ConfigError("devices.count", "a multiple of network.size (" + std::to_string(N) + "): the networks of an instance",
                      std::to_string(out.sweep.devices_per_instance));
  for (std::size_t a = 0; a < plan.positions.size(); ++a)
    for (std::size_t b = a + 1; b < plan.positions.size() && plan.positions.size() <= 4096; ++b)
      if (plan.positions[a] == plan.positions[b])
        throw ConfigError(net.path_of(plan.lattice ? "lattice" : "positions_nm"), "distinct positions",
                          "oscillators " + std::to_string(a) + " and " + std::to_string(b) + " at the same place");

  // Per-network columns: one "device" per network, over the study's sweep points and instances.
  DeviceLayout layout;
  layout.per_instance = out.sweep.devices_per_instance / N;
  layout.instances = device_layout.instances;
  layout.points = device_layout.points;
  layout.seed = device_layout.seed;
  layout.swept = device_layout.swept;
  layout.describe_point = device_layout.describe_point;
  const std::size_t networks = layout.total();
  net.set_layout(&layout);

  for (auto& term : net.objects("coupling")) {
    NetworkCouplingTerm t;
    t.path = term.path();
    const std::string kind = term.choice("kind", std::nullopt, {"graph", "dipolar", "electrical"});
    t.kind = kind == "graph" ? NetworkCouplingTerm::Kind::graph
             : kind == "dipolar" ? NetworkCouplingTerm::Kind::dipolar
                                 : NetworkCouplingTerm::Kind::electrical;
    if (t.kind == NetworkCouplingTerm::Kind::graph) {
      read_graph(term, t, plan, source_dir, out.control.seed);
      t.normalize = term.choice("normalize", std::string("none"), {"none", "size", "degree"});
      const bool per_edge = term.has("per_edge") && term.raw("per_edge")->is_boolean() && term.raw("per_edge")->get<bool>();
      if (term.has("per_edge") && !term.raw("per_edge")->is_boolean())
        throw ConfigError(term.path_of("per_edge"), "true or false", describe(*term.raw("per_edge")));
      term.record("per_edge", per_edge);
      if (per_edge && t.mean_field) {
        check_graph_fits(term.path_of("graph"), static_cast<double>(N) * (N - 1.0), "all_to_all with per-edge strengths");
        t.graph = all_to_all_graph(N);
        t.mean_field = false;
      }
      std::string key;
      double scale = 1;
      if (out.model == ModelKind::auto_oscillator) {
        key = "strength_per_ns", scale = 1e9;
        t.phase = term.column("phase_rad", 0.0, networks);
      } else if (out.model == ModelKind::macrospin) {
        key = "field_mT", scale = mT_to_A_per_m;
        if (const json* tensor = term.raw("tensor_mT")) {
          const std::string at = term.path_of("tensor_mT");
          if (!tensor->is_array() || tensor->size() != 3) throw ConfigError(at, "a 3 x 3 matrix (mT per unit m)", describe(*tensor));
          std::array<double, 9> m{};
          for (std::size_t r = 0; r < 3; ++r) {
            const json& row = (*tensor)[r];
            if (!row.is_array() || row.size() != 3)
              throw ConfigError(at + "[" + std::to_string(r) + "]", "a row of 3 numbers (a 3 x 3 matrix)", describe(row));
            for (std::size_t c = 0; c < 3; ++c) {
              if (!row[c].is_number() || !std::isfinite(row[c].get<double>()))
                throw ConfigError(at + "[" + std::to_string(r) + "][" + std::to_string(c) + "]", "a finite number", describe(row[c]));
              m[r * 3 + c] = row[c].get<double>() * mT_to_A_per_m;
            }
          }
          t.tensor = m;
          term.record("tensor_mT", *tensor);
        }
      } else {
        key = "stiffness_mN_per_m", scale = 1e-3;
      }
      if (per_edge) {
        DeviceLayout edge_layout = layout;
        const std::uint64_t edges = t.graph.edges();
        edge_layout.per_instance = layout.per_instance * edges;
        check_graph_fits(term.path_of(key), static_cast<double>(networks) * edges, "per-edge strengths of every network");
        term.set_layout(&edge_layout);
        Column c = term.column(key, t.tensor ? 1.0 : 0.0, edge_layout.total());
        term.set_layout(&layout);
        std::vector<double> v = c.expanded();
        for (double& x : v) x *= scale;
        t.edge_strength = Column(std::move(v));
        t.strength = Column(1.0, networks);
      } else {
        Column c = term.column(key, t.tensor ? 1.0 : 0.0, networks);
        std::vector<double> v = c.expanded();
        for (double& x : v) x *= scale;
        t.strength = c.uniform() ? Column(c[0] * scale, networks) : Column(std::move(v));
      }
      if (t.tensor && out.model != ModelKind::macrospin)
        throw ConfigError(term.path_of("tensor_mT"), "a tensor only for model \"macrospin\"", "model \"" + model + "\"");
    } else if (t.kind == NetworkCouplingTerm::Kind::dipolar) {
      if (out.model == ModelKind::auto_oscillator)
        throw ConfigError(term.path_of("kind"), "\"graph\" or \"electrical\" for model \"auto_oscillator\" (it has no magnetic moment)",
                          "\"dipolar\"");
      if (plan.positions.empty())
        throw ConfigError(term.path_of("kind"), "positions for dipolar coupling: network.lattice with pitch_nm > 0, or network.positions_nm",
                          "none");
      t.cutoff = term.number("cutoff_nm", 0.0, Bound::non_negative) * 1e-9;
      const double mean_degree =
          t.cutoff <= 0 ? N - 1.0
                        : std::min<double>(N - 1.0, 64.0);  // refined below from the positions themselves
      check_graph_fits(term.path_of("cutoff_nm"), mean_degree * N, "dipolar pairs");
      t.graph = distance_graph(plan.positions, t.cutoff);
      check_graph_fits(term.path_of("cutoff_nm"), static_cast<double>(t.graph.edges()), "dipolar pairs within the cutoff");
      if (t.graph.edges() == 0)
        throw ConfigError(term.path_of("cutoff_nm"), "a cutoff that reaches at least one pair of oscillators",
                          describe(json(t.cutoff * 1e9)) + " nm");
    } else {
      t.connection = term.choice("connection", std::string("series"), {"series", "parallel"}) == "series"
                         ? CircuitConnection::series
                         : CircuitConnection::parallel;
      if (out.model == ModelKind::auto_oscillator) {
        // The universal model has no resistance: its circuit is the complex mean field Omega e^{i beta}.
        t.mean_field = true;
        t.normalize = term.choice("normalize", std::string("none"), {"none", "size"});
        const Column c = term.column("strength_per_ns", 0.0, networks);
        std::vector<double> v = c.expanded();
        for (double& x : v) x *= 1e9;
        t.strength = Column(std::move(v));
        t.phase = term.column("phase_rad", 0.0, networks);
        term.raw("load_Ohm");
        term.raw("gain");
        term.raw("dc_block_ns");
      } else {
        t.load = term.number("load_Ohm", 50.0, Bound::positive);
        t.gain = term.column("gain", 1.0, networks);
        t.dc_block_time = term.number("dc_block_ns", 5.0, Bound::positive) * 1e-9;
        if (t.dc_block_time < 10 * dt_ps * 1e-12)
          throw ConfigError(term.path_of("dc_block_ns"), "at least 10 time steps (" + describe(json(10 * dt_ps * 1e-3)) + " ns)",
                            describe(json(t.dc_block_time * 1e9)));
        term.raw("strength_per_ns");
        term.raw("phase_rad");
        term.raw("normalize");
      }
    }
    term.finish();
    plan.terms.push_back(std::move(t));
  }

  ObjectReader observe = net.object("observables");
  const auto steps_of = [&](ObjectReader& reader, const std::string& key, double ps) { return whole_steps(reader, key, ps, dt_ps); };
  plan.order_every = steps_of(observe, "order_every_ps", observe.number("order_every_ps", 10 * dt_ps, Bound::positive));
  const double trace_ps = observe.number("order_trace_every_ps", 0.0, Bound::non_negative);
  if (trace_ps > 0) {
    plan.order_trace_every = steps_of(observe, "order_trace_every_ps", trace_ps);
    if (plan.order_trace_every % plan.order_every != 0)
      throw ConfigError(observe.path_of("order_trace_every_ps"), "a multiple of order_every_ps", describe(json(trace_ps)));
  }
  if (const json* pl = observe.raw("phase_locking")) {
    if (!pl->is_boolean()) throw ConfigError(observe.path_of("phase_locking"), "true or false", describe(*pl));
    plan.phase_locking = pl->get<bool>();
  }
  observe.record("phase_locking", plan.phase_locking);
  if (plan.phase_locking && N > max_phase_locking_size)
    throw ConfigError(observe.path_of("phase_locking"),
                      "false for networks of more than " + std::to_string(max_phase_locking_size) + " oscillators (N^2 / 2 pairs)",
                      "true with network.size " + std::to_string(N));
  plan.lock_tolerance = observe.number("lock_tolerance_MHz", 1e3 / (duration_ns - transient_ns), Bound::positive) * 1e6;
  plan.plv_threshold = observe.number("plv_threshold", 0.9, Bound::unit_interval);
  observe.finish();
  net.finish();
  for (const auto& used : layout.swept_used) device_layout.swept_used.insert(used);
}

namespace {

Column slice_column(const Column& c, std::size_t first, std::size_t count) {
  if (c.size() == 0) return c;
  if (c.uniform()) return Column(c[0], count);
  std::vector<double> v(count);
  for (std::size_t i = 0; i < count; ++i) v[i] = c[first + i];
  return Column(std::move(v));
}

}  // namespace

NetworkPlan slice_network_plan(const NetworkPlan& plan, std::size_t first, std::size_t count) {
  NetworkPlan out = plan;
  for (NetworkCouplingTerm& t : out.terms) {
    t.strength = slice_column(t.strength, first, count);
    t.phase = slice_column(t.phase, first, count);
    t.gain = slice_column(t.gain, first, count);
    if (t.edge_strength.size() > 0) {
      const std::size_t edges = t.graph.edges();
      t.edge_strength = slice_column(t.edge_strength, first * edges, count * edges);
    }
  }
  return out;
}

}  // namespace spinnet
