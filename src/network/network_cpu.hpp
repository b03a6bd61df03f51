// CPU backend of the coupled networks: the networks of a batch are cut into units of whole networks
// (or whole interleaved groups) that fit in a core's L2 cache; OpenMP runs units in parallel, each
// for a whole chunk of steps (temporal blocking: the unit's data stay in cache). One network larger
// than a unit, with fewer units than threads, is shared by the threads instead, with a barrier
// between the passes of a step. A pass is a loop over SIMD blocks of slots whose lane loop calls
// the same predict/correct/settle functions as the CUDA kernels (network_view.hpp) and vectorizes.
// Per-network sums run in oscillator order, so results do not depend on units, threads or batch.
#pragma once

#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <utility>

#include "engine/batch_cpu.hpp"
#include "network/network_batch.hpp"
#include "spinnet/network/network_view.hpp"

namespace spinnet::detail {

template <class S, class T, std::size_t... k>
SPINNET_INLINE S load_lane(const SoA<S, T>& soa, std::size_t i, std::index_sequence<k...>) {
  return S{soa.column[k][i]...};
}

template <class S, class T, std::size_t... k>
SPINNET_INLINE void store_values(const SoA<S, T>& soa, std::size_t i, const Values<T, sizeof...(k)> values,
                                 std::index_sequence<k...>) {
  ((soa.column[k][i] = values.value[k]), ...);
}

template <class Adapter, class T>
class NetworkCpuStepper {
 public:
  using View = NetworkView<Adapter, T>;
  using Coefficients = typename Adapter::template Coefficients<T>;
  using State = typename Adapter::template State<T>;
  using Sample = typename Adapter::template Sample<T>;
  using Noise = typename Adapter::template Noise<T>;
  using Vector = CouplingVector<T, Adapter::dim>;
  static constexpr int D = Adapter::dim;
  static constexpr int P = Adapter::noise_pairs;
  static constexpr std::size_t W = simd_lanes<T>;
  using CoefficientIndex = std::make_index_sequence<member_count<Coefficients, T>>;
  using StateIndex = std::make_index_sequence<member_count<State, T>>;
  using SampleIndex = std::make_index_sequence<member_count<Sample, T>>;
  static constexpr std::size_t NM = member_count<Noise, T>;  // members of the thermal term
  using NoiseIndex = std::make_index_sequence<NM>;

  explicit NetworkCpuStepper(const View& v) : v_(v) {}

  /// Noise of the three steps of Philox block `k` for the unit's slots (device_model.hpp keying).
  void draw_noise(const NetworkUnit& u, std::uint64_t k) const {
    for (std::size_t b = u.first_block; b < u.end_block; ++b) {
      const std::size_t base = b * W;
#pragma omp simd
      for (std::size_t l = 0; l < W; ++l) {
        const std::size_t s = base + l;
        const std::uint64_t network = v_.first_network + v_.network_of[s];
        SPINNET_UNROLL
        for (int p = 0; p < P; ++p) {
          ComplexNormal3<T> z = complex_normal3<T>(v_.context.seed, network_noise_id(network, v_.size, v_.local_of[s], P, p),
                                                   k, RandomStream::thermal);
          T* row = v_.noise + static_cast<std::size_t>(2 * p) * v_.slots + s;
          const std::size_t draw = static_cast<std::size_t>(2 * P) * v_.slots;  // between the three draws
          row[0] = z.re[0];
          row[v_.slots] = z.im[0];
          row[draw] = z.re[1];
          row[draw + v_.slots] = z.im[1];
          row[2 * draw] = z.re[2];
          row[2 * draw + v_.slots] = z.im[2];
        }
      }
    }
  }

  /// The per-network sums of the unit's networks at one stage. Contiguous networks are summed in
  /// eight double-precision partial sums (oscillator j into partial j % 8, then the partials in
  /// order): vectorized, and still one fixed order per network size, whatever the batch. Small
  /// interleaved networks are summed in oscillator order (network_sums, as the CUDA kernels do).
  void sums(const NetworkUnit& u, const SoA<State, T>& state_view) const {
    if (!v_.mean_field.enabled && !v_.electrical.enabled) return;
    if (v_.interleaved) {
      for (std::size_t g = u.first_network; g < u.end_network; ++g) network_sums(v_, g, state_view);
      return;
    }
    sums_contiguous(u, state_view, StateIndex{});
  }

