// Coupling graph families (coupling_graph.hpp).
#include "spinnet/network/coupling_graph.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>
#include <string>
#include <tuple>
#include <unordered_set>

#include "spinnet/core/random.hpp"

namespace spinnet {

namespace {

/// A uniform number in [0, 1) from Philox, keyed by (seed, stream word a, counter).
double graph_uniform(std::uint64_t seed, std::uint32_t a, std::uint64_t counter) {
  const PhiloxWords w = philox_words(seed, a, counter, RandomStream::variability);
  const std::uint64_t bits = ((static_cast<std::uint64_t>(w.w0) << 32) | w.w1) >> 11;
  return static_cast<double>(bits) * 0x1p-53;
}

/// Identity of the graph draws among the variability stream's counters (device id word).
constexpr std::uint32_t graph_stream_word = 0xC0DEu;

CouplingGraph from_rows(std::uint32_t size, std::vector<std::vector<std::uint32_t>>& rows) {
  CouplingGraph g;
  g.size = size;
  g.row_start.assign(size + 1ull, 0);
  for (std::uint32_t j = 0; j < size; ++j) g.row_start[j + 1] = g.row_start[j] + rows[j].size();
  g.partner.reserve(g.row_start[size]);
  for (auto& row : rows) {
    g.partner.insert(g.partner.end(), row.begin(), row.end());
    row.clear();
    row.shrink_to_fit();
  }
  return g;
}

}  // namespace

std::uint32_t CouplingGraph::max_degree() const {
  std::uint32_t d = 0;
  for (std::uint32_t j = 0; j < size; ++j) d = std::max(d, degree(j));
  return d;
}

CouplingGraph graph_from_edges(std::uint32_t size, const std::vector<std::array<std::uint32_t, 2>>& edges) {
  std::vector<std::vector<std::uint32_t>> rows(size);
  std::unordered_set<std::uint64_t> seen;
  seen.reserve(edges.size() * 2);
  for (std::size_t k = 0; k < edges.size(); ++k) {
    const auto [source, target] = edges[k];
    const std::string at = "edge " + std::to_string(k) + " (" + std::to_string(source) + " -> " + std::to_string(target) + ")";
    if (source >= size || target >= size)
      throw std::invalid_argument(at + ": oscillator indices must be in [0, " + std::to_string(size - 1) + "]");
    if (source == target) throw std::invalid_argument(at + ": a self-loop (an oscillator cannot couple to itself)");
    if (!seen.insert(static_cast<std::uint64_t>(source) * size + target).second)
      throw std::invalid_argument(at + ": given twice");
    rows[target].push_back(source);
  }
  return from_rows(size, rows);
}

CouplingGraph all_to_all_graph(std::uint32_t size) {
  std::vector<std::vector<std::uint32_t>> rows(size);
  for (std::uint32_t j = 0; j < size; ++j) {
    rows[j].reserve(size - 1);
    for (std::uint32_t k = 0; k < size; ++k)
      if (k != j) rows[j].push_back(k);
  }
  return from_rows(size, rows);
}

CouplingGraph ring_graph(std::uint32_t size, std::uint32_t neighbours, bool periodic) {
  std::vector<std::vector<std::uint32_t>> rows(size);
  for (std::uint32_t j = 0; j < size; ++j) {
    std::vector<std::uint32_t> row;
    for (std::uint32_t d = 1; d <= neighbours; ++d) {
      for (const int sign : {-1, 1}) {
        const std::int64_t k = static_cast<std::int64_t>(j) + sign * static_cast<std::int64_t>(d);
        std::int64_t wrapped = k;
        if (periodic) wrapped = ((k % size) + size) % size;
        if (wrapped < 0 || wrapped >= size || wrapped == j) continue;
        if (std::find(row.begin(), row.end(), static_cast<std::uint32_t>(wrapped)) == row.end())
          row.push_back(static_cast<std::uint32_t>(wrapped));
      }
    }
    std::sort(row.begin(), row.end());
    rows[j] = std::move(row);
  }
  return from_rows(size, rows);
}

std::vector<std::array<double, 3>> lattice_positions(const Lattice& l) {
  std::vector<std::array<double, 3>> p;
  p.reserve(static_cast<std::size_t>(l.rows) * l.columns);
  const double row_pitch = l.kind == LatticeKind::hexagonal ? l.pitch * std::sqrt(3.0) / 2 : l.pitch;
  for (std::uint32_t r = 0; r < l.rows; ++r)
    for (std::uint32_t c = 0; c < l.columns; ++c) {
      const double shift = l.kind == LatticeKind::hexagonal && (r % 2 == 1) ? 0.5 * l.pitch : 0.0;
      p.push_back({c * l.pitch + shift, r * row_pitch, 0.0});
    }
  return p;
}

CouplingGraph lattice_graph(const Lattice& l) {
  const std::uint32_t size = l.rows * l.columns;
  std::vector<std::vector<std::uint32_t>> rows(size);
  const auto site = [&](std::int64_t r, std::int64_t c, std::uint32_t& out) {
    if (l.periodic) {
      r = ((r % l.rows) + l.rows) % l.rows;
      c = ((c % l.columns) + l.columns) % l.columns;
    } else if (r < 0 || c < 0 || r >= l.rows || c >= l.columns) {
      return false;
    }
    out = static_cast<std::uint32_t>(r * l.columns + c);
    return true;
  };
  for (std::uint32_t r = 0; r < l.rows; ++r)
    for (std::uint32_t c = 0; c < l.columns; ++c) {
      std::vector<std::pair<std::int64_t, std::int64_t>> offsets = {{0, -1}, {0, 1}, {-1, 0}, {1, 0}};
      if (l.kind == LatticeKind::hexagonal) {
        // Odd rows are shifted right: their diagonal neighbours are at columns c and c + 1.
        const std::int64_t d = (r % 2 == 1) ? 1 : -1;
        offsets.push_back({-1, d});
        offsets.push_back({1, d});
      }
      std::vector<std::uint32_t> row;
      for (const auto& [dr, dc] : offsets) {
        std::uint32_t k;
        if (site(static_cast<std::int64_t>(r) + dr, static_cast<std::int64_t>(c) + dc, k) && k != r * l.columns + c &&
            std::find(row.begin(), row.end(), k) == row.end())
          row.push_back(k);
      }
      std::sort(row.begin(), row.end());
      rows[r * l.columns + c] = std::move(row);
    }
  return from_rows(size, rows);
}

CouplingGraph random_regular_graph(std::uint32_t size, std::uint32_t degree, std::uint64_t seed) {
  if (degree >= size) throw std::invalid_argument("a random regular graph needs degree < size");
  if ((static_cast<std::uint64_t>(size) * degree) % 2 != 0)
    throw std::invalid_argument("a random regular graph needs size x degree even");
  // Pairing with local rejection (A. Steger and N. C. Wormald, Combin. Probab. Comput. 8, 377
  // (1999)): pair two random free stubs when they join different, not yet joined oscillators,
  // else draw again; start over in the rare case that no valid pair is left. Unlike the plain
  // configuration model (which succeeds with probability exp(-(d^2 - 1) / 4)), this finishes for
  // any degree that is small against the size, and is asymptotically uniform for fixed degree.
  const std::uint64_t stubs_count = static_cast<std::uint64_t>(size) * degree;
  std::uint64_t counter = 0;
  for (std::uint64_t attempt = 0; attempt < 100; ++attempt) {
    std::vector<std::uint32_t> stubs(stubs_count);
    for (std::uint64_t s = 0; s < stubs_count; ++s) stubs[s] = static_cast<std::uint32_t>(s / degree);
    std::vector<std::vector<std::uint32_t>> rows(size);
    std::unordered_set<std::uint64_t> seen;
    seen.reserve(stubs_count);
    std::uint64_t free = stubs_count;
    bool stuck = false;
    while (free > 0 && !stuck) {
      bool paired = false;
      for (int trial = 0; trial < 200 && !paired; ++trial) {
        const auto i = static_cast<std::uint64_t>(graph_uniform(seed, graph_stream_word + 1, counter++) * static_cast<double>(free));
        const auto j = static_cast<std::uint64_t>(graph_uniform(seed, graph_stream_word + 1, counter++) * static_cast<double>(free));
        const std::uint32_t a = stubs[std::min(i, free - 1)], b = stubs[std::min(j, free - 1)];
        const std::uint64_t key = static_cast<std::uint64_t>(std::min(a, b)) * size + std::max(a, b);
        if (i == j || a == b || seen.count(key)) continue;
        seen.insert(key);
        rows[a].push_back(b);
        rows[b].push_back(a);
        // Remove the two stubs (swap with the last free ones).
        const std::uint64_t hi = std::max(i, j), lo = std::min(i, j);
        std::swap(stubs[hi], stubs[free - 1]);
        std::swap(stubs[lo], stubs[free - 2]);
        free -= 2;
        paired = true;
      }
      stuck = !paired;
    }
    if (stuck) continue;
    for (auto& row : rows) std::sort(row.begin(), row.end());
    return from_rows(size, rows);
  }
  throw std::invalid_argument("no random regular graph found in 100 attempts (degree too large for size?)");
}

CouplingGraph erdos_renyi_graph(std::uint32_t size, double probability, std::uint64_t seed) {
  std::vector<std::vector<std::uint32_t>> rows(size);
  if (probability > 0) {
    // Geometric skipping over the pairs (j < k) in row order (Batagelj & Brandes, PRE 71, 036113
    // (2005)): O(N + E) instead of O(N^2) draws.
    const double log_q = std::log1p(-std::min(probability, 1.0 - 1e-16));
    std::int64_t k = -1, j = 1;
    std::uint64_t counter = 0;
    while (j < static_cast<std::int64_t>(size)) {
      const double u = graph_uniform(seed, graph_stream_word + 2, counter++);
      const std::int64_t skip = probability >= 1 ? 0 : static_cast<std::int64_t>(std::floor(std::log1p(-u) / log_q));
      k += 1 + skip;
      while (k >= j && j < static_cast<std::int64_t>(size)) {
        k -= j;
        ++j;
      }
      if (j < static_cast<std::int64_t>(size)) {
        rows[static_cast<std::size_t>(j)].push_back(static_cast<std::uint32_t>(k));
        rows[static_cast<std::size_t>(k)].push_back(static_cast<std::uint32_t>(j));
      }
    }
  }
  for (auto& row : rows) std::sort(row.begin(), row.end());
  return from_rows(size, rows);
}

CouplingGraph distance_graph(const std::vector<std::array<double, 3>>& positions, double cutoff) {
  const auto size = static_cast<std::uint32_t>(positions.size());
  std::vector<std::vector<std::uint32_t>> rows(size);
  const auto close = [&](std::uint32_t a, std::uint32_t b) {
    double d2 = 0;
    for (int c = 0; c < 3; ++c) d2 += (positions[a][c] - positions[b][c]) * (positions[a][c] - positions[b][c]);
    return cutoff <= 0 || d2 <= cutoff * cutoff * (1 + 1e-12);
  };
  if (cutoff <= 0) {
    for (std::uint32_t j = 0; j < size; ++j)
      for (std::uint32_t k = 0; k < size; ++k)
        if (k != j) rows[j].push_back(k);
    return from_rows(size, rows);
  }
  // Cell list: cells of the cutoff's size, so that partners lie in the 27 cells around.
  std::map<std::tuple<long, long, long>, std::vector<std::uint32_t>> cells;
  const auto cell_of = [&](std::uint32_t a) {
    return std::tuple<long, long, long>{static_cast<long>(std::floor(positions[a][0] / cutoff)),
                                        static_cast<long>(std::floor(positions[a][1] / cutoff)),
                                        static_cast<long>(std::floor(positions[a][2] / cutoff))};
  };
  for (std::uint32_t a = 0; a < size; ++a) cells[cell_of(a)].push_back(a);
  for (std::uint32_t j = 0; j < size; ++j) {
    const auto [cx, cy, cz] = cell_of(j);
    for (long dx = -1; dx <= 1; ++dx)
      for (long dy = -1; dy <= 1; ++dy)
        for (long dz = -1; dz <= 1; ++dz) {
          const auto it = cells.find({cx + dx, cy + dy, cz + dz});
          if (it == cells.end()) continue;
          for (std::uint32_t k : it->second)
            if (k != j && close(j, k)) rows[j].push_back(k);
        }
    std::sort(rows[j].begin(), rows[j].end());
  }
  return from_rows(size, rows);
}

EllLayout ell_layout(const CouplingGraph& graph) {
  EllLayout out;
  const std::uint32_t N = graph.size;
  out.width = static_cast<int>(graph.max_degree());
  const std::size_t W = static_cast<std::size_t>(out.width);
  out.partner.resize(W * N);
  out.edge.assign(W * N, EllLayout::no_edge);
  for (std::uint32_t j = 0; j < N; ++j) out.partner[j] = j;
  for (std::size_t e = 0; e < W; ++e)
    for (std::uint32_t j = 0; j < N; ++j) out.partner[e * N + j] = j;
  // The most common offsets, one entry each (up to the width), in decreasing frequency.
  std::map<std::int64_t, std::uint64_t> count;
  for (std::uint32_t j = 0; j < N; ++j)
    for (std::uint64_t e = graph.row_start[j]; e < graph.row_start[j + 1]; ++e)
      ++count[static_cast<std::int64_t>(graph.partner[e]) - j];
  std::vector<std::pair<std::uint64_t, std::int64_t>> ranked;
  for (const auto& [offset, n] : count) ranked.push_back({n, offset});
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
  std::map<std::int64_t, std::size_t> slot_of_offset;
  // Only offsets shared by many oscillators earn a slot of their own (else the order stays CSR's).
  for (std::size_t k = 0; k < ranked.size() && slot_of_offset.size() < W; ++k)
    if (ranked[k].first * 4 >= N) slot_of_offset[ranked[k].second] = slot_of_offset.size();
  for (std::uint32_t j = 0; j < N; ++j) {
    std::vector<bool> used(W, false);
    std::vector<std::uint64_t> rest;
    for (std::uint64_t e = graph.row_start[j]; e < graph.row_start[j + 1]; ++e) {
      const auto it = slot_of_offset.find(static_cast<std::int64_t>(graph.partner[e]) - j);
      if (it != slot_of_offset.end() && !used[it->second]) {
        used[it->second] = true;
        out.partner[it->second * N + j] = graph.partner[e];
        out.edge[it->second * N + j] = e;
      } else {
        rest.push_back(e);
      }
    }
    std::size_t slot = 0;
    for (std::uint64_t e : rest) {
      while (used[slot]) ++slot;
      used[slot] = true;
      out.partner[slot * N + j] = graph.partner[e];
      out.edge[slot * N + j] = e;
    }
  }
  return out;
}

std::uint64_t estimated_edges(std::uint32_t size, double mean_degree) {
  return static_cast<std::uint64_t>(std::ceil(static_cast<double>(size) * std::max(0.0, mean_degree)));
}

}  // namespace spinnet
