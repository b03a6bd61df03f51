// Counter-based normal draws: Philox4x32-10 (Salmon et al., SC'11; Random123) keyed by the 64-bit
// master seed, with the counter (step, global device id, stream). A device's noise depends only on
// who it is and when, never on batch layout, thread count, backend or shard.
#pragma once

#include <Random123/philox.h>

#include <cstdint>

#include "spinnet/fast_math.hpp"
#include "spinnet/hostdevice.hpp"
#include "spinnet/vec3.hpp"

namespace spinnet {

/// Independent random streams of one device. A new use of randomness takes a new stream.
enum class RandomStream : std::uint32_t {
  thermal = 0,      // Brown thermal field, one draw per integration step
  variability = 1,  // per-device parameter sampling (draw index = parameter slot)
  initial = 2,      // random initial states
};

/// Four raw 32-bit words for (seed, device, counter, stream).
SPINNET_HDI r123::Philox4x32::ctr_type philox_words(std::uint64_t seed, std::uint32_t device_id, std::uint64_t counter,
                                                    RandomStream stream) {
  r123::Philox4x32 rng;
  const r123::Philox4x32::ctr_type ctr = {{static_cast<std::uint32_t>(counter),
                                           static_cast<std::uint32_t>(counter >> 32), device_id,
                                           static_cast<std::uint32_t>(stream)}};
  const r123::Philox4x32::key_type key = {{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
  return rng(ctr, key);
}

/// Uniform in the open interval (0, 1) from 32 random bits; exact in float and double.
template <class T>
SPINNET_HDI T open_uniform(std::uint32_t word) {
  // 23 random bits, centred in their bin: (2k + 1) / 2^24, k < 2^23.
  return static_cast<T>(static_cast<std::int32_t>(((word >> 9) << 1) | 1u)) * static_cast<T>(5.9604644775390625e-8);
}

/// Box-Muller pair from two words (G. E. P. Box and M. E. Muller, Ann. Math. Stat. 29, 610 (1958)).
template <class T>
SPINNET_HDI void box_muller(std::uint32_t w0, std::uint32_t w1, T& n0, T& n1) {
  const T radius = fast::sqrt(static_cast<T>(-2) * fast::log(open_uniform<T>(w0)));
  T s, c;
  fast::sincos_two_pi(open_uniform<T>(w1), s, c);
  n0 = radius * c;
  n1 = radius * s;
}

/// Two independent N(0, 1) numbers from one Philox block.
template <class T>
SPINNET_HDI void normal2(std::uint64_t seed, std::uint32_t device_id, std::uint64_t counter, RandomStream stream,
                         T& n0, T& n1) {
  const auto w = philox_words(seed, device_id, counter, stream);
  box_muller<T>(w[0], w[1], n0, n1);
}

/// Three independent N(0, 1) numbers (the fourth Box-Muller output is discarded so that each draw
/// is one Philox block: draws stay addressable by counter alone).
template <class T>
SPINNET_HDI Vec3<T> normal3(std::uint64_t seed, std::uint32_t device_id, std::uint64_t counter, RandomStream stream) {
  const auto w = philox_words(seed, device_id, counter, stream);
  Vec3<T> n;
  T unused;
  box_muller<T>(w[0], w[1], n.x, n.y);
  box_muller<T>(w[2], w[3], n.z, unused);
  return n;
}

}  // namespace spinnet
