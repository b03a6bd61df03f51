// Coupled oscillator networks (docs/networks.md): the Kuramoto transition of a large all-to-all
// network, the mutual-locking range of a nonlinear pair, the equivalence of the network engine with
// the small-network model, coupling graphs, and results that do not depend on batches or threads.
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include "auto_oscillator_fixtures.hpp"
#include "spinnet/config/run_config.hpp"
#include "spinnet/core/constants.hpp"
#include "spinnet/engine/run.hpp"
#include "spinnet/models/coupled_auto_oscillator.hpp"
#include "spinnet/models/oscillator_network.hpp"
#include "spinnet/network/coupling_graph.hpp"
#include "spinnet/network/network_run.hpp"
#include "spinnet/study/experiment.hpp"
#include "spinnet/study/scheduler.hpp"

namespace spinnet {
namespace {

class NetworkBackends : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::cuda && !cuda_available()) GTEST_SKIP() << "no CUDA device visible (or built without CUDA)";
  }
  RunOptions options() const {
    RunOptions o;
    o.backend = GetParam();
    return o;
  }
};

std::string backend_name(const ::testing::TestParamInfo<Backend>& info) { return to_string(info.param); }

/// A phase oscillator made of the universal model: no nonlinear frequency shift, strong amplitude
/// relaxation (Gamma_p = G_G (zeta - 1) = 1e9 1/s against couplings of 1e7 1/s), T = 0, p0 = 1/2.
AutoOscillatorParameters phase_oscillator(double frequency_Hz, double phase) {
  AutoOscillatorParameters a{};
  a.frequency = frequency_Hz;
  a.nonlinear_shift = 0;
  a.damping_rate = 1e9;
  a.nonlinear_damping = 0;
  a.threshold_current = 1e-3;
  a.current = 2e-3;
  a.temperature = 0;
  a.energy = 1e-18;
  a.signal_scale = 1;
  a.c0_re = std::sqrt(0.5) * std::cos(phase);
  a.c0_im = -std::sqrt(0.5) * std::sin(phase);
  return a;
}

// The Kuramoto transition (Y. Kuramoto 1975; S. H. Strogatz, Physica D 143, 1 (2000)). With equal
// amplitudes and nu = 0, c_j = a e^{-i phi_j} and the mean-field term (K / N) sum_k c_k give
// d phi_j / dt = w_j + (K / N) sum_k sin(phi_k - phi_j): Kuramoto's model. For natural frequencies
// with a Lorentzian density of half-width gamma (rad/s) the stationary order parameter of the
// partially locked state is r = sqrt(1 - 2 gamma / K) above K_c = 2 gamma, and the incoherent state
// (r = O(1/sqrt(N))) is the stable one below it. The frequencies here are the N quantiles of the
// Lorentzian (w_j = gamma tan(pi (j + 1/2) / N - pi / 2)), which removes the sampling noise of a
// random draw; the oscillators start in phase (r = 1) and relax to the stationary state.
//
// Tolerances. Finite N: the fluctuations and the finite-size shift of r are of order 1/sqrt(N)
// (0.022 at N = 2000); the test asserts |r - r_theory| < 1/sqrt(N) above K_c and r < 1/sqrt(N)
// below. The amplitude equation adds a correction of order K / Gamma_p = 2.5e-2 to the effective
// coupling of the phases (K r / Gamma_p <~ 0.025 relative): below the finite-size bound. Heun's phase
// error (w dt)^2 / 6 at the largest |w| = 2 gamma N / pi (4e9 rad/s at dt = 40 ps: 4e-3) concerns a
// few tail oscillators that never lock; on the locked ones (|w| < K) it is below 1e-6.
TEST_P(NetworkBackends, KuramotoOrderParameterFollowsTheLorentzianTheory) {
  const std::uint32_t N = 2000;
  const double gamma = constants::two_pi * 1e6;  // Lorentzian half-width, rad/s
  const std::vector<double> K_over_gamma = {1.0, 1.5, 2.5, 3.0, 4.0, 6.0};
  NetworkProblem<CoupledAutoOscillator> p;
  p.networks = K_over_gamma.size();
  p.size = N;
  for (std::size_t g = 0; g < p.networks; ++g)
    for (std::uint32_t j = 0; j < N; ++j)
      p.oscillators.push_back(phase_oscillator(gamma * std::tan(constants::pi * (j + 0.5) / N - constants::pi / 2) / constants::two_pi, 0));
  p.coupling.mean_field.enabled = true;
  p.coupling.mean_field.kind = BlockKind::complex;
  for (double k : K_over_gamma) {
    p.coupling.mean_field.weight.push_back(k * gamma / N);
    p.coupling.mean_field.weight.push_back(0);
  }
  p.control.dt = 40e-12;
  p.control.steps = 100000;          // 4 us: 25 / gamma
  p.control.transient_steps = 50000;
  p.observe.order_every = 10;
  const NetworkResult<CoupledAutoOscillator> r = run_network(p, options());
  const double bound = 1 / std::sqrt(static_cast<double>(N));
  for (std::size_t g = 0; g < p.networks; ++g) {
    const double K = K_over_gamma[g];
    const double theory = K > 2 ? std::sqrt(1 - 2 / K) : 0.0;
    std::cout << "K = " << K << " gamma: r = " << r.order_mean[g] << " +- " << r.order_std[g] << ", theory " << theory
              << "\n";
    if (K > 2) {
      EXPECT_NEAR(r.order_mean[g], theory, bound) << "K = " << K << " gamma";
    } else {
      EXPECT_LT(r.order_mean[g], bound) << "K = " << K << " gamma";
    }
  }
}

