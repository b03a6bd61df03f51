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

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "spinnet/core/hostdevice.hpp"
#include "spinnet/core/random.hpp"
#include "spinnet/core/soa.hpp"
#include "spinnet/engine/batch.hpp"
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
/// for every network). Weights are stored component by component, [g * network_stride +
/// c * width * size + e * size + j], shared by every network (network_stride = 0) or per network.
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

/// Slots [first_block * lanes, end_block * lanes) and networks [first_network, end_network) of one unit.
struct NetworkUnit {
  std::size_t first_block = 0, end_block = 0;
  std::size_t first_network = 0, end_network = 0;
};

/// Units of whole networks (interleaved: whole groups of `lanes` networks) of about
/// `target_slots` slots each.
template <class Adapter, class T>
inline std::vector<NetworkUnit> network_units(const NetworkView<Adapter, T>& v, std::size_t target_slots) {
  std::vector<NetworkUnit> units;
  const std::size_t W = v.lanes;
  const std::size_t networks_per_piece = v.interleaved ? W : 1;
  const std::size_t slots_per_piece = v.interleaved ? v.size * W : v.network_stride;
  const std::size_t pieces = (v.networks + networks_per_piece - 1) / networks_per_piece;
  const std::size_t per_unit = std::max<std::size_t>(1, target_slots / std::max<std::size_t>(1, slots_per_piece));
  for (std::size_t p = 0; p < pieces; p += per_unit) {
    const std::size_t end = std::min(pieces, p + per_unit);
    NetworkUnit u;
    u.first_block = p * slots_per_piece / W;
    u.end_block = end * slots_per_piece / W;
    u.first_network = p * networks_per_piece;
    u.end_network = std::min(v.networks, end * networks_per_piece);
    units.push_back(u);
  }
  return units;
}

/// Noise id of pair p of oscillator j of global network n: ((n * size) + j) * P + p. For P = 1 it is
/// the id the small-network model (oscillator_network.hpp) gives oscillator j of network n, so both
/// draw the same noise.
SPINNET_HDI std::uint32_t network_noise_id(std::uint64_t network, std::uint32_t size, std::uint32_t j, int pairs,
                                           int p) {
  return static_cast<std::uint32_t>((network * size + j) * static_cast<std::uint64_t>(pairs) +
                                    static_cast<std::uint64_t>(p));
}

/// One edge's contribution: the block of weights w[c * stride] (of kind Kind; components `stride`
/// apart: the weights are stored component by component, so that the lanes of a SIMD block read
/// consecutive numbers) times the partner's vector. By value, so that the CPU lane loops keep it in
/// registers.
template <BlockKind Kind, class T, int D>
SPINNET_HDI CouplingVector<T, D> block_times(const T* w, std::size_t stride, const CouplingVector<T, D> out) {
  CouplingVector<T, D> r;
  if constexpr (Kind == BlockKind::scalar) {
    SPINNET_UNROLL
    for (int c = 0; c < D; ++c) r.v[c] = w[0] * out.v[c];
  } else if constexpr (Kind == BlockKind::complex) {
    static_assert(D == 2, "complex weights act on two-component vectors");
    r.v[0] = w[0] * out.v[0] - w[stride] * out.v[1];
    r.v[1] = w[0] * out.v[1] + w[stride] * out.v[0];
  } else {
    SPINNET_UNROLL
    for (int i = 0; i < D; ++i) {
      T sum = T(0);
      SPINNET_UNROLL
      for (int c = 0; c < D; ++c) sum += w[static_cast<std::size_t>(i * D + c) * stride] * out.v[c];
      r.v[i] = sum;
    }
  }
  return r;
}