  /// The coupling field and circuit current of blocks [b0, b1) at one stage.
  void fields(std::size_t b0, std::size_t b1, const SoA<State, T>& state_view) const {
    const View v = v_;  // a local copy: its pointers are loop invariants the vectorizer sees
    const SoA<State, T> states = state_view;
    for (std::size_t b = b0; b < b1; ++b) {
      const std::size_t base = b * W;
      alignas(64) T f[D][W] = {};
      for (int t = 0; t < v.sparse_count; ++t) {
        switch (v.sparse[t].kind) {
          case BlockKind::scalar: sparse_term<BlockKind::scalar>(v, v.sparse[t], base, states, f); break;
          case BlockKind::complex:
            if constexpr (D == 2) sparse_term<BlockKind::complex>(v, v.sparse[t], base, states, f);
            break;
          case BlockKind::full: sparse_term<BlockKind::full>(v, v.sparse[t], base, states, f); break;
        }
      }
      if (v.mean_field.enabled) {
        const int block = block_size(v.mean_field.kind, D);
        const bool complex = v.mean_field.kind == BlockKind::complex;
#pragma omp simd
        for (std::size_t l = 0; l < W; ++l) {
          const std::size_t s = base + l;
          const T* sum = v.sums + v.network_of[s] * (D + 1);
          const T* w = v.mean_field.weight + v.network_of[s] * block;
          const Vector own = Adapter::template output<T>(load_lane(states, s, StateIndex{}));
          const T keep = v.valid[s];
          if (complex) {
            const T o0 = sum[0] - own.v[0], o1 = sum[1] - own.v[1];
            f[0][l] += keep * (w[0] * o0 - w[1] * o1);
            f[1][l] += keep * (w[0] * o1 + w[1] * o0);
          } else {
            for (int c = 0; c < D; ++c) f[c][l] += keep * w[0] * (sum[c] - own.v[c]);
          }
        }
      }
      for (int c = 0; c < D; ++c) std::memcpy(v.field + static_cast<std::size_t>(c) * v.slots + base, f[c], sizeof f[c]);
      if (v.electrical.enabled) {
#pragma omp simd
        for (std::size_t l = 0; l < W; ++l) {
          const std::size_t s = base + l;
          const std::size_t g = v.network_of[s];
          v.extra_current[s] = v.electrical.gain[g] * (v.electrical.a[s] * v.sums[g * (D + 1) + D] +
                                                         v.electrical.b[s] * (v.emission[s] - v.dc_level[s]));
        }
      }
    }
  }

  /// Predictor of blocks [b0, b1) at `step` (noise of that step: draw n of the block).
  template <bool Thermal, bool Inputs>
  void predict_blocks(std::size_t b0, std::size_t b1, std::uint64_t step, int n) const {
    predict_blocks<Thermal, Inputs>(b0, b1, step, n, CoefficientIndex{}, StateIndex{}, std::make_index_sequence<D>{},
                                    std::make_index_sequence<2 * P>{}, NoiseIndex{});
  }

  /// Corrector of blocks [b0, b1): the new states, the sums of the observables, the emission.
  template <bool Thermal, bool Inputs>
  void correct_blocks(std::size_t b0, std::size_t b1, std::uint64_t step, int n) const {
    correct_blocks<Thermal, Inputs>(b0, b1, step, n, CoefficientIndex{}, StateIndex{}, SampleIndex{},
                                    std::make_index_sequence<D>{}, NoiseIndex{});
  }