// Mutual locking of two auto-oscillators with a nonlinear frequency shift (Slavin & Tiberkevich 2009,
// sec. VII). With c_j = sqrt(p_j) e^{-i phi_j} and the coupling Omega e^{i beta} c_k in dc_j/dt, the
// phase and power equations are
//   d phi_j/dt = w_j(p_j) - Omega sqrt(p_k / p_j) sin(phi_j - phi_k + beta),
//   power deviations dp_j = (Omega p0 / Gamma_p) cos(phi_j - phi_k + beta) (adiabatically
//   eliminated, Omega << Gamma_p), which shift the frequency by nu Omega cos(...), nu = N p0 / Gamma_p.
// The phase difference psi = phi_1 - phi_2 then obeys
//   d psi/dt = (w_1 - w_2) - 2 Omega (cos beta + nu sin beta) sin psi,
// so the pair locks for |w_1 - w_2| <= 2 Omega |cos beta + nu sin beta|: 2 Omega sqrt(1 + nu^2) at the
// coupling phase beta = arctan(nu), and only 2 Omega at beta = 0, where the two frequency pulls cancel.
//
// Tolerance: the edge is located on a detuning grid of 2 % of the expected range; the adiabatic
// elimination neglects terms of order Omega / Gamma_p = 0.02 (and nu Omega / Gamma_p); Heun's phase
// error (w dt)^2 / 6 = 4e-5 at 1 GHz and 2 ps. The edge is asserted within 5 %.
TEST_P(NetworkBackends, NonlinearPairLocksOverTwoOmegaSqrtOnePlusNuSquared) {
  const double Omega = 1e7;          // 1/s
  const double Gamma_p = 5e8;        // G_G (zeta - 1), zeta = 2
  const double nu = -2.0;
  AutoOscillatorParameters base = phase_oscillator(1e9, 0);
  base.damping_rate = Gamma_p;
  base.nonlinear_damping = 0;
  const auto theory = auto_oscillator_test::theory_of(base);
  base.nonlinear_shift = nu * theory.Gamma_p / theory.p0 / constants::two_pi;  // N / 2 pi, Hz
  ASSERT_NEAR(auto_oscillator_test::theory_of(base).nu, nu, 1e-12);
  for (const double beta : {std::atan(nu), 0.0}) {
    const double range = 2 * Omega * std::abs(std::cos(beta) + nu * std::sin(beta));  // rad/s
    std::vector<double> ratio;
    NetworkProblem<CoupledAutoOscillator> p;
    p.size = 2;
    for (int k = 0; k < 21; ++k) {
      ratio.push_back(0.8 + 0.02 * k);
      AutoOscillatorParameters a = base, b = base;
      b.frequency = a.frequency + ratio.back() * range / constants::two_pi;
      b.c0_re = 0.5, b.c0_im = 0.3;
      p.oscillators.push_back(a);
      p.oscillators.push_back(b);
    }
    p.networks = ratio.size();
    SparseCouplingInput term;
    term.width = 1;
    term.kind = BlockKind::complex;
    term.local_partner = {1, 0};  // oscillator 0 reads 1 and 1 reads 0
    term.weight = {Omega * std::cos(beta), Omega * std::sin(beta), Omega * std::cos(beta), Omega * std::sin(beta)};
    p.coupling.sparse.push_back(term);
    p.control.dt = 2e-12;
    p.control.steps = 600000;  // 1.2 us: the beat just outside the edge (sqrt(0.04 * 2) range) is resolved
    p.control.transient_steps = 200000;
    const auto r = run_network(p, options());
    double last_locked = 0, first_unlocked = 10;
    for (std::size_t g = 0; g < p.networks; ++g) {
      const double f1 = r.mean(2 * g, &AutoOscillatorAccumulators::phase) / (constants::two_pi * p.control.dt);
      const double f2 = r.mean(2 * g + 1, &AutoOscillatorAccumulators::phase) / (constants::two_pi * p.control.dt);
      const bool locked = std::abs(f1 - f2) < 0.05 * range / constants::two_pi;
      if (locked) last_locked = std::max(last_locked, ratio[g]);
      else first_unlocked = std::min(first_unlocked, ratio[g]);
    }
    const double edge = 0.5 * (last_locked + first_unlocked);
    std::cout << "beta = " << beta << ": locking edge at " << edge << " of 2 Omega |cos beta + nu sin beta| = "
              << range / constants::two_pi / 1e6 << " MHz\n";
    EXPECT_LT(last_locked, first_unlocked) << "the locked pairs form one range";
    EXPECT_NEAR(edge, 1.0, 0.05) << "beta = " << beta;
  }
}

