// Throughput of coupled oscillator networks (docs/networks.md) in oscillator-steps per second against
// the network size N = 16 ... 100 000 and the coupling kind: none, a square lattice (4 neighbours;
// graph for auto-oscillators, point-dipole fields for macrospins), a random regular graph of degree
// 8, the electrical circuit / mean field, and (auto-oscillators, N = 1024) a dense all-to-all
// matrix. float32 at 300 K, about 2^17 oscillators per batch (N of them per network), every
// backend. Counters: oscillator_steps_per_second, oscillators, bytes_per_oscillator (host memory
// the run needs, network_bytes). For the dense case the coupling product's FLOP rate is printed
// next to that of an Eigen matrix product of the same size measured in the same run.
//
// Usage: network_bench [google benchmark flags], e.g. --benchmark_filter='auto_oscillator/cpu/lattice'
#include <benchmark/benchmark.h>

#include <Eigen/Dense>
#include <chrono>
#include <ctime>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "bench_devices.hpp"
#include "spinnet/models/coupled_auto_oscillator.hpp"
#include "spinnet/models/coupled_macrospin.hpp"
#include "spinnet/network/coupling_graph.hpp"
#include "spinnet/network/dipolar.hpp"
#include "spinnet/network/network_run.hpp"

namespace {

using spinnet::Backend;
using spinnet::BlockKind;

enum class Coupling { none, lattice, random8, electrical, dense };

const char* name_of(Coupling c) {
  switch (c) {
    case Coupling::none: return "none";
    case Coupling::lattice: return "lattice";
    case Coupling::random8: return "random8";
    case Coupling::electrical: return "electrical";
    case Coupling::dense: return "dense";
  }
  return "?";
}

double process_cpu_seconds() {
  timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

/// The ELL term of a graph (ell_layout's order) with one weight block `w` on every edge.
spinnet::SparseCouplingInput ell(const spinnet::CouplingGraph& g, BlockKind kind, const std::vector<double>& w) {
  const spinnet::EllLayout layout = spinnet::ell_layout(g);
  spinnet::SparseCouplingInput t;
  t.kind = kind;
  t.width = layout.width;
  t.local_partner = layout.partner;
  t.weight.assign(t.local_partner.size() * w.size(), 0.0);
  for (std::size_t i = 0; i < t.local_partner.size(); ++i)
    if (layout.edge[i] != spinnet::EllLayout::no_edge)
      for (std::size_t c = 0; c < w.size(); ++c) t.weight[i * w.size() + c] = w[c];
  return t;
}

/// A square lattice graph of about N sites (rows = columns = sqrt N rounded).
spinnet::Lattice square_lattice(std::uint32_t N, double pitch) {
  spinnet::Lattice l;
  l.rows = static_cast<std::uint32_t>(std::lround(std::sqrt(static_cast<double>(N))));
  l.columns = N / l.rows;
  l.pitch = pitch;
  l.periodic = true;
  return l;
}

template <class Adapter>
spinnet::NetworkProblem<Adapter> problem(std::uint32_t N, Coupling coupling, std::uint64_t total) {
  spinnet::NetworkProblem<Adapter> p;
  p.size = N;
  if (coupling == Coupling::lattice) p.size = square_lattice(N, 1).rows * square_lattice(N, 1).columns;
  p.networks = std::max<std::uint64_t>(1, total / p.size);
  const std::size_t n = p.networks * p.size;
  for (std::size_t i = 0; i < n; ++i) {
    if constexpr (std::is_same_v<Adapter, spinnet::CoupledAutoOscillator>) p.oscillators.push_back(spinnet::bench::auto_oscillator(i));
    else p.oscillators.push_back(spinnet::bench::reference_junction(300));
  }
  constexpr bool auto_oscillator = std::is_same_v<Adapter, spinnet::CoupledAutoOscillator>;
  const BlockKind kind = auto_oscillator ? BlockKind::complex : BlockKind::scalar;
  const std::vector<double> weight = auto_oscillator ? std::vector<double>{2e7 * std::cos(0.3), 2e7 * std::sin(0.3)}
                                                     : std::vector<double>{1e3};  // A/m per unit m
  switch (coupling) {
    case Coupling::none: break;
    case Coupling::lattice: {
      const spinnet::Lattice l = square_lattice(N, 100e-9);
      const spinnet::CouplingGraph g = spinnet::lattice_graph(l);
      if constexpr (auto_oscillator) {
        p.coupling.sparse.push_back(ell(g, kind, weight));
      } else {
        // Point-dipole fields of the four neighbours one pitch away (all junctions alike: shared weights).
        const auto& j0 = p.oscillators.front();
        spinnet::SparseCouplingInput t = ell(g, BlockKind::full, std::vector<double>(9, 0.0));
        const auto positions = spinnet::lattice_positions(l);
        for (std::size_t i = 0; i < t.local_partner.size(); ++i) {
          const std::uint32_t j = static_cast<std::uint32_t>(i % g.size), k = t.local_partner[i];
          if (k == j) continue;
          std::array<double, 3> r{};
          for (int c = 0; c < 3; ++c) r[c] = positions[j][c] - positions[k][c];
          // Periodic wrap: the neighbour across the boundary is one pitch away too.
          for (int c = 0; c < 2; ++c)
            if (std::abs(r[c]) > 1.5 * l.pitch) r[c] -= std::copysign((c == 0 ? l.columns : l.rows) * l.pitch, r[c]);
          const auto d = spinnet::point_dipole_tensor(r);
          for (int c = 0; c < 9; ++c) t.weight[i * 9 + c] = d[c] * j0.Ms * j0.volume;
        }
        p.coupling.sparse.push_back(std::move(t));
      }
      break;
    }
    case Coupling::random8:
      p.coupling.sparse.push_back(ell(spinnet::random_regular_graph(N, 8, 1), kind, weight));
      break;
    case Coupling::electrical:
      if constexpr (auto_oscillator) {
        p.coupling.mean_field.enabled = true;
        p.coupling.mean_field.kind = BlockKind::complex;
        for (std::size_t g = 0; g < p.networks; ++g) {
          p.coupling.mean_field.weight.push_back(weight[0] / N);
          p.coupling.mean_field.weight.push_back(weight[1] / N);
        }
      } else {
        p.coupling.electrical.enabled = true;
        p.coupling.electrical.gain.assign(p.networks, 1.0);
      }
      break;
    case Coupling::dense: {
      spinnet::SparseCouplingInput t = ell(spinnet::all_to_all_graph(N), kind, weight);
      for (std::size_t k = 0; k < t.weight.size(); ++k) t.weight[k] *= 1.0 / N * (1 + 0.1 * std::sin(0.7 * k));
      p.coupling.sparse.push_back(std::move(t));
      break;
    }
  }
  p.control.dt = auto_oscillator ? 2e-12 : 0.5e-12;
  p.control.seed = 1;
  p.control.precision = spinnet::Precision::float32;
  return p;
}

template <class Adapter>
void run(benchmark::State& state, std::uint32_t N, Coupling coupling, Backend backend) {
  const std::uint64_t total = backend == Backend::cuda ? (1u << 22) : (1u << 17);
  spinnet::NetworkProblem<Adapter> p = problem<Adapter>(N, coupling, total);
  const double oscillators = static_cast<double>(p.networks) * p.size;
  const double work = (backend == Backend::cuda ? 4e11 : 4e8) / (coupling == Coupling::dense ? 16 : 1);
  p.control.steps = std::max<std::uint64_t>(60, static_cast<std::uint64_t>(work / oscillators));
  spinnet::RunOptions options;
  options.backend = backend;
  double steps = 0, seconds = 0, cpu_seconds = 0;
  for (auto _ : state) {
    const double cpu0 = process_cpu_seconds();
    const auto r = spinnet::run_network(p, options);
    cpu_seconds += process_cpu_seconds() - cpu0;
    state.SetIterationTime(r.wall_seconds);
    steps += static_cast<double>(p.control.steps) * oscillators;
    seconds += r.wall_seconds;
    state.SetLabel(r.backend);
  }
  state.counters["oscillator_steps_per_second"] = benchmark::Counter(steps, benchmark::Counter::kIsRate);
  // Per second of CPU time of the whole process (all threads): what one idle core gives, whatever
  // else the machine is doing (on a shared machine the wall-clock rate says little).
  state.counters["oscillator_steps_per_cpu_second"] = steps / cpu_seconds;
  state.counters["oscillators"] = oscillators;
  state.counters["N"] = p.size;
  state.counters["bytes_per_oscillator"] = static_cast<double>(spinnet::network_bytes(p)) / oscillators;
  if (coupling == Coupling::dense) {
    // Two stages per step, each a complex matrix-vector product per network: 8 N^2 flops.
    const double flops = steps / oscillators * 2 * 8.0 * p.size * p.size * static_cast<double>(p.networks);
    state.counters["coupling_flops_per_second"] = flops / seconds;
    // An Eigen single-precision matrix product of the same size, same run (GEMM: 2 N^3 flops).
    const int n = static_cast<int>(p.size);
    Eigen::MatrixXf a = Eigen::MatrixXf::Random(n, n), b = Eigen::MatrixXf::Random(n, n), c(n, n);
    c.noalias() = a * b;
    const auto t0 = std::chrono::steady_clock::now();
    int repeats = 0;
    do {
      c.noalias() = a * b;
      ++repeats;
    } while (std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < 0.5);
    const double gemm = 2.0 * n * n * n * repeats / std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    benchmark::DoNotOptimize(c.data());
    state.counters["eigen_gemm_flops_per_second"] = gemm;
    state.counters["coupling_over_gemm"] = flops / seconds / gemm;
  }
}

void register_all() {
  for (Backend backend : {Backend::cpu, Backend::cuda}) {
    if (backend == Backend::cuda && !spinnet::cuda_available()) continue;
    const std::string b = backend == Backend::cpu ? "cpu" : "cuda";
    for (Coupling c : {Coupling::none, Coupling::lattice, Coupling::random8, Coupling::electrical})
      for (std::uint32_t N : {16u, 256u, 4096u, 100000u}) {
        benchmark::RegisterBenchmark(("auto_oscillator/" + b + "/" + name_of(c) + "/N:" + std::to_string(N)).c_str(),
                                     [=](benchmark::State& s) { run<spinnet::CoupledAutoOscillator>(s, N, c, backend); })
            ->UseManualTime()->Unit(benchmark::kMillisecond);
        benchmark::RegisterBenchmark(("macrospin/" + b + "/" + name_of(c) + "/N:" + std::to_string(N)).c_str(),
                                     [=](benchmark::State& s) { run<spinnet::CoupledMacrospin>(s, N, c, backend); })
            ->UseManualTime()->Unit(benchmark::kMillisecond);
      }
    benchmark::RegisterBenchmark(("auto_oscillator/" + b + "/dense/N:1024").c_str(),
                                 [=](benchmark::State& s) { run<spinnet::CoupledAutoOscillator>(s, 1024, Coupling::dense, backend); })
        ->UseManualTime()->Unit(benchmark::kMillisecond);
  }
}

}  // namespace

int main(int argc, char** argv) {
  register_all();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
