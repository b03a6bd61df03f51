// The reservoir's random draws: Philox (core/random.hpp) on the stream RandomStream::reservoir,
// keyed by the seed, with the kind of draw as the device id and its entry as the counter, so each
// mask entry, weight or task input is addressable and independent of how it is computed.
#pragma once

#include <cmath>
#include <cstdint>
#include <numeric>
#include <vector>

#include "spinnet/core/random.hpp"

namespace spinnet {

enum class ReservoirDraw : std::uint32_t {
  mask = 0,         // input mask entry (node * channels + channel)
  esn_weights = 1,  // echo-state network recurrent weights
  esn_inputs = 2,   // its input weights
  esn_bias = 3,     // its biases
  task_input = 4,   // inputs of the synthetic tasks (memory, NARMA-10, sine/square)
  folds = 5,        // cross-validation fold assignment
};

/// Uniform in (0, 1) with 53 random bits.
inline double reservoir_uniform(std::uint64_t seed, ReservoirDraw what, std::uint64_t index) {
  const PhiloxWords w = philox_words(seed, static_cast<std::uint32_t>(what), index, RandomStream::reservoir);
  const double high = static_cast<double>(w.w0 >> 5), low = static_cast<double>(w.w1 >> 6);
  return (high * 67108864.0 + low + 0.5) * (1.0 / 9007199254740992.0);
}

/// N(0, 1) by Box-Muller from two 53-bit uniforms of consecutive counters 2 index, 2 index + 1.
inline double reservoir_normal(std::uint64_t seed, ReservoirDraw what, std::uint64_t index) {
  const double u = reservoir_uniform(seed, what, 2 * index), v = reservoir_uniform(seed, what, 2 * index + 1);
  return std::sqrt(-2 * std::log(u)) * std::cos(6.283185307179586 * v);
}

/// A permutation of 0 .. n - 1 (Fisher-Yates with the draws above).
inline std::vector<std::size_t> reservoir_permutation(std::size_t n, std::uint64_t seed, ReservoirDraw what) {
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  for (std::size_t i = n; i > 1; --i) {
    const auto j = static_cast<std::size_t>(reservoir_uniform(seed, what, i) * static_cast<double>(i));
    std::swap(order[i - 1], order[j < i ? j : i - 1]);
  }
  return order;
}

}  // namespace spinnet