// The network engine runs the small networks of the legacy `coupling` section with the same noise
// streams and the same equations as the small-network model (oscillator_network.hpp): only the order
// of the additions in the coupling sum differs. The noise-driven coupled dynamics amplify rounding
// differences exponentially (over 2e5 steps two float64 runs drift apart by 3e-8 in their mean
// frequencies, two float32 runs by 1e-4), so the trajectories are compared over 5000 steps (10 ns)
// in float64: the reordered sums differ by ~1e-16 per step, and 5000 steps amplified by at most
// e^(lambda t) ~ e (Lyapunov rate below 1e8 1/s) leave them within 1e-11 of each other.
TEST(NetworkEngine, ReproducesTheSmallNetworkModel) {
  constexpr int M = 4;
  using Small = OscillatorNetworkModel<M>;
  ModelProblem<Small> small;
  NetworkProblem<CoupledAutoOscillator> big;
  big.size = M;
  const int networks = 6;
  big.networks = networks;
  for (int g = 0; g < networks; ++g) {
    OscillatorNetworkParameters<M> n{};
    for (int j = 0; j < M; ++j) {
      AutoOscillatorParameters a{};
      a.frequency = 5e9 + 1e7 * j + 2e6 * g;
      a.nonlinear_shift = -5e8;
      a.damping_rate = 3e8;
      a.nonlinear_damping = 1;
      a.threshold_current = 1e-3;
      a.current = 2e-3;
      a.temperature = 300;
      a.energy = 5e-17;
      a.signal_scale = 1e-3;
      a.c0_re = 0.3 * std::cos(j), a.c0_im = 0.3 * std::sin(j);
      n.oscillator[j] = a;
      big.oscillators.push_back(a);
      for (int k = 0; k < M; ++k) {
        n.coupling_re[j][k] = j == k ? 0 : 5e7 * std::cos(0.2 * (j + k));
        n.coupling_im[j][k] = j == k ? 0 : 5e7 * std::sin(0.2 * (j + k));
      }
    }
    small.devices.push_back(n);
  }
  SparseCouplingInput term;
  term.width = M - 1;
  term.kind = BlockKind::complex;
  term.local_partner.resize(static_cast<std::size_t>(M - 1) * M);
  term.per_network = true;
  term.weight.assign(static_cast<std::size_t>(networks) * (M - 1) * M * 2, 0.0);
  for (int j = 0; j < M; ++j) {
    int e = 0;
    for (int k = 0; k < M; ++k) {
      if (k == j) continue;
      term.local_partner[static_cast<std::size_t>(e) * M + j] = static_cast<std::uint32_t>(k);
      for (int g = 0; g < networks; ++g) {
        double* w = term.weight.data() + (static_cast<std::size_t>(g) * (M - 1) * M + static_cast<std::size_t>(e) * M + j) * 2;
        w[0] = small.devices[g].coupling_re[j][k];
        w[1] = small.devices[g].coupling_im[j][k];
      }
      ++e;
    }
  }
  big.coupling.sparse.push_back(term);
  for (RunControl* c : {&small.control, &big.control}) {
    c->dt = 2e-12;
    c->steps = 5000;
    c->transient_steps = 0;
    c->seed = 7;
    c->first_device_id = 0;
    c->precision = Precision::float64;
  }
  small.control.first_device_id = 0;  // network ids
  const auto a = run_model(small);
  const auto b = run_network(big);
  for (int g = 0; g < networks; ++g)
    for (int j = 0; j < M; ++j) {
      const std::size_t i = static_cast<std::size_t>(g) * M + j;
      EXPECT_NEAR(b.final_state[i].re, a.final_state[g].re[j], 1e-11) << "network " << g << " oscillator " << j;
      EXPECT_NEAR(b.final_state[i].im, a.final_state[g].im[j], 1e-11) << "network " << g << " oscillator " << j;
      EXPECT_NEAR(b.sums[i].phase, a.sums[g].phase[j], 1e-11 * std::abs(a.sums[g].phase[j]));
      EXPECT_NEAR(b.sums[i].power, a.sums[g].power[j], 1e-11 * a.sums[g].power[j]);
    }
}

