#include "macrospin_cpu.hpp"

#include "macrospin_host_batch.hpp"

namespace spinnet::detail {
namespace {

/// The state of W devices in local structure-of-arrays form: what the vectorized loop reads.
template <class T, std::size_t W>
struct LaneBlock {
#define SPINNET_DECLARE_LANES(name) alignas(64) T name[W];
  SPINNET_MACROSPIN_COEFFICIENTS(SPINNET_DECLARE_LANES)
#undef SPINNET_DECLARE_LANES
#define SPINNET_DECLARE_LANES(name) alignas(64) double acc_##name[W];
  SPINNET_MACROSPIN_ACCUMULATORS(SPINNET_DECLARE_LANES)
#undef SPINNET_DECLARE_LANES
  alignas(64) T mx[W], my[W], mz[W];
  alignas(64) std::uint32_t status[W];
  alignas(64) std::uint64_t failed_step[W];

  void load(const MacrospinBatchView<T>& v, std::size_t base) {
    for (std::size_t l = 0; l < W; ++l) {
      const std::size_t i = base + l;
#define SPINNET_LOAD(name) name[l] = v.coefficients.name[i];
      SPINNET_MACROSPIN_COEFFICIENTS(SPINNET_LOAD)
#undef SPINNET_LOAD
#define SPINNET_LOAD(name) acc_##name[l] = v.accumulators.name[i];
      SPINNET_MACROSPIN_ACCUMULATORS(SPINNET_LOAD)
#undef SPINNET_LOAD
      mx[l] = v.mx[i], my[l] = v.my[i], mz[l] = v.mz[i];
      status[l] = v.status[i];
      failed_step[l] = v.failed_step[i];
    }
  }

  void store(const MacrospinBatchView<T>& v, std::size_t base) const {
    for (std::size_t l = 0; l < W; ++l) {
      const std::size_t i = base + l;
#define SPINNET_STORE(name) v.accumulators.name[i] = acc_##name[l];
      SPINNET_MACROSPIN_ACCUMULATORS(SPINNET_STORE)
#undef SPINNET_STORE
      v.mx[i] = mx[l], v.my[i] = my[l], v.mz[i] = mz[l];
      v.status[i] = status[l];
      v.failed_step[i] = failed_step[l];
    }
  }
};

// Steps outer, devices inner: every step of a block of W devices is one vectorized pass over the
// same host/device step function the CUDA kernel uses. A device always sits in a full block, so
// its arithmetic (and its result, bit for bit) does not depend on the batch it is in.
template <class T, bool Thermal, bool Tones>
void advance_blocks(const MacrospinBatchView<T>& v, std::uint64_t step_begin, std::uint64_t step_end, int threads) {
  constexpr std::size_t W = simd_lanes<T>;
  const std::ptrdiff_t blocks = static_cast<std::ptrdiff_t>(v.count / W);
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
  for (std::ptrdiff_t b = 0; b < blocks; ++b) {
    const std::size_t base = static_cast<std::size_t>(b) * W;
    const StepContext<T> context = v.context;
    const ToneTableView<T> tones = v.tones;
    LaneBlock<T, W> block;
    block.load(v, base);
    for (std::uint64_t step = step_begin; step < step_end; ++step) {
#pragma omp simd
      for (std::size_t l = 0; l < W; ++l) {
        MacrospinCoefficients<T> c;
#define SPINNET_LANE(name) c.name = block.name[l];
        SPINNET_MACROSPIN_COEFFICIENTS(SPINNET_LANE)
#undef SPINNET_LANE
        MacrospinAccumulators acc;
#define SPINNET_LANE(name) acc.name = block.acc_##name[l];
        SPINNET_MACROSPIN_ACCUMULATORS(SPINNET_LANE)
#undef SPINNET_LANE
        Vec3<T> m{block.mx[l], block.my[l], block.mz[l]};
        std::uint32_t status = block.status[l];
        std::uint64_t failed = block.failed_step[l];
        macrospin_step<T, Thermal, Tones>(context, tones, base + l, c, m, acc, status, failed, step);
        block.mx[l] = m.x;
        block.my[l] = m.y;
        block.mz[l] = m.z;
#define SPINNET_LANE(name) block.acc_##name[l] = acc.name;
        SPINNET_MACROSPIN_ACCUMULATORS(SPINNET_LANE)
#undef SPINNET_LANE
        block.status[l] = status;
        block.failed_step[l] = failed;
      }
      if (v.trace_every != 0 && (step + 1) % v.trace_every == 0) {
        for (std::size_t l = 0; l < W; ++l) {
          record_trace(v, base + l, Vec3<T>{block.mx[l], block.my[l], block.mz[l]}, step + 1);
        }
      }
    }
    block.store(v, base);
  }
}

}  // namespace

template <class T>
void cpu_advance(const MacrospinBatchView<T>& view, std::uint64_t step_begin, std::uint64_t step_end, bool thermal,
                 int threads) {
  const bool tones = view.tones.field_tones > 0 || view.tones.current_tones > 0;
  if (thermal) {
    tones ? advance_blocks<T, true, true>(view, step_begin, step_end, threads)
          : advance_blocks<T, true, false>(view, step_begin, step_end, threads);
  } else {
    tones ? advance_blocks<T, false, true>(view, step_begin, step_end, threads)
          : advance_blocks<T, false, false>(view, step_begin, step_end, threads);
  }
}

template void cpu_advance<float>(const MacrospinBatchView<float>&, std::uint64_t, std::uint64_t, bool, int);
template void cpu_advance<double>(const MacrospinBatchView<double>&, std::uint64_t, std::uint64_t, bool, int);

}  // namespace spinnet::detail
