// CPU backend of the macrospin engine: OpenMP over SIMD blocks of devices.
#pragma once

#include <cstdint>

#include "spinnet/macrospin_batch.hpp"

namespace spinnet::detail {

/// Advances every slot of the view from step_begin to step_end. view.count must be a multiple of
/// simd_lanes<T>.
template <class T>
void cpu_advance(const MacrospinBatchView<T>& view, std::uint64_t step_begin, std::uint64_t step_end, bool thermal,
                 int threads);

}  // namespace spinnet::detail