// Graph families: sizes, degrees and symmetry by construction.
TEST(CouplingGraph, FamiliesHaveTheirDegrees) {
  const CouplingGraph all = all_to_all_graph(7);
  EXPECT_EQ(all.edges(), 42u);
  const CouplingGraph ring = ring_graph(10, 2, true);
  for (std::uint32_t j = 0; j < 10; ++j) EXPECT_EQ(ring.degree(j), 4u);
  const CouplingGraph chain = ring_graph(10, 1, false);
  EXPECT_EQ(chain.degree(0), 1u);
  EXPECT_EQ(chain.degree(5), 2u);
  Lattice square{LatticeKind::square, 8, 8, 200e-9, false};
  const CouplingGraph lattice = lattice_graph(square);
  EXPECT_EQ(lattice.degree(0), 2u);   // corner
  EXPECT_EQ(lattice.degree(1), 3u);   // edge
  EXPECT_EQ(lattice.degree(9), 4u);   // inside
  Lattice hexagonal{LatticeKind::hexagonal, 6, 6, 200e-9, false};
  const CouplingGraph hex = lattice_graph(hexagonal);
  EXPECT_EQ(hex.degree(2 * 6 + 2), 6u);
  // Every lattice neighbour is one pitch away: the distance graph with a cutoff of one pitch is the
  // nearest-neighbour graph itself.
  for (const Lattice& l : {square, hexagonal}) {
    const CouplingGraph near = distance_graph(lattice_positions(l), 1.0001 * l.pitch);
    const CouplingGraph nn = lattice_graph(l);
    ASSERT_EQ(near.edges(), nn.edges());
    EXPECT_EQ(near.partner, nn.partner);
  }
  const CouplingGraph regular = random_regular_graph(1000, 8, 3);
  std::set<std::pair<std::uint32_t, std::uint32_t>> edges;
  for (std::uint32_t j = 0; j < 1000; ++j) {
    EXPECT_EQ(regular.degree(j), 8u);
    for (std::uint64_t e = regular.row_start[j]; e < regular.row_start[j + 1]; ++e) {
      EXPECT_NE(regular.partner[e], j);
      edges.insert({j, regular.partner[e]});
    }
  }
  for (const auto& [a, b] : edges) EXPECT_TRUE(edges.count({b, a})) << "undirected";
  EXPECT_EQ(edges.size(), 8000u) << "no double edges";
  // Erdos-Renyi: the mean degree p (N - 1) within 5 standard errors of the edge count.
  const double p = 0.01;
  const CouplingGraph er = erdos_renyi_graph(2000, p, 5);
  const double pairs = 2000.0 * 1999 / 2, expected = p * pairs;
  EXPECT_NEAR(static_cast<double>(er.edges()) / 2, expected, 5 * std::sqrt(expected * (1 - p)));
  EXPECT_EQ(random_regular_graph(100, 4, 9).partner, random_regular_graph(100, 4, 9).partner) << "keyed by its seed";
  EXPECT_THROW(graph_from_edges(3, {{0, 3}}), std::invalid_argument);
  EXPECT_THROW(graph_from_edges(3, {{1, 1}}), std::invalid_argument);
  EXPECT_THROW(graph_from_edges(3, {{0, 1}, {0, 1}}), std::invalid_argument);
}

