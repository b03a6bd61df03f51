// Counter-based normal draws: Philox4x32-10 (Salmon et al., SC'11; Random123) keyed by the 64-bit
// master seed, with the counter (step, global device id, stream). A device's noise depends only on
// who it is and when, never on batch layout, thread count, backend or shard.
#pragma once

#include <cstdint>

#include "spinnet/core/fast_math.hpp"
#include "spinnet/core/hostdevice.hpp"
#include "spinnet/core/vec3.hpp"

namespace spinnet {

/// Independent random streams of one device. A new use of randomness takes a new stream.
enum class RandomStream : std::uint32_t {
  thermal = 0,      // Brown thermal field, one draw per integration step
  variability = 1,  // per-device parameter sampling (draw index = parameter slot)
  initial = 2,      // random initial states
  augmentation = 3, // training-data augmentation (device id = sample index, counter = epoch)
  reservoir = 4,    // reservoir computing: input masks, software-reservoir weights, task inputs and
                    // cross-validation folds (device id = what is drawn, counter = its entry)
};

/// Philox4x32-10 (Salmon, Moraes, Dror and Shaw, "Parallel random numbers: as easy as 1, 2, 3",
/// SC'11): ten rounds of two 32 x 32 -> 64-bit products, bit for bit the generator of Random123's
/// r123::Philox4x32 (tests/test_reproducibility.cpp compares the two).
struct PhiloxWords {
  std::uint32_t w0, w1, w2, w3;
};

SPINNET_HDI PhiloxWords philox4x32_10(std::uint32_t c0, std::uint32_t c1, std::uint32_t c2, std::uint32_t c3,
                                      std::uint32_t k0, std::uint32_t k1) {
  constexpr std::uint32_t multiplier0 = 0xD2511F53u, multiplier1 = 0xCD9E8D57u;
  constexpr std::uint32_t weyl0 = 0x9E3779B9u, weyl1 = 0xBB67AE85u;  // key schedule (golden ratio, sqrt(3) - 1)
#if defined(__CUDA_ARCH__)
  SPINNET_UNROLL
  for (int round = 0; round < 10; ++round) {
    const std::uint32_t hi0 = __umulhi(multiplier0, c0), lo0 = multiplier0 * c0;
    const std::uint32_t hi1 = __umulhi(multiplier1, c2), lo1 = multiplier1 * c2;
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
    k0 += weyl0;
    k1 += weyl1;
  }
  return {c0, c1, c2, c3};
#else
  // The words ride in the low halves of 64-bit integers whose high halves are don't-care (they are
  // masked off before each product and when the words are returned). Across SIMD lanes GCC then
  // multiplies 8 lanes per AVX-512 instruction with no widening or permutes, about twice as fast as
  // the textbook uint64_t(a) * b on 32-bit lanes (bench/RESULTS.md).
  std::uint64_t x0 = c0, x1 = c1, x2 = c2, x3 = c3;
  std::uint64_t key0 = k0, key1 = k1;
  SPINNET_UNROLL
  for (int round = 0; round < 10; ++round) {
    const std::uint64_t product0 = (x0 & 0xffffffffu) * multiplier0;
    const std::uint64_t product1 = (x2 & 0xffffffffu) * multiplier1;
    x0 = (product1 >> 32) ^ x1 ^ key0;
    x1 = product1;
    x2 = (product0 >> 32) ^ x3 ^ key1;
    x3 = product0;
    key0 += weyl0;
    key1 += weyl1;
  }
  return {static_cast<std::uint32_t>(x0), static_cast<std::uint32_t>(x1), static_cast<std::uint32_t>(x2),
          static_cast<std::uint32_t>(x3)};
#endif
}

/// Four raw 32-bit words for (seed, device, counter, stream): the counter is (counter: 2 words,
/// device id, stream), the key the 64-bit seed.
SPINNET_HDI PhiloxWords philox_words(std::uint64_t seed, std::uint32_t device_id, std::uint64_t counter,
                                     RandomStream stream) {
  return philox4x32_10(static_cast<std::uint32_t>(counter), static_cast<std::uint32_t>(counter >> 32), device_id,
                       static_cast<std::uint32_t>(stream), static_cast<std::uint32_t>(seed),
                       static_cast<std::uint32_t>(seed >> 32));
}

/// Uniform in the open interval (0, 1) from 32 random bits; exact in float and double.
template <class T>
SPINNET_HDI T open_uniform(std::uint32_t word) {
  // 23 random bits, centred in their bin: (2k + 1) / 2^24, k < 2^23.
  return static_cast<T>(static_cast<std::int32_t>(((word >> 9) << 1) | 1u)) * static_cast<T>(5.9604644775390625e-8);
}

/// (cos theta, sin theta) of an angle uniform on the circle, from a Bits-bit random integer a: the
/// top two bits pick the quarter turn q, the other Bits - 2 bits, centred in their bins, an angle x
/// in (-pi/4, pi/4); theta = q pi/2 + x. The quarter turn is applied by swapping and negating, so
/// only the octant polynomials are evaluated (no range reduction).
template <class T, int Bits>
SPINNET_HDI void uniform_phasor(std::uint32_t a, T& c, T& s) {
  static_assert(Bits > 2 && Bits <= 24);
  constexpr std::uint32_t mask = (1u << (Bits - 2)) - 1u;
  // x = (pi/2) ((2k + 1) / 2^(Bits - 1) - 1/2), k < 2^(Bits - 2).
  constexpr double scale = 1.5707963267948966192 / static_cast<double>(1u << (Bits - 1));
  const T x = static_cast<T>(static_cast<std::int32_t>(((a & mask) << 1) | 1u)) * static_cast<T>(scale) -
              static_cast<T>(0.78539816339744830962);
  T sx, cx;
  fast::sincos_octant(x, sx, cx);
  const std::uint32_t q = (a >> (Bits - 2)) & 3u;
  const bool swap = (q & 1u) != 0;  // q = 1: (-sin x, cos x); q = 3: (sin x, -cos x)
  const T p = swap ? sx : cx;
  const T r = swap ? cx : sx;
  c = ((q + 1u) & 2u) != 0 ? -p : p;  // cosine negative for q = 1, 2
  s = (q & 2u) != 0 ? -r : r;         // sine negative for q = 2, 3
}

/// Box-Muller pair from two words (G. E. P. Box and M. E. Muller, Ann. Math. Stat. 29, 610 (1958)):
/// radius sqrt(-2 ln u) from word 0, a uniform angle from word 1.
template <class T>
SPINNET_HDI void box_muller(std::uint32_t w0, std::uint32_t w1, T& n0, T& n1) {
  const T radius = fast::sqrt(static_cast<T>(-2) * fast::log(open_uniform<T>(w0)));
  T c, s;
  uniform_phasor<T, 23>(w1 >> 9, c, s);
  n0 = radius * c;
  n1 = radius * s;
}

/// Two independent N(0, 1) numbers from one Philox block.
template <class T>
SPINNET_HDI void normal2(std::uint64_t seed, std::uint32_t device_id, std::uint64_t counter, RandomStream stream,
                         T& n0, T& n1) {
  auto w = philox_words(seed, device_id, counter, stream);
  box_muller<T>(w.w0, w.w1, n0, n1);
}

/// Three independent complex normals z = re + i im (re, im independent N(0, 1)) from one Philox
/// block of words w0..w3: z_j = sqrt(-2 ln u_j) (cos theta_j + i sin theta_j) with u_j from the top
/// 23 bits of w_j (as in box_muller) and theta_j from 19 bits: the low 9 bits of w_j above bits
/// 10 j .. 10 j + 9 of w3. All 128 bits but two are used; the angle resolution 2 pi / 2^19 = 1.2e-5
/// rad is far below anything a test or a physical observable resolves.
template <class T>
struct ComplexNormal3 {
  T re[3];
  T im[3];
};

template <class T>
SPINNET_HDI ComplexNormal3<T> complex_normal3(std::uint64_t seed, std::uint32_t device_id, std::uint64_t counter,
                                              RandomStream stream) {
  auto w = philox_words(seed, device_id, counter, stream);
  const std::uint32_t radius_word[3] = {w.w0, w.w1, w.w2};
  ComplexNormal3<T> z;
  SPINNET_UNROLL
  for (int j = 0; j < 3; ++j) {
    const T radius = fast::sqrt(static_cast<T>(-2) * fast::log(open_uniform<T>(radius_word[j])));
    const std::uint32_t angle = ((radius_word[j] & 0x1ffu) << 10) | ((w.w3 >> (10 * j)) & 0x3ffu);
    T c, s;
    uniform_phasor<T, 19>(angle, c, s);
    z.re[j] = radius * c;
    z.im[j] = radius * s;
  }
  return z;
}

/// Three independent N(0, 1) numbers (the fourth Box-Muller output is discarded so that each draw
/// is one Philox block: draws stay addressable by counter alone).
template <class T>
SPINNET_HDI Vec3<T> normal3(std::uint64_t seed, std::uint32_t device_id, std::uint64_t counter, RandomStream stream) {
  auto w = philox_words(seed, device_id, counter, stream);
  Vec3<T> n;
  T unused;
  box_muller<T>(w.w0, w.w1, n.x, n.y);
  box_muller<T>(w.w2, w.w3, n.z, unused);
  return n;
}

}  // namespace spinnet
