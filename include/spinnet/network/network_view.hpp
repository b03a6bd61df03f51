// A batch of coupled oscillator networks as the stepping loops see it (plain pointers and scalars,
// valid on the host or a GPU): the slots of every oscillator of every network, their coupling
// terms, the per-network sums the couplings need, and the observables accumulated on the fly.
// docs/networks.md states the equations; ARCHITECTURE.md ("Coupled networks") the execution.
//
// Slots. A batch holds `networks` networks of `size` oscillators each. Oscillator j of local
// network g sits in slot slot_of(g, j):
//   * contiguous layout (size >= lanes): g * network_stride + j, network_stride = size rounded up
//     to whole SIMD blocks; a block of lanes holds consecutive oscillators of one network;
//   * interleaved layout (size < lanes): networks in groups of `lanes`, slot =
//     (g / lanes) * size * lanes + j * lanes + g % lanes; a block of lanes holds oscillator j of
//     `lanes` consecutive networks, so that small networks (2 to 15 oscillators) fill the lanes.
// Padding slots (valid = 0) are inert copies: no coupling reaches or leaves them and no sum counts
// them. A partner k of the oscillator in slot s sits at s + (k - j) * j_stride (j_stride = 1
// contiguous, lanes interleaved), so the sparse couplings store offsets that every network shares.
//
// One step (stochastic Heun, the coupling evaluated at both stages; Garcia-Palacios & Lazaro 1998):
//   sums(x_n) -> fields(x_n) -> k1 = f(x_n, fields), x~ = x_n + dt k1
//   sums(x~)  -> fields(x~)  -> k2 = f(x~, fields),  x_{n+1} = x_n + dt (k1 + k2) / 2
// with the thermal noise drawn once per step and held over both stages.
#pragma once

#include <cstddef>
#include <cstdint>

#include "spinnet/core/hostdevice.hpp"
#include "spinnet/core/soa.hpp"
#include "spinnet/models/coupled_oscillator.hpp"
#include "spinnet/models/device_model.hpp"
#include "spinnet/models/drive.hpp"