// A network config: 6 networks of an 8 x 8 lattice of thermal auto-oscillators with per-oscillator
// frequency spread (nu = 0: with a nonlinear shift the open lattice's unequal degrees would detune
// its edges, docs/networks.md), swept over the coupling strength. Each oscillator's result depends
// only on its own (seed, network, oscillator, step): the same bits for any batch size and threads.
json lattice_config() {
  return json::parse(R"({
    "name": "lattice", "model": "auto_oscillator", "seed": 11,
    "devices": {"count": 64, "frequency_GHz": {"normal": {"mean": 5.0, "std": 0.01}}, "nonlinear_shift_GHz": 0,
                "damping_rate_per_ns": 0.5, "current_mA": 2, "temperature_K": 300, "energy_aJ": 20},
    "network": {"lattice": {"rows": 8, "columns": 8},
                "coupling": [{"kind": "graph", "graph": "lattice", "strength_per_ns": 0.05}],
                "observables": {"phase_locking": true, "order_every_ps": 20}},
    "sweep": {"axes": [{"path": "network.coupling[0].strength_per_ns", "values": [0, 0.02, 0.05, 0.1, 0.2, 0.4]}]},
    "integration": {"dt_ps": 2, "duration_ns": 60, "transient_ns": 20}
  })");
}

TEST(NetworkConfig, ResultsDoNotDependOnBatchesOrThreads) {
  const RunConfig config = read_run_config(lattice_config(), "lattice.json");
  ASSERT_TRUE(config.network.enabled);
  ASSERT_EQ(config.network.size, 64u);
  ASSERT_EQ(config.device_count(), 6u * 64u);
  RunOptions one, two;
  one.threads = 1;
  two.threads = 2;
  const ExperimentResult all = run_experiment(config, one);
  const ExperimentResult threads = run_experiment(config, two);
  for (const auto& [name, values] : all.observables) EXPECT_EQ(values, threads.observables.at(name)) << name;
  // The networks one by one (slices of the study, as the scheduler's batches are).
  for (std::size_t g = 0; g < 6; ++g) {
    const ExperimentResult single = run_experiment(slice_config(config, g * 64, 64), one);
    for (const auto& [name, values] : single.observables) {
      const std::vector<double>& whole = all.observables.at(name);
      for (std::size_t j = 0; j < 64; ++j) EXPECT_EQ(values[j], whole[g * 64 + j]) << name << " network " << g;
    }
  }
  // Stronger coupling synchronizes the lattice: r grows from the uncoupled value.
  const std::vector<double>& r = all.observables.at("order_parameter");
  EXPECT_LT(r[0], 0.5);
  EXPECT_GT(r[5 * 64], 0.9);
  EXPECT_EQ(all.observables.at("sync_clusters")[5 * 64], 1.0) << "one cluster at the strongest coupling";
  EXPECT_TRUE(all.observables.count("phase_locking[63]"));
}

