// CPU backend for any device model: OpenMP over blocks of W devices, and within a block one
// vectorized pass per step over the same host/device step function the CUDA kernel calls.
// Include from the model's src/<model>_cpu.cpp and instantiate cpu_advance<Model, T> there.
#pragma once

#include <cstdint>
#include <array>
#include <bit>
#include <cstring>
#include <tuple>
#include <utility>

#include "engine/host_batch.hpp"
#include "spinnet/engine/batch.hpp"

namespace spinnet::detail {

/// The state of W devices in local structure-of-arrays form: what the vectorized loop reads.
template <class Model, class T, std::size_t W>
struct LaneBlock {
  using View = BatchView<Model, T>;
  using Coefficients = typename View::Coefficients;
  using State = typename View::State;
  using Accumulators = typename View::Accumulators;
  static constexpr int K = member_count<Coefficients, T>;
  static constexpr int S = member_count<State, T>;
  static constexpr int A = member_count<Accumulators, double>;

  alignas(64) T coefficient[K][W];
  alignas(64) T state[S][W];
  alignas(64) double accumulator[A][W];
  alignas(64) std::uint32_t status[W];
  alignas(64) std::uint64_t failed_step[W];

  void load(const View& v, std::size_t base) {
    for (std::size_t l = 0; l < W; ++l) {
      for (int k = 0; k < K; ++k) coefficient[k][l] = v.coefficients.column[k][base + l];
      for (int k = 0; k < S; ++k) state[k][l] = v.state.column[k][base + l];
      for (int k = 0; k < A; ++k) accumulator[k][l] = v.accumulators.column[k][base + l];
      status[l] = v.status[base + l];
      failed_step[l] = v.failed_step[base + l];
    }
  }
  void store(const View& v, std::size_t base) const {
    for (std::size_t l = 0; l < W; ++l) {
      for (int k = 0; k < S; ++k) v.state.column[k][base + l] = state[k][l];
      for (int k = 0; k < A; ++k) v.accumulators.column[k][base + l] = accumulator[k][l];
      v.status[base + l] = status[l];
      v.failed_step[base + l] = failed_step[l];
    }
  }
};

/// Drive samples (DriveSample members as rows) of the W lanes starting at slot `base`, at one step:
/// tones outer, lanes inner, so that each loop over the lanes vectorizes.
template <class T, std::size_t W>
inline void drive_lanes(const DriveView<T>& drive, std::size_t base, std::uint64_t step, T (&out)[5][W]) {
  T cos_x[W] = {}, cos_y[W] = {}, cos_z[W] = {}, sin_x[W] = {}, current[W] = {};
  for (int k = 0; k < drive.vector_tones.count; ++k) {
    const std::size_t row = static_cast<std::size_t>(k) * drive.stride + base;
    const double* __restrict cycles = drive.vector_tones.cycles_per_step + row;
    const double* __restrict phase = drive.vector_tones.phase_cycles + row;
    const T* __restrict ax = drive.vector_tones.amplitude_x + row;
    const T* __restrict ay = drive.vector_tones.amplitude_y + row;
    const T* __restrict az = drive.vector_tones.amplitude_z + row;
#pragma omp simd
    for (std::size_t l = 0; l < W; ++l) {
      T c, s;
      tone_cos_sin<T>(cycles[l], phase[l], step, c, s);
      cos_x[l] += ax[l] * c;
      cos_y[l] += ay[l] * c;
      cos_z[l] += az[l] * c;
      sin_x[l] += ax[l] * s;
    }
  }
  if (drive.schedule.kind != ScheduleKind::none) {
    // The schedule point is the same for every lane: found once, the lane loop then vectorizes
    // (a reservoir's node currents are a schedule at every step).
    const SchedulePoint<T> point = schedule_point(drive.schedule, step);
#pragma omp simd
    for (std::size_t l = 0; l < W; ++l) current[l] += scheduled_current(drive.schedule, drive.stride, base + l, point);
  }
  for (int k = 0; k < drive.current_tones.count; ++k) {
    const std::size_t row = static_cast<std::size_t>(k) * drive.stride + base;
    const double* __restrict cycles = drive.current_tones.cycles_per_step + row;
    const double* __restrict phase = drive.current_tones.phase_cycles + row;
    const T* __restrict amplitude = drive.current_tones.amplitude_x + row;
#pragma omp simd
    for (std::size_t l = 0; l < W; ++l) {
      T c, s;
      tone_cos_sin<T>(cycles[l], phase[l], step, c, s);
      current[l] += amplitude[l] * c;
    }
  }
  for (std::size_t l = 0; l < W; ++l) {
    out[0][l] = cos_x[l];
    out[1][l] = cos_y[l];
    out[2][l] = cos_z[l];
    out[3][l] = sin_x[l];
    out[4][l] = current[l];
  }
}

/// The members of a model struct as a plain array (for __builtin_bit_cast, which needs no address).
template <class V, std::size_t N>
struct Values {
  V value[N];
};

// A device always sits in a full block of W lanes, so its arithmetic (and its result, bit for bit)
// does not depend on the batch it is in or on the thread count. Within a block, each step is one
// vectorized pass over the model's step function. The index packs spell out every member of the
// coefficient, state and sample structs, so that the loop body builds them by aggregate
// initialization and takes them apart with __builtin_bit_cast. Anything that takes a struct's
// address inside the loop (a reference parameter, a member pointer, std::bit_cast, std::array's
// operator[]) makes GCC keep it in memory lane by lane, and the loop then does not vectorize.
//
// A model whose noise the engine draws (noise_pairs_v<Model> = P > 0, batch.hpp) gets it from a
// separate vectorized pass over the block's lanes at the first of every three steps (and at the
// first step of a chunk), which fills three steps' normals from one Philox block per pair; the step
// loop then reads one third.
template <class Model, class T, bool Thermal, bool Inputs, std::size_t... kc, std::size_t... ks, std::size_t... ka,
          std::size_t... kn>
void advance_blocks(const BatchView<Model, T>& v, std::uint64_t step_begin, std::uint64_t step_end, int threads,
                    std::index_sequence<kc...>, std::index_sequence<ks...>, std::index_sequence<ka...>,
                    std::index_sequence<kn...>) {
  constexpr std::size_t W = simd_lanes<T>;
  using Block = LaneBlock<Model, T, W>;
  using Coefficients = typename Block::Coefficients;
  using State = typename Block::State;
  using Noise = StepNoise<Model, T>;
  constexpr int P = noise_pairs_v<Model>;
  constexpr bool engine_noise = Thermal && P > 0;
  const std::ptrdiff_t blocks = static_cast<std::ptrdiff_t>(v.count / W);
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
  for (std::ptrdiff_t b = 0; b < blocks; ++b) {
    const std::size_t base = static_cast<std::size_t>(b) * W;
    const StepContext<T> context = v.context;
    const DriveView<T> drive = v.drive;
    (void)drive;
    Block block;
    block.load(v, base);
    alignas(64) T signal[W];
    // Drive samples of the lanes at the start and the end of the step (members of DriveSample).
    alignas(64) T now[5][W] = {};
    alignas(64) T next[5][W] = {};
    // Engine-drawn noise (members of NoisePairs as rows) of the three steps of a Philox block.
    alignas(64) T noise[noise_steps_per_block][sizeof...(kn)][W] = {};
    if constexpr (Inputs) drive_lanes(drive, base, step_begin, now);
    for (std::uint64_t step = step_begin; step < step_end; ++step) {
      if constexpr (Inputs) drive_lanes(drive, base, step + 1, next);
      const std::uint64_t noise_block = step / noise_steps_per_block;
      const std::uint64_t noise_step = step - noise_block * noise_steps_per_block;
      if constexpr (engine_noise) {
        if (noise_step == 0 || step == step_begin) {
#pragma omp simd
          for (std::size_t l = 0; l < W; ++l) {
            auto drawn = draw_noise_block<T, P>(context, base + l, noise_block);
            const auto z0 = __builtin_bit_cast(Values<T, sizeof...(kn)>, drawn.step[0]);
            const auto z1 = __builtin_bit_cast(Values<T, sizeof...(kn)>, drawn.step[1]);
            const auto z2 = __builtin_bit_cast(Values<T, sizeof...(kn)>, drawn.step[2]);
            ((noise[0][kn][l] = z0.value[kn]), ...);
            ((noise[1][kn][l] = z1.value[kn]), ...);
            ((noise[2][kn][l] = z2.value[kn]), ...);
          }
        }
      }
      // This step's third, as a plain pointer: indexing the 3-D array with the step inside the lane
      // loop stops GCC from vectorizing it ("no vectype" for the load).
      const T* __restrict this_step = &noise[noise_step][0][0];
      (void)this_step;
#pragma omp simd
      for (std::size_t l = 0; l < W; ++l) {
        const auto out = call_step<Model, T, Thermal>(
            context, base + l, Coefficients{block.coefficient[kc][l]...}, State{block.state[ks][l]...},
            block.status[l], block.failed_step[l], step,
            DriveSample<T>{now[0][l], now[1][l], now[2][l], now[3][l], now[4][l]},
            DriveSample<T>{next[0][l], next[1][l], next[2][l], next[3][l], next[4][l]}, Noise{this_step[kn * W + l]...});
        const auto state = __builtin_bit_cast(Values<T, sizeof...(ks)>, out.state);
        const auto sample = __builtin_bit_cast(Values<T, sizeof...(ka)>, out.sample);
        ((block.state[ks][l] = state.value[ks]), ...);
        ((block.accumulator[ka][l] += sample.value[ka]), ...);
        block.status[l] = out.status;
        block.failed_step[l] = out.failed_step;
        signal[l] = out.signal;
      }
      if (v.trace_every != 0 && (step + 1) % v.trace_every == 0) {
        for (std::size_t l = 0; l < W; ++l) {
          record_trace(v, base + l, State{block.state[ks][l]...}, signal[l], step + 1);
        }
      }
      if constexpr (Inputs) std::memcpy(now, next, sizeof now);
    }
    block.store(v, base);
  }
}

template <class Model, class T, bool Thermal, bool Inputs>
void advance_blocks(const BatchView<Model, T>& v, std::uint64_t step_begin, std::uint64_t step_end, int threads) {
  using Block = LaneBlock<Model, T, simd_lanes<T>>;
  advance_blocks<Model, T, Thermal, Inputs>(v, step_begin, step_end, threads, std::make_index_sequence<Block::K>{},
                                            std::make_index_sequence<Block::S>{},
                                            std::make_index_sequence<Block::A>{},
                                            std::make_index_sequence<member_count<StepNoise<Model, T>, T>>{});
}

/// Advances every slot of the view from step_begin to step_end (view.count: whole SIMD blocks).
template <class Model, class T>
void cpu_advance(const BatchView<Model, T>& view, std::uint64_t step_begin, std::uint64_t step_end, bool thermal,
                 int threads) {
  const bool inputs = has_inputs(view.drive);
  if (thermal) {
    inputs ? advance_blocks<Model, T, true, true>(view, step_begin, step_end, threads)
           : advance_blocks<Model, T, true, false>(view, step_begin, step_end, threads);
  } else {
    inputs ? advance_blocks<Model, T, false, true>(view, step_begin, step_end, threads)
           : advance_blocks<Model, T, false, false>(view, step_begin, step_end, threads);
  }
}

}  // namespace spinnet::detail
