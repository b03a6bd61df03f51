// Running a batch of coupled oscillator networks from the host: the problem (oscillator parameters,
// coupling terms, drive, run control, what to observe) and the result (per-oscillator sums and
// final states, per-network order parameter, phase-locking sums and summed-signal traces).
// Instantiated for CoupledAutoOscillator, CoupledVortex and CoupledMacrospin in src/network/.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "spinnet/engine/engine.hpp"
#include "spinnet/network/network_view.hpp"

namespace spinnet {

/// A sparse coupling term (ELLPACK, `width` entries per oscillator): entry e of oscillator j reads
/// partner local_partner[e * size + j] (== j marks an unused entry; its weight must be 0) through the
/// block weight[(e * size + j) * block + c], or per network weight[g * size * width * block + ...]
/// when per_network. SI units of the model's coupling field per unit of the partner's output.
struct SparseCouplingInput {
  int width = 0;
  BlockKind kind = BlockKind::scalar;
  std::vector<std::uint32_t> local_partner;
  std::vector<double> weight;
  bool per_network = false;
};

/// All-to-all coupling with one weight (block) per network: field_j += w_g (sum_k out_k - out_j).
struct MeanFieldCouplingInput {
  bool enabled = false;
  BlockKind kind = BlockKind::scalar;
  std::vector<double> weight;  // [g * block + c]
};

enum class CircuitConnection { series, parallel };

/// The network's junctions in one circuit with a load (docs/networks.md, "electrical").
struct ElectricalCouplingInput {
  bool enabled = false;
  CircuitConnection connection = CircuitConnection::series;
  double load = 50;            // Ohm
  std::vector<double> gain;    // [g]: circuit gain (1: passive)
  double dc_block_time = 5e-9; // s: time constant of the DC-blocking filter of each junction's emission
};

struct NetworkCouplingInput {
  std::vector<SparseCouplingInput> sparse;
  MeanFieldCouplingInput mean_field;
  ElectricalCouplingInput electrical;
};

/// What to record per network (0: not recorded).
struct NetworkObservation {
  std::uint64_t order_every = 0;        // steps between order-parameter samples
  std::uint64_t order_trace_every = 0;  // steps between recorded r(t) samples (a multiple of order_every)
  bool phase_locking = false;           // pairwise phase-locking sums (sampled with the order parameter)
  std::uint64_t signal_every = 0;       // steps between samples of the summed emitted signal
};

template <class Adapter>
struct NetworkProblem {
  std::size_t networks = 0;
  std::uint32_t size = 0;                              // oscillators per network
  std::vector<typename Adapter::Parameters> oscillators;  // [g * size + j]
  NetworkCouplingInput coupling;
  DriveInput drive;   // per oscillator, indexed like `oscillators`
  RunControl control; // first_device_id: global id of oscillator 0 (= first global network * size)
                      // trace_devices: oscillator indices into `oscillators`
  NetworkObservation observe;
};

template <class Adapter>
struct NetworkResult {
  using Accumulators = typename Adapter::Accumulators;
  using State = typename Adapter::template State<double>;

  std::vector<Accumulators> sums;    // per oscillator, over the steps after the transient
  std::uint64_t averaged_steps = 0;
  std::vector<State> final_state;    // per oscillator
  std::uint64_t trace_samples = 0;
  std::vector<double> trace_time;
  std::vector<State> trace_state;    // [sample * traced + k]
  std::vector<double> trace_signal;
  // Per network.
  std::vector<double> order_mean, order_std;  // time average and spread of r after the transient
  std::uint64_t order_trace_samples = 0;
  std::vector<double> order_trace;            // [sample * networks + g]
  std::vector<double> phase_locking;          // [g][pair]: |<e^{i (phi_j - phi_k)}>|, pairs j < k row by row
  std::uint64_t signal_samples = 0;
  std::vector<double> signal_trace;           // [sample * networks + g]: summed emitted signal, V
  std::string backend;
  double wall_seconds = 0;
  double oscillator_steps_per_second = 0;

  double mean(std::size_t oscillator, double Accumulators::*member) const {
    return sums[oscillator].*member / static_cast<double>(averaged_steps);
  }
  std::vector<double> means(double Accumulators::*member) const {
    std::vector<double> out(sums.size());
    for (std::size_t i = 0; i < sums.size(); ++i) out[i] = mean(i, member);
    return out;
  }
};

/// Host bytes a network problem needs (estimated before anything is allocated).
template <class Adapter>
std::uint64_t network_bytes(const NetworkProblem<Adapter>& problem);

/// Integrates the networks on the chosen backend. Throws RunError on numerical blow-up (naming the
/// network, the oscillator and the time), when the problem does not fit in memory, or when the
/// requested backend is not available.
template <class Adapter>
NetworkResult<Adapter> run_network(const NetworkProblem<Adapter>& problem, const RunOptions& options = {});

}  // namespace spinnet