/// The ConfigError a network config raises ("" when it reads).
std::string error_of(const json& config) {
  try {
    read_run_config(config, "net.json");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(NetworkConfig, BadNetworksAreOneClearLine) {
  const auto expect = [](json config, const std::string& message) {
    const std::string got = error_of(config);
    EXPECT_NE(got.find(message), std::string::npos) << "got: " << got;
  };
  json c = lattice_config();
  c["network"]["coupling"][0]["graph"] = {{"edges", {{0, 64}}}};
  expect(c, "net.json: network.coupling[0].graph.edges[0][1]: expected an oscillator index in [0, 63], got 64");
  c = lattice_config();
  c["network"]["coupling"][0]["graph"] = {{"edges", {{3, 3}}}};
  expect(c, "network.coupling[0].graph.edges[0]: expected an edge between two different oscillators");
  c = lattice_config();
  c["model"] = "macrospin";
  c["devices"] = {{"count", 64}};
  c["network"]["coupling"][0] = {{"kind", "graph"}, {"graph", "lattice"}, {"tensor_mT", {{1, 0, 0}, {0, 1}}}};
  expect(c, "network.coupling[0].tensor_mT: expected an array of 3 items, got an array of 2");
  c["network"]["coupling"][0]["tensor_mT"] = {{1, 0, 0}, {0, 1, 0}, {0, 0, "NaN"}};
  expect(c, "network.coupling[0].tensor_mT[2][2]: expected a number, got string \"NaN\"");
  c = lattice_config();
  c["network"]["lattice"]["pitch_nm"] = -1;
  expect(c, "network.lattice.pitch_nm: expected a number >= 0, got -1");
  c = lattice_config();
  c["network"]["coupling"][0] = {{"kind", "dipolar"}};
  expect(c, "network.coupling[0].kind: expected \"graph\" or \"electrical\" for model \"auto_oscillator\"");
  c = lattice_config();
  c["network"]["size"] = 63;
  expect(c, "network.size: expected rows x columns of network.lattice (64), got 63");
  c = lattice_config();
  c["devices"]["count"] = 60;
  expect(c, "devices.count: expected a multiple of network.size (64)");
  // A dense all-to-all with per-edge strengths among 10^6 oscillators: refused before allocating.
  c = lattice_config();
  c["network"].erase("lattice");
  c["network"]["size"] = 1000000;
  c["devices"]["count"] = 1000000;
  c["sweep"]["axes"] = json::array();
  c["network"]["observables"]["phase_locking"] = false;
  c["network"]["coupling"][0] = {{"kind", "graph"}, {"graph", "all_to_all"}, {"per_edge", true},
                                 {"strength_per_ns", {{"normal", {{"mean", 0.1}, {"std", 0.01}}}}}};
  expect(c, "network.coupling[0].graph: expected a coupling graph that fits in this machine's memory");
  c = lattice_config();
  c["sweep"]["axes"][0]["path"] = "network.coupling[0].strenght_per_ns";
  expect(c, "sweep.axes[0].path: expected a per-device number");
}

INSTANTIATE_TEST_SUITE_P(Backends, NetworkBackends, ::testing::Values(Backend::cpu, Backend::cuda), backend_name);

}  // namespace
}  // namespace spinnet