namespace spinnet {

/// How one edge's weight acts on the partner's coupling vector.
enum class BlockKind : int {
  scalar = 0,   // w * out (one number per edge)
  complex = 1,  // (w_re + i w_im) (out_0 + i out_1): the auto-oscillator's Omega e^{i beta} (two numbers)
  full = 2,     // a dim x dim matrix, row-major (dipolar tensors)
};

SPINNET_HDI int block_size(BlockKind kind, int dim) {
  return kind == BlockKind::scalar ? 1 : kind == BlockKind::complex ? 2 : dim * dim;
}

/// A sparse coupling term in ELLPACK form: every oscillator has `width` entries (padded with zero
/// weights); entry e of oscillator j reads the partner at slot offset offset[e * size + j] (the same
/// for every network). Weights are shared by every network (network_stride = 0) or per network
/// ([g * network_stride + (e * size + j) * block + c]).
template <class T>
struct SparseCouplingView {
  int width = 0;
  BlockKind kind = BlockKind::scalar;
  const std::int32_t* offset = nullptr;
  const T* weight = nullptr;
  std::size_t network_stride = 0;
};

/// A mean-field coupling (all-to-all with one weight per network): field_j += w_g (S_g - out_j),
/// S_g = sum_k out_k over network g. O(N) per step; the Kuramoto and auto-oscillator electrical case.
template <class T>
struct MeanFieldCouplingView {
  bool enabled = false;
  BlockKind kind = BlockKind::scalar;  // scalar or complex
  const T* weight = nullptr;           // [g * block + c]
};

/// A circuit of the network's junctions (electrical coupling): each junction k puts the voltage
/// v_k - dc_k on it (its emission without its DC part, the bias tee's blocking capacitor) and
/// carries the extra current i_j = gain_g (a_j X_g + b_j (v_j - dc_j)), X_g = sum_k c_k (v_k - dc_k).
/// Series (a = -1 / (R_load + sum R), b = 0, c = 1) and parallel (a = 1 / (R_j G), b = -1 / R_j,
/// c = 1 / R_k, G = 1 / R_load + sum 1 / R) connections are both of this form (docs/networks.md).
template <class T>
struct ElectricalCouplingView {
  bool enabled = false;
  const T* a = nullptr;     // [slot]
  const T* b = nullptr;     // [slot]
  const T* c = nullptr;     // [slot]
  const T* gain = nullptr;  // [g]
  T dc_rate = T(0);         // dt / tau of the DC-blocking filter
};

/// Per-network sums of one stage.
template <class T, int D>
struct NetworkSums {
  T output[D];  // sum_k out_k (mean field)
  T voltage;    // X_g (electrical)
};

/// What is recorded per network: the Kuramoto order parameter r = |sum_j e^{i phi_j}| / N and the
/// summed emitted signal, sampled every `order_every` / `signal_every` steps; phase-locking sums
/// sum_t e^{i (phi_j - phi_k)} for every pair j < k when plv != nullptr.
struct NetworkObservablesView {
  std::uint64_t order_every = 0;   // steps between order-parameter samples (0: none)
  double* order_sum = nullptr;     // [g]: sum of r over samples after the transient
  double* order_sum2 = nullptr;    // [g]: sum of r^2
  std::uint64_t* order_samples = nullptr;  // [g]
  std::uint64_t order_trace_every = 0;     // steps between recorded r samples (0: none)
  double* order_trace = nullptr;           // [sample * networks + g]
  double* plv = nullptr;                   // [g][pair][re, im], pairs j < k in row order
  std::uint64_t signal_every = 0;          // steps between summed-signal samples (0: none)
  double* signal_trace = nullptr;          // [sample * networks + g], sum_j emitted signal of network g
};

template <class Adapter, class T>
struct NetworkView {
  using Coefficients = typename Adapter::template Coefficients<T>;
  using State = typename Adapter::template State<T>;
  using Accumulators = typename Adapter::Accumulators;
  static constexpr int dim = Adapter::dim;
  static constexpr int max_sparse_terms = 4;

  // Geometry.
  std::size_t slots = 0;
  std::size_t networks = 0;
  std::uint32_t size = 0;  // oscillators per network
  bool interleaved = false;
  std::size_t network_stride = 0;  // contiguous layout: slots per network
  std::size_t lanes = 16;
  const std::uint32_t* network_of = nullptr;  // [slot]
  const std::uint32_t* local_of = nullptr;    // [slot]
  const T* valid = nullptr;                   // [slot]: 1 or 0 (padding)

  // Integration. context.first_device_id is unused: noise ids come from first_network (below).
  StepContext<T> context{};
  std::uint64_t first_network = 0;  // global id of local network 0: noise and variability keys
  SoA<Coefficients, T> coefficients{};
  SoA<State, T> state{}, predicted{}, slope{};
  SoA<Accumulators, double> accumulators{};
  DriveView<T> drive{};
  std::uint32_t* status = nullptr;
  std::uint64_t* failed_step = nullptr;

  // Coupling.
  T* field = nullptr;          // [component * slots + slot]
  T* extra_current = nullptr;  // [slot]
  T* emission = nullptr;       // [slot]: the emitted voltage at the current stage
  T* dc_level = nullptr;       // [slot]: the DC part of the emission (electrical coupling)
  T* sums = nullptr;           // [g * (dim + 1) + c]: NetworkSums of the current stage
  int sparse_count = 0;
  SparseCouplingView<T> sparse[max_sparse_terms];
  MeanFieldCouplingView<T> mean_field{};
  ElectricalCouplingView<T> electrical{};

  // Engine-drawn noise: [draw n of the block][member of NoisePairs][slot], three steps per draw.
  T* noise = nullptr;

  NetworkObservablesView observed{};

