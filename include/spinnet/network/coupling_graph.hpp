// Coupling graphs of a network of N oscillators, stored sparse (CSR): edge e of oscillator j
// (row_start[j] <= e < row_start[j + 1]) carries partner[e] -> j, i.e. oscillator j's coupling field
// reads partner[e]'s output. Generated from a named family (all-to-all, ring, chain, 2-D lattice,
// random regular, Erdos-Renyi) or given as an edge list; lattices also give positions. Every family
// is deterministic in its arguments (random ones in their seed), so every network of a study has
// the same graph. Sizes are checked before anything is allocated (estimated_edges).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace spinnet {

struct CouplingGraph {
  std::uint32_t size = 0;
  std::vector<std::uint64_t> row_start;  // size + 1
  std::vector<std::uint32_t> partner;    // edges

  std::uint64_t edges() const { return partner.size(); }
  std::uint32_t degree(std::uint32_t j) const { return static_cast<std::uint32_t>(row_start[j + 1] - row_start[j]); }
  std::uint32_t max_degree() const;
};

/// Builds the CSR form of directed edges (source -> target) on `size` oscillators, rows in target
/// order and partners in the order given. Throws std::invalid_argument naming edge k when an end is
/// outside [0, size) or an edge is a self-loop or given twice.
CouplingGraph graph_from_edges(std::uint32_t size, const std::vector<std::array<std::uint32_t, 2>>& edges);

/// Every ordered pair j != k.
CouplingGraph all_to_all_graph(std::uint32_t size);
/// Each oscillator coupled to its `neighbours` nearest on either side, on a ring (periodic) or a
/// chain (open ends).
CouplingGraph ring_graph(std::uint32_t size, std::uint32_t neighbours, bool periodic);

enum class LatticeKind { square, hexagonal };

/// rows x columns sites, row-major (site = row * columns + column), `pitch` apart: a square lattice
/// (4 nearest neighbours) or a triangular ("hexagonal", 6 nearest neighbours; odd rows shifted by
/// half a pitch, rows sqrt(3)/2 pitch apart). Open boundaries unless periodic.
struct Lattice {
  LatticeKind kind = LatticeKind::square;
  std::uint32_t rows = 1, columns = 1;
  double pitch = 0;  // m
  bool periodic = false;
};
std::vector<std::array<double, 3>> lattice_positions(const Lattice& lattice);
CouplingGraph lattice_graph(const Lattice& lattice);

/// A random undirected graph in which every oscillator has `degree` neighbours (the configuration
/// model with rejection of self-loops and multi-edges, redrawn until simple; needs size * degree even
/// and degree < size), from Philox keyed by `seed`.
CouplingGraph random_regular_graph(std::uint32_t size, std::uint32_t degree, std::uint64_t seed);
/// Each unordered pair coupled with probability p (both directions), from Philox keyed by `seed`.
CouplingGraph erdos_renyi_graph(std::uint32_t size, double probability, std::uint64_t seed);

/// Pairs (j, k), j != k, whose distance is at most `cutoff` (0: every pair), both directions.
CouplingGraph distance_graph(const std::vector<std::array<double, 3>>& positions, double cutoff);

/// The ELLPACK layout of a graph: `width` = its largest degree entries per oscillator, entry e of
/// oscillator j at [e * size + j]. `partner` is the partner read (j itself for an unused entry) and
/// `edge` the CSR edge it comes from (no_edge for an unused entry). Entries are ordered so that the
/// most common partner offsets k - j (a lattice's directions, a ring's neighbours) keep one entry
/// each: consecutive oscillators then read consecutive partners, which the CPU loads without a
/// gather.
struct EllLayout {
  static constexpr std::uint64_t no_edge = ~std::uint64_t{0};
  int width = 0;
  std::vector<std::uint32_t> partner;
  std::vector<std::uint64_t> edge;
};
EllLayout ell_layout(const CouplingGraph& graph);

/// Upper bound of the edges a family generates, for the memory check before generating it.
std::uint64_t estimated_edges(std::uint32_t size, double mean_degree);

}  // namespace spinnet