/// field += block (of a kind known at run time) times out.
template <class T, int D>
SPINNET_HDI void add_block(BlockKind kind, const T* w, std::size_t stride, const CouplingVector<T, D> out,
                           CouplingVector<T, D>& field) {
  CouplingVector<T, D> r;
  if (kind == BlockKind::scalar) {
    r = block_times<BlockKind::scalar>(w, stride, out);
  } else if (kind == BlockKind::complex) {
    if constexpr (D == 2) r = block_times<BlockKind::complex>(w, stride, out);
  } else {
    r = block_times<BlockKind::full>(w, stride, out);
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
      add_block(term.kind, term.weight + g * term.network_stride + entry, static_cast<std::size_t>(term.width) * v.size,
                output_at<Adapter, T>(states, partner), field);
    }
  }
  const T* sums = v.sums + g * (D + 1);
  if (v.mean_field.enabled) {
    const CouplingVector<T, D> own = output_at<Adapter, T>(states, s);
    CouplingVector<T, D> others;
    SPINNET_UNROLL
    for (int c = 0; c < D; ++c) others.v[c] = sums[c] - own.v[c];
    add_block(v.mean_field.kind, v.mean_field.weight + g * block_size(v.mean_field.kind, D), 1, others, field);
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

// ---------------------------------------------------------------------------------------------
// One slot at a time: what a CUDA thread does in each pass of a step (the CPU runs the same
// adapter functions in lane loops of its own, src/network/network_cpu.hpp).

/// The noise of Philox block k (steps 3k, 3k + 1, 3k + 2) of slot s into the noise buffer.
template <class Adapter, class T>
SPINNET_HDI void draw_slot_noise(const NetworkView<Adapter, T>& v, std::size_t s, std::uint64_t k) {
  constexpr int P = Adapter::noise_pairs;
  const std::uint64_t network = v.first_network + v.network_of[s];
  SPINNET_UNROLL
  for (int p = 0; p < P; ++p) {
    const ComplexNormal3<T> z =
        complex_normal3<T>(v.context.seed, network_noise_id(network, v.size, v.local_of[s], P, p), k, RandomStream::thermal);
    SPINNET_UNROLL
    for (int n = 0; n < 3; ++n) {
      v.noise[(static_cast<std::size_t>(n) * 2 * P + 2 * p) * v.slots + s] = z.re[n];
      v.noise[(static_cast<std::size_t>(n) * 2 * P + 2 * p + 1) * v.slots + s] = z.im[n];
    }
  }
}

template <class Adapter, class T, bool Thermal>
SPINNET_HDI typename Adapter::template Noise<T> slot_noise(const NetworkView<Adapter, T>& v, std::size_t s, int n,
                                                          const typename Adapter::template Coefficients<T>& c,
                                                          const typename Adapter::template State<T>& x) {
  constexpr int P = Adapter::noise_pairs;
  if constexpr (!Thermal) {
    return typename Adapter::template Noise<T>{};
  } else {
    NoisePairs<T, P> normal;
    SPINNET_UNROLL
    for (int p = 0; p < P; ++p) {
      normal.re[p] = v.noise[(static_cast<std::size_t>(n) * 2 * P + 2 * p) * v.slots + s];
      normal.im[p] = v.noise[(static_cast<std::size_t>(n) * 2 * P + 2 * p + 1) * v.slots + s];
    }
    return Adapter::template noise<T>(c, x, normal);
  }
}

/// The coupling field and circuit current of slot s at one stage, stored for the stage that uses them.
template <class Adapter, class T>
SPINNET_HDI void store_slot_field(const NetworkView<Adapter, T>& v, std::size_t s,
                                  const SoA<typename Adapter::template State<T>, T>& states) {
  CouplingVector<T, Adapter::dim> field;
  T extra = T(0);
  slot_field(v, s, states, field, extra);
  SPINNET_UNROLL
  for (int c = 0; c < Adapter::dim; ++c) v.field[static_cast<std::size_t>(c) * v.slots + s] = field.v[c];
  v.extra_current[s] = extra;
}

/// The predictor of slot s at `step` (its field stored by store_slot_field).
template <class Adapter, class T, bool Thermal, bool Inputs>
SPINNET_HDI void predict_slot(const NetworkView<Adapter, T>& v, std::size_t s, std::uint64_t step, int n) {
  const auto c = v.coefficients.load(s);
  const auto x = v.state.load(s);
  DriveSample<T> now{T(0), T(0), T(0), T(0), T(0)}, next{T(0), T(0), T(0), T(0), T(0)};
  if constexpr (Inputs) {
    now = drive_sample(v.drive, s, step);
    next = drive_sample(v.drive, s, step + 1);
  }
  CouplingVector<T, Adapter::dim> field;
  SPINNET_UNROLL
  for (int k = 0; k < Adapter::dim; ++k) field.v[k] = v.field[static_cast<std::size_t>(k) * v.slots + s];
  const auto k1 = Adapter::template derivative<T>(c, x, field, v.extra_current[s], now, slot_noise<Adapter, T, Thermal>(v, s, n, c, x));
  const auto predicted = Adapter::template advance<T>(x, v.context.dt, k1);
  v.slope.store(s, k1);
  v.predicted.store(s, predicted);
  v.emission[s] = Adapter::template emission<T>(c, predicted, c.current + next.current);
}

/// The corrector of slot s: the new state, its sample added to the sums, the emission, the trace.
/// Returns the emitted signal (for the network's summed signal).
template <class Adapter, class T, bool Thermal, bool Inputs>
SPINNET_HDI T correct_slot(const NetworkView<Adapter, T>& v, std::size_t s, std::uint64_t step, int n) {
  const auto c = v.coefficients.load(s);
  const auto x = v.state.load(s);
  DriveSample<T> next{T(0), T(0), T(0), T(0), T(0)};
  if constexpr (Inputs) next = drive_sample(v.drive, s, step + 1);
  CouplingVector<T, Adapter::dim> field;
  SPINNET_UNROLL
  for (int k = 0; k < Adapter::dim; ++k) field.v[k] = v.field[static_cast<std::size_t>(k) * v.slots + s];
  const T extra = v.extra_current[s];
  const auto out = correct<Adapter, T>(v.context, c, x, v.slope.load(s), v.predicted.load(s), field, extra, next,
                                       slot_noise<Adapter, T, Thermal>(v, s, n, c, x), v.status[s], v.failed_step[s],
                                       step, c.current + next.current + extra);
  v.state.store(s, out.state);
  auto sums = v.accumulators.load(s);
  accumulate<T>(sums, out.sample);  // engine/batch.hpp
  v.accumulators.store(s, sums);
  v.status[s] = out.status;
  v.failed_step[s] = out.failed_step;
  const T e = Adapter::template emission<T>(c, out.state, c.current + next.current);
  v.emission[s] = e;
  v.dc_level[s] += v.electrical.dc_rate * (e - v.dc_level[s]);
  if (v.trace_every != 0 && (step + 1) % v.trace_every == 0 && v.trace_column[s] >= 0) {
    const std::size_t at = static_cast<std::size_t>((step + 1) / v.trace_every - 1) * v.trace_columns + v.trace_column[s];
    v.trace_state.store(at, out.state);
    v.trace_signal[at] = out.signal;
  }
  return out.signal;
}

/// After the corrector of network g: its samples of the order parameter, phase locking and summed
/// signal (signal[s]: each slot's emitted signal at this step). Phasors are recomputed per pair
/// (the CPU keeps them in a scratch array instead).
template <class Adapter, class T>
SPINNET_HDI void observe_network(const NetworkView<Adapter, T>& v, std::size_t g, std::uint64_t step, const T* signal) {
  const std::uint64_t done = step + 1;
  const NetworkObservablesView& o = v.observed;
  if (o.signal_every != 0 && done % o.signal_every == 0) {
    double total = 0;
    for (std::uint32_t j = 0; j < v.size; ++j) total += static_cast<double>(signal[v.slot_of(g, j)]);
    o.signal_trace[static_cast<std::size_t>(done / o.signal_every - 1) * v.networks + g] = total;
  }
  if (o.order_every == 0 || done % o.order_every != 0) return;
  const auto phasor_of = [&](std::uint32_t j) {
    const std::size_t s = v.slot_of(g, j);
    return Adapter::template phasor<T>(v.context, v.coefficients.load(s), v.state.load(s));
  };
  double re = 0, im = 0;
  for (std::uint32_t j = 0; j < v.size; ++j) {
    const Phasor<T> z = phasor_of(j);
    re += static_cast<double>(z.cos);
    im += static_cast<double>(z.sin);
  }
  const double r = ::sqrt(re * re + im * im) / static_cast<double>(v.size);
  if (step >= v.context.transient_steps) {
    o.order_sum[g] += r;
    o.order_sum2[g] += r * r;
    ++o.order_samples[g];
    if (o.plv != nullptr) {
      double* pair = o.plv + g * static_cast<std::size_t>(v.size) * (v.size - 1);
      for (std::uint32_t j = 0; j < v.size; ++j) {
        const Phasor<T> a = phasor_of(j);
        for (std::uint32_t k = j + 1; k < v.size; ++k) {
          const Phasor<T> b = phasor_of(k);
          pair[0] += static_cast<double>(a.cos) * b.cos + static_cast<double>(a.sin) * b.sin;
          pair[1] += static_cast<double>(a.sin) * b.cos - static_cast<double>(a.cos) * b.sin;
          pair += 2;
        }
      }
    }
  }
  if (o.order_trace_every != 0 && done % o.order_trace_every == 0)
    o.order_trace[static_cast<std::size_t>(done / o.order_trace_every - 1) * v.networks + g] = r;
}

}  // namespace spinnet