  // Per-oscillator traces (every trace_every steps): trace_column[slot] >= 0 selects a column.
  std::uint64_t trace_every = 0;
  int trace_columns = 0;
  const int* trace_column = nullptr;
  SoA<State, T> trace_state{};
  T* trace_signal = nullptr;

  SPINNET_HDI std::size_t slot_of(std::size_t g, std::size_t j) const {
    return interleaved ? (g / lanes) * size * lanes + j * lanes + g % lanes : g * network_stride + j;
  }
  SPINNET_HDI std::size_t j_stride() const { return interleaved ? lanes : 1; }
};

/// Noise id of pair p of oscillator j of global network n: ((n * size) + j) * P + p. For P = 1 it is
/// the id the small-network model (oscillator_network.hpp) gives oscillator j of network n, so both
/// draw the same noise.
SPINNET_HDI std::uint32_t network_noise_id(std::uint64_t network, std::uint32_t size, std::uint32_t j, int pairs,
                                           int p) {
  return static_cast<std::uint32_t>((network * size + j) * static_cast<std::uint64_t>(pairs) +
                                    static_cast<std::uint64_t>(p));
}

/// One edge's contribution: the block of weights at `w` (of kind Kind) times the partner's vector.
/// By value, so that the CPU lane loops keep it in registers.
template <BlockKind Kind, class T, int D>
SPINNET_HDI CouplingVector<T, D> block_times(const T* w, const CouplingVector<T, D> out) {
  CouplingVector<T, D> r;
  if constexpr (Kind == BlockKind::scalar) {
    SPINNET_UNROLL
    for (int c = 0; c < D; ++c) r.v[c] = w[0] * out.v[c];
  } else if constexpr (Kind == BlockKind::complex) {
    static_assert(D == 2, "complex weights act on two-component vectors");
    r.v[0] = w[0] * out.v[0] - w[1] * out.v[1];
    r.v[1] = w[0] * out.v[1] + w[1] * out.v[0];
  } else {
    SPINNET_UNROLL
    for (int i = 0; i < D; ++i) {
      T sum = T(0);
      SPINNET_UNROLL
      for (int c = 0; c < D; ++c) sum += w[i * D + c] * out.v[c];
      r.v[i] = sum;
    }
  }
  return r;
}

/// field += block (of a kind known at run time) times out.
template <class T, int D>
SPINNET_HDI void add_block(BlockKind kind, const T* w, const CouplingVector<T, D> out, CouplingVector<T, D>& field) {
  CouplingVector<T, D> r;
  if (kind == BlockKind::scalar) {
    r = block_times<BlockKind::scalar>(w, out);
  } else if (kind == BlockKind::complex) {
    if constexpr (D == 2) r = block_times<BlockKind::complex>(w, out);
  } else {
    r = block_times<BlockKind::full>(w, out);
  }
  SPINNET_UNROLL
  for (int c = 0; c < D; ++c) field.v[c] += r.v[c];
}

/// The coupling vector of slot s read from a state array.
template <class Adapter, class T>
SPINNET_HDI CouplingVector<T, Adapter::dim> output_at(const SoA<typename Adapter::template State<T>, T>& states,
                                                      std::size_t s) {
  return Adapter::template output<T>(states.load(s));
}

/// The per-network sums of network g at one stage (states: x_n or x~): in oscillator order
/// j = 0 .. N - 1, so that a network's sums do not depend on where it sits in a batch.
template <class Adapter, class T>
SPINNET_HDI void network_sums(const NetworkView<Adapter, T>& v, std::size_t g,
                              const SoA<typename Adapter::template State<T>, T>& states) {
  constexpr int D = Adapter::dim;
  T total[D];
  SPINNET_UNROLL
  for (int c = 0; c < D; ++c) total[c] = T(0);
  T voltage = T(0);
  for (std::uint32_t j = 0; j < v.size; ++j) {
    const std::size_t s = v.slot_of(g, j);
    if (v.mean_field.enabled) {
      const CouplingVector<T, D> out = output_at<Adapter, T>(states, s);
      SPINNET_UNROLL
      for (int c = 0; c < D; ++c) total[c] += out.v[c];
    }
    if (v.electrical.enabled) voltage += v.electrical.c[s] * (v.emission[s] - v.dc_level[s]);
  }
  T* sums = v.sums + g * (D + 1);
  SPINNET_UNROLL
  for (int c = 0; c < D; ++c) sums[c] = total[c];
  sums[D] = voltage;
}

/// The coupling field and the circuit current of slot s at one stage, from the partners' states and
/// the network sums of that stage (network_sums).
template <class Adapter, class T>
SPINNET_HDI void slot_field(const NetworkView<Adapter, T>& v, std::size_t s,
                            const SoA<typename Adapter::template State<T>, T>& states,
                            CouplingVector<T, Adapter::dim>& field, T& extra_current) {
  constexpr int D = Adapter::dim;
  SPINNET_UNROLL
  for (int c = 0; c < D; ++c) field.v[c] = T(0);
  extra_current = T(0);
  if (v.valid[s] == T(0)) return;
  const std::size_t g = v.network_of[s];
  const std::size_t j = v.local_of[s];
  for (int t = 0; t < v.sparse_count; ++t) {
    const SparseCouplingView<T>& term = v.sparse[t];
    const int block = block_size(term.kind, D);
    for (int e = 0; e < term.width; ++e) {
      const std::size_t entry = static_cast<std::size_t>(e) * v.size + j;
      const std::size_t partner = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(s) + term.offset[entry]);
      add_block(term.kind, term.weight + g * term.network_stride + entry * block, output_at<Adapter, T>(states, partner),
                field);
    }
  }
  const T* sums = v.sums + g * (D + 1);
  if (v.mean_field.enabled) {
    const CouplingVector<T, D> own = output_at<Adapter, T>(states, s);
    CouplingVector<T, D> others;
    SPINNET_UNROLL
    for (int c = 0; c < D; ++c) others.v[c] = sums[c] - own.v[c];
    add_block(v.mean_field.kind, v.mean_field.weight + g * block_size(v.mean_field.kind, D), others, field);
  }
  if (v.electrical.enabled)
    extra_current = v.electrical.gain[g] * (v.electrical.a[s] * sums[D] + v.electrical.b[s] * (v.emission[s] - v.dc_level[s]));
}