  /// After the corrector of a whole unit: per-network samples of the order parameter, phase locking
  /// and summed signal.
  void observe(const NetworkUnit& u, std::uint64_t step) const {
    const std::uint64_t done = step + 1;
    const NetworkObservablesView& o = v_.observed;
    if (o.signal_every != 0 && done % o.signal_every == 0) {
      const std::size_t sample = static_cast<std::size_t>(done / o.signal_every - 1);
      for (std::size_t g = u.first_network; g < u.end_network; ++g) {
        double total = 0;
        for (std::uint32_t j = 0; j < v_.size; ++j) total += static_cast<double>(signal_scratch_[v_.slot_of(g, j)]);
        o.signal_trace[sample * v_.networks + g] = total;
      }
    }
    if (o.order_every == 0 || done % o.order_every != 0) return;
    const bool averaged = step >= v_.context.transient_steps;
    for (std::size_t g = u.first_network; g < u.end_network; ++g) {
      double re = 0, im = 0;
      phasors_.resize(2 * static_cast<std::size_t>(v_.size));
      for (std::uint32_t j = 0; j < v_.size; ++j) {
        const std::size_t s = v_.slot_of(g, j);
        const Phasor<T> z = Adapter::template phasor<T>(v_.context, v_.coefficients.load(s), v_.state.load(s));
        phasors_[2 * j] = static_cast<double>(z.cos);
        phasors_[2 * j + 1] = static_cast<double>(z.sin);
        re += phasors_[2 * j];
        im += phasors_[2 * j + 1];
      }
      const double r = std::sqrt(re * re + im * im) / static_cast<double>(v_.size);
      if (averaged) {
        o.order_sum[g] += r;
        o.order_sum2[g] += r * r;
        ++o.order_samples[g];
        if (o.plv != nullptr) {
          double* pair = o.plv + g * static_cast<std::size_t>(v_.size) * (v_.size - 1);
          for (std::uint32_t j = 0; j < v_.size; ++j)
            for (std::uint32_t k = j + 1; k < v_.size; ++k) {
              // e^{i phi_j} e^{-i phi_k}
              const double cj = phasors_[2 * j], sj = phasors_[2 * j + 1], ck = phasors_[2 * k], sk = phasors_[2 * k + 1];
              pair[0] += cj * ck + sj * sk;
              pair[1] += sj * ck - cj * sk;
              pair += 2;
            }
        }
      }
      if (o.order_trace_every != 0 && done % o.order_trace_every == 0)
        o.order_trace[static_cast<std::size_t>(done / o.order_trace_every - 1) * v_.networks + g] = r;
    }
  }

  void set_signal_scratch(T* scratch) { signal_scratch_ = scratch; }

 private:
  /// field[c][l] += keep[l] (W_l out_l)_c over the lanes, from the partners' states part[k][l] and
  /// the weights weight[c][l] of one block, both copied into local arrays first: the lane loop then
  /// reads only aligned locals, which GCC vectorizes (a gather or a load through a column pointer in
  /// the loop stops it).
  template <BlockKind Kind, std::size_t... ks>
  static SPINNET_INLINE void block_field(const T (&part)[member_count<State, T>][W], const T (*weight)[W],
                                         const T (&keep)[W], T (&f)[D][W], std::index_sequence<ks...>) {
#pragma omp simd
    for (std::size_t l = 0; l < W; ++l) {
      const auto add = block_times<Kind>(&weight[0][l], W, Adapter::template output<T>(State{part[ks][l]...}));
      for (int c = 0; c < D; ++c) f[c][l] += keep[l] * add.v[c];
    }
  }

  /// part[k][l] = state k of slot base + l + offset[l]: a vectorized gather.
  template <std::size_t... ks>
  static SPINNET_INLINE void gather_partners(const SoA<State, T>& states, std::size_t base, const std::int32_t* offset,
                                             T (&part)[member_count<State, T>][W], std::index_sequence<ks...>) {
    const T* col[] = {states.column[ks]...};
    const std::int32_t first = static_cast<std::int32_t>(base);
#pragma omp simd
    for (std::size_t l = 0; l < W; ++l) {
      const std::int32_t partner = first + static_cast<std::int32_t>(l) + offset[l];
      ((part[ks][l] = col[ks][partner]), ...);
    }
  }