// The predictor stage of one oscillator is k1 = Adapter::derivative(x_n, coupling of x_n) and
// x~ = Adapter::advance(x_n, dt, k1): two calls the CPU lane loop and the CUDA kernels make alike
// (one aggregate holding both would not be scalarized by GCC, and the lane loop would not vectorize).

/// The corrector stage: k2 = f(x~) with the coupling of x~, x_{n+1} = x_n + dt (k1 + k2) / 2, then
/// the model's own end of step (checks, status, sample). `current` is the junction's total current at
/// the end of the step (its R I signal).
template <class Adapter, class T>
SPINNET_HDI StepOutcome<typename Adapter::template State<T>, typename Adapter::template Sample<T>, T> correct(
    const StepContext<T>& context, const typename Adapter::template Coefficients<T> c,
    const typename Adapter::template State<T> s, const typename Adapter::template State<T> k1,
    const typename Adapter::template State<T> predicted, const CouplingVector<T, Adapter::dim> field,
    const T extra_current, const DriveSample<T> next, const typename Adapter::template Noise<T> noise,
    std::uint32_t status, std::uint64_t failed_step, std::uint64_t step, const T current) {
  auto k2 = Adapter::template derivative<T>(c, predicted, field, extra_current, next, noise);
  auto raw = Adapter::template advance<T>(s, T(0.5) * context.dt, k1, k2);
  return Adapter::template settle<T>(context, c, s, raw, status, failed_step, step, current);
}

}  // namespace spinnet