  /// One sparse term's contribution to the fields of the block at `base`. The layout decides which
  /// indices are uniform across the lanes: contiguous (one network, consecutive oscillators: the
  /// offsets and weights of the lanes are consecutive; the partners are gathered, or, when every
  /// lane has the same offset (a lattice's interior), copied as one run) or interleaved (one
  /// oscillator j of consecutive networks: one offset for all lanes, the partners consecutive).
  template <BlockKind Kind>
  static void sparse_term(const View& v, const SparseCouplingView<T> term, std::size_t base, const SoA<State, T> states,
                          T (&f)[D][W]) {
    constexpr int block = Kind == BlockKind::scalar ? 1 : Kind == BlockKind::complex ? 2 : D * D;
    constexpr int S = member_count<State, T>;
    const std::size_t j0 = v.local_of[base];
    const std::size_t g0 = v.network_of[base];
    const std::size_t N = v.size;
    const std::size_t entries = static_cast<std::size_t>(term.width) * N;
    alignas(64) T keep[W];
    std::memcpy(keep, v.valid + base, sizeof keep);
    alignas(64) T part[S][W];
    alignas(64) T weight[block][W];
    for (int e = 0; e < term.width; ++e) {
      const std::size_t row = static_cast<std::size_t>(e) * N;
      const T* w = term.weight + g0 * term.network_stride + row + j0;
      if (!v.interleaved) {
        // Lane l is oscillator j0 + l of network g0 (the block does not straddle networks).
        const std::int32_t* offset = term.offset + row + j0;
        bool uniform = true;
        for (std::size_t l = 1; l < W; ++l) uniform = uniform && offset[l] == offset[0];
        if (uniform) {
          const std::size_t first = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(base) + offset[0]);
          for (int k = 0; k < S; ++k) std::memcpy(part[k], states.column[k] + first, sizeof part[k]);
        } else {
          gather_partners(states, base, offset, part, StateIndex{});
        }
        for (int c = 0; c < block; ++c) std::memcpy(weight[c], w + static_cast<std::size_t>(c) * entries, sizeof weight[c]);
      } else {
        // Lane l is oscillator j0 of network g0 + l: one offset, consecutive partners.
        const std::size_t first = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(base) + term.offset[row + j0]);
        for (int k = 0; k < S; ++k) std::memcpy(part[k], states.column[k] + first, sizeof part[k]);
        for (int c = 0; c < block; ++c)
          for (std::size_t l = 0; l < W; ++l) weight[c][l] = w[l * term.network_stride + static_cast<std::size_t>(c) * entries];
      }
      block_field<Kind>(part, weight, keep, f, StateIndex{});
    }
  }

  template <std::size_t... ks>
  void sums_contiguous(const NetworkUnit& u, const SoA<State, T>& state_view, std::index_sequence<ks...>) const {
    constexpr std::size_t L = 8;
    const View v = v_;
    const T* col[] = {state_view.column[ks]...};
    const bool mean = v.mean_field.enabled, electrical = v.electrical.enabled;
    for (std::size_t g = u.first_network; g < u.end_network; ++g) {
      const std::size_t base = g * v.network_stride;
      alignas(64) double partial[D + 1][L] = {};
      std::size_t j = 0;
      for (; j + L <= v.size; j += L) {
#pragma omp simd
        for (std::size_t l = 0; l < L; ++l) {
          const std::size_t s = base + j + l;
          if (mean) {
            const Vector out = Adapter::template output<T>(State{col[ks][s]...});
            for (int c = 0; c < D; ++c) partial[c][l] += static_cast<double>(out.v[c]);
          }
          if (electrical) partial[D][l] += static_cast<double>(v.electrical.c[s] * (v.emission[s] - v.dc_level[s]));
        }
      }
      for (std::size_t l = 0; j < v.size; ++j, ++l) {  // the last partial block, lane by lane
        const std::size_t s = base + j;
        if (mean) {
          const Vector out = Adapter::template output<T>(State{col[ks][s]...});
          for (int c = 0; c < D; ++c) partial[c][l] += static_cast<double>(out.v[c]);
        }
        if (electrical) partial[D][l] += static_cast<double>(v.electrical.c[s] * (v.emission[s] - v.dc_level[s]));
      }
      T* sums = v.sums + g * (D + 1);
      for (int c = 0; c <= D; ++c) {
        double total = 0;
        for (std::size_t l = 0; l < L; ++l) total += partial[c][l];
        sums[c] = static_cast<T>(total);
      }
    }
  }

  // The lane loops of the predictor and the corrector read and write local arrays of one block of
  // W slots (copied in and out around them), and build the model's structs from index packs, as
  // the batch engine's CPU loop does (engine/batch_cpu.hpp): GCC vectorizes them only then.
  template <class S>
  static SPINNET_INLINE void copy_in(const SoA<S, T>& soa, std::size_t base, T (*out)[W]) {
    for (int k = 0; k < member_count<S, T>; ++k) std::memcpy(out[k], soa.column[k] + base, sizeof(T) * W);
  }
  template <class S>
  static SPINNET_INLINE void copy_out(const SoA<S, T>& soa, std::size_t base, const T (*in)[W]) {
    for (int k = 0; k < member_count<S, T>; ++k) std::memcpy(soa.column[k] + base, in[k], sizeof(T) * W);
  }
  static SPINNET_INLINE void copy_noise(const View& v, int n, std::size_t base, T (*out)[W]) {
    for (int m = 0; m < 2 * P; ++m)
      std::memcpy(out[m], v.noise + (static_cast<std::size_t>(n) * 2 * P + static_cast<std::size_t>(m)) * v.slots + base,
                  sizeof(T) * W);
  }
  static SPINNET_INLINE void copy_field(const View& v, std::size_t base, T (*out)[W], T* extra) {
    for (int c = 0; c < D; ++c) std::memcpy(out[c], v.field + static_cast<std::size_t>(c) * v.slots + base, sizeof(T) * W);
    std::memcpy(extra, v.extra_current + base, sizeof(T) * W);
  }

  template <bool Thermal, bool Inputs, std::size_t... kc, std::size_t... ks, std::size_t... kd, std::size_t... kn,
            std::size_t... km>
  void predict_blocks(std::size_t b0, std::size_t b1, std::uint64_t step, int n, std::index_sequence<kc...>,
                      std::index_sequence<ks...>, std::index_sequence<kd...>, std::index_sequence<kn...>,
                      std::index_sequence<km...>) const {
    constexpr std::size_t K = sizeof...(kc), S = sizeof...(ks);
    const View v = v_;
    const StepContext<T> context = v.context;
    for (std::size_t b = b0; b < b1; ++b) {
      const std::size_t base = b * W;
      alignas(64) T now[5][W] = {};
      alignas(64) T next[5][W] = {};
      if constexpr (Inputs) {
        drive_lanes(v.drive, base, step, now);
        drive_lanes(v.drive, base, step + 1, next);
      }
      alignas(64) T coefficient[K][W], state[S][W], field[D][W], extra[W], normal[2 * P][W] = {};
      alignas(64) T slope[S][W], predicted[S][W], emission[W];
      copy_in(v.coefficients, base, coefficient);
      copy_in(v.state, base, state);
      copy_field(v, base, field, extra);
      if constexpr (Thermal) copy_noise(v, n, base, normal);
#pragma omp simd
      for (std::size_t l = 0; l < W; ++l) {
        const Coefficients c{coefficient[kc][l]...};
        const State x{state[ks][l]...};
        NoisePairs<T, P> pairs;
        (((kn % 2 == 0 ? pairs.re[kn / 2] : pairs.im[kn / 2]) = normal[kn][l]), ...);
        // The thermal term at the start of the step serves both stages: the corrector reads it back
        // from the noise buffer (rows 0 .. NM - 1 of this draw) instead of recomputing it.
        const auto z = __builtin_bit_cast(Values<T, NM>, Thermal ? Adapter::template noise<T>(c, x, pairs) : Noise{});
        const Noise noise{z.value[km]...};
        ((normal[km][l] = z.value[km]), ...);
        // A struct returned by an inlined call is either bit-cast or passed on, never both (GCC then
        // keeps it in memory lane by lane and the loop does not vectorize).
        const auto k = __builtin_bit_cast(
            Values<T, S>, Adapter::template derivative<T>(c, x, Vector{{field[kd][l]...}}, extra[l],
                                                          DriveSample<T>{now[0][l], now[1][l], now[2][l], now[3][l], now[4][l]},
                                                          noise));
        const auto p = __builtin_bit_cast(Values<T, S>, Adapter::template advance<T>(x, context.dt, State{k.value[ks]...}));
        ((slope[ks][l] = k.value[ks]), ...);
        ((predicted[ks][l] = p.value[ks]), ...);
        emission[l] = Adapter::template emission<T>(c, State{p.value[ks]...}, c.current + next[4][l]);
      }
      copy_out(v.slope, base, slope);
      copy_out(v.predicted, base, predicted);
      std::memcpy(v.emission + base, emission, sizeof emission);
      if constexpr (Thermal)
        for (std::size_t m = 0; m < NM; ++m)
          std::memcpy(v.noise + (static_cast<std::size_t>(n) * 2 * P + m) * v.slots + base, normal[m], sizeof(T) * W);
    }
  }

  template <bool Thermal, bool Inputs, std::size_t... kc, std::size_t... ks, std::size_t... ka, std::size_t... kd,
            std::size_t... km>
  void correct_blocks(std::size_t b0, std::size_t b1, std::uint64_t step, int n, std::index_sequence<kc...>,
                      std::index_sequence<ks...>, std::index_sequence<ka...>, std::index_sequence<kd...>,
                      std::index_sequence<km...>) const {
    constexpr std::size_t K = sizeof...(kc), S = sizeof...(ks), A = sizeof...(ka);
    const View v = v_;
    const StepContext<T> context = v.context;
    const T dc_rate = v.electrical.dc_rate;
    for (std::size_t b = b0; b < b1; ++b) {
      const std::size_t base = b * W;
      alignas(64) T next[5][W] = {};
      if constexpr (Inputs) drive_lanes(v.drive, base, step + 1, next);
      alignas(64) T coefficient[K][W], state[S][W], slope[S][W], predicted[S][W], field[D][W], extra[W],
          normal[2 * P][W] = {};
      alignas(64) T sample[A][W], signal[W], emission[W], dc[W];
      alignas(64) std::uint32_t status[W];
      alignas(64) std::uint64_t failed[W];
      copy_in(v.coefficients, base, coefficient);
      copy_in(v.state, base, state);
      copy_in(v.slope, base, slope);
      copy_in(v.predicted, base, predicted);
      copy_field(v, base, field, extra);
      if constexpr (Thermal) copy_noise(v, n, base, normal);
      std::memcpy(status, v.status + base, sizeof status);
      std::memcpy(failed, v.failed_step + base, sizeof failed);
      std::memcpy(dc, v.dc_level + base, sizeof dc);
#pragma omp simd
      for (std::size_t l = 0; l < W; ++l) {
        const Coefficients c{coefficient[kc][l]...};
        const State x{state[ks][l]...};
        const Noise noise{normal[km][l]...};  // the predictor's thermal term
        const auto out = correct<Adapter, T>(
            context, c, x, State{slope[ks][l]...}, State{predicted[ks][l]...}, Vector{{field[kd][l]...}}, extra[l],
            DriveSample<T>{next[0][l], next[1][l], next[2][l], next[3][l], next[4][l]}, noise, status[l], failed[l],
            step, c.current + next[4][l] + extra[l]);
        const auto x1 = __builtin_bit_cast(Values<T, S>, out.state);
        const auto a = __builtin_bit_cast(Values<T, A>, out.sample);
        ((state[ks][l] = x1.value[ks]), ...);
        ((sample[ka][l] = a.value[ka]), ...);
        status[l] = out.status;
        failed[l] = out.failed_step;
        signal[l] = out.signal;
        const T e = Adapter::template emission<T>(c, State{x1.value[ks]...}, c.current + next[4][l]);
        emission[l] = e;
        dc[l] += dc_rate * (e - dc[l]);
      }
      copy_out(v.state, base, state);
      for (std::size_t k = 0; k < A; ++k) {
        double* sum = v.accumulators.column[k] + base;
#pragma omp simd
        for (std::size_t l = 0; l < W; ++l) sum[l] += static_cast<double>(sample[k][l]);
      }
      std::memcpy(v.status + base, status, sizeof status);
      std::memcpy(v.failed_step + base, failed, sizeof failed);
      std::memcpy(v.emission + base, emission, sizeof emission);
      std::memcpy(v.dc_level + base, dc, sizeof dc);
      if (v.trace_every != 0 && (step + 1) % v.trace_every == 0) {
        for (std::size_t l = 0; l < W; ++l) {
          const int column = v.trace_column[base + l];
          if (column < 0) continue;
          const std::size_t at = static_cast<std::size_t>((step + 1) / v.trace_every - 1) * v.trace_columns + column;
          v.trace_state.store(at, v.state.load(base + l));
          v.trace_signal[at] = signal[l];
        }
      }
      if (v.observed.signal_every != 0 && (step + 1) % v.observed.signal_every == 0)
        std::memcpy(signal_scratch_ + base, signal, sizeof signal);
    }
  }

  const View& v_;
  T* signal_scratch_ = nullptr;
  mutable std::vector<double> phasors_;
};

/// Advances the whole batch from step_begin to step_end: units in parallel (or one large unit shared
/// by the threads, with a barrier between passes).
template <class Adapter, class T, bool Thermal, bool Inputs>
void cpu_advance_networks(HostNetworkBatch<Adapter, T>& batch, const std::vector<NetworkUnit>& units,
                          std::uint64_t step_begin, std::uint64_t step_end, int threads, std::vector<T>& scratch) {
  const auto& v = batch.view;
  const auto run_unit = [&](NetworkCpuStepper<Adapter, T>& stepper, const NetworkUnit& u) {
    for (std::uint64_t step = step_begin; step < step_end; ++step) {
      const std::uint64_t k = step / noise_steps_per_block;
      const int n = static_cast<int>(step - k * noise_steps_per_block);
      if constexpr (Thermal) {
        if (n == 0 || step == step_begin) stepper.draw_noise(u, k);
      }
      stepper.sums(u, v.state);
      stepper.fields(u.first_block, u.end_block, v.state);
      stepper.template predict_blocks<Thermal, Inputs>(u.first_block, u.end_block, step, n);
      stepper.sums(u, v.predicted);
      stepper.fields(u.first_block, u.end_block, v.predicted);
      stepper.template correct_blocks<Thermal, Inputs>(u.first_block, u.end_block, step, n);
      stepper.observe(u, step);
    }
  };
  const bool shared = units.size() < static_cast<std::size_t>(threads) &&
                      units.front().end_block - units.front().first_block >= 64 * static_cast<std::size_t>(threads);
  if (!shared) {
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) if (threads > 1 && units.size() > 1)
    for (std::size_t i = 0; i < units.size(); ++i) {
      NetworkCpuStepper<Adapter, T> stepper(v);
      stepper.set_signal_scratch(scratch.data());
      run_unit(stepper, units[i]);
    }
    return;
  }
  // Few large units: every pass of a step is shared by the threads (static split of the blocks, so
  // that each block is computed by one thread in a fixed way), the sums and observables by one.
  for (const NetworkUnit& u : units) {
#pragma omp parallel num_threads(threads)
    {
      NetworkCpuStepper<Adapter, T> stepper(v);
      stepper.set_signal_scratch(scratch.data());
      const std::size_t blocks = u.end_block - u.first_block;
      const std::size_t t = static_cast<std::size_t>(omp_get_thread_num());
      const std::size_t count = static_cast<std::size_t>(omp_get_num_threads());
      const std::size_t b0 = u.first_block + blocks * t / count, b1 = u.first_block + blocks * (t + 1) / count;
      NetworkUnit mine = u;
      mine.first_block = b0;
      mine.end_block = b1;
      for (std::uint64_t step = step_begin; step < step_end; ++step) {
        const std::uint64_t k = step / noise_steps_per_block;
        const int n = static_cast<int>(step - k * noise_steps_per_block);
        if constexpr (Thermal) {
          if (n == 0 || step == step_begin) stepper.draw_noise(mine, k);
        }
#pragma omp barrier
#pragma omp single
        stepper.sums(u, v.state);
        stepper.fields(b0, b1, v.state);
#pragma omp barrier
        stepper.template predict_blocks<Thermal, Inputs>(b0, b1, step, n);
#pragma omp barrier
#pragma omp single
        stepper.sums(u, v.predicted);
        stepper.fields(b0, b1, v.predicted);
#pragma omp barrier
        stepper.template correct_blocks<Thermal, Inputs>(b0, b1, step, n);
#pragma omp barrier
#pragma omp single
        stepper.observe(u, step);
      }
    }
  }
}

}  // namespace spinnet::detail
