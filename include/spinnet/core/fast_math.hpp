// Elementary functions for the inner loops, written so that the same code runs on the CPU (where
// the compiler vectorizes it across devices: no calls into libm) and on CUDA.
//
// float: Cephes-style minimax polynomials (S. L. Moshier, "Methods and Programs for Mathematical
// Functions", 1989), accurate to a few float ulp over the ranges used here. double: the platform's
// libm / CUDA math library (the float64 path favours accuracy over vectorization).
#pragma once

#include <cmath>
#include <cstdint>

#include "spinnet/core/hostdevice.hpp"

namespace spinnet::fast {

SPINNET_HDI std::int32_t float_bits(float x) {
#if defined(__CUDA_ARCH__)
  return __float_as_int(x);
#else
  return __builtin_bit_cast(std::int32_t, x);
#endif
}
SPINNET_HDI float bits_float(std::int32_t b) {
#if defined(__CUDA_ARCH__)
  return __int_as_float(b);
#else
  return __builtin_bit_cast(float, b);
#endif
}

/// Natural logarithm of a positive, normal float (Cephes logf).
SPINNET_HDI float log(float x) {
  const std::int32_t bits = float_bits(x);
  float e = static_cast<float>(((bits >> 23) & 0xff) - 126);
  float f = bits_float((bits & 0x007fffff) | 0x3f000000);  // mantissa in [0.5, 1)
  const bool small = f < 0.707106781186547524f;
  e = small ? e - 1.0f : e;
  f = small ? (f + f - 1.0f) : (f - 1.0f);
  const float z = f * f;
  float y = 7.0376836292e-2f;
  y = y * f - 1.1514610310e-1f;
  y = y * f + 1.1676998740e-1f;
  y = y * f - 1.2420140846e-1f;
  y = y * f + 1.4249322787e-1f;
  y = y * f - 1.6668057665e-1f;
  y = y * f + 2.0000714765e-1f;
  y = y * f - 2.4999993993e-1f;
  y = y * f + 3.3333331174e-1f;
  y = y * f * z;
  y += -2.12194440e-4f * e;
  y += -0.5f * z;
  return f + y + 0.693359375f * e;
}

SPINNET_HDI double log(double x) { return ::log(x); }

/// sin x and cos x for |x| <= pi/4: the Cephes sinf/cosf polynomials.
SPINNET_HDI void sincos_octant(float x, float& s, float& c) {
  const float z = x * x;
  s = ((-1.9515295891e-4f * z + 8.3321608736e-3f) * z - 1.6666654611e-1f) * z * x + x;
  c = ((2.443315711809948e-5f * z - 1.388731625493765e-3f) * z + 4.166664568298827e-2f) * z * z - 0.5f * z + 1.0f;
}

SPINNET_HDI void sincos_octant(double x, double& s, double& c) {
  s = ::sin(x);
  c = ::cos(x);
}

/// sin(2 pi v) and cos(2 pi v) for v in [0, 1]: quarter-turn reduction, then Cephes sinf/cosf
/// polynomials on [-pi/4, pi/4].
SPINNET_HDI void sincos_two_pi(float v, float& s, float& c) {
  const float k = static_cast<float>(static_cast<int>(4.0f * v + 0.5f));  // nearest quarter turn
  const float x = 6.28318530717958647692f * (v - 0.25f * k);              // |x| <= pi/4
  float sp, cp;
  sincos_octant(x, sp, cp);
  const int q = static_cast<int>(k) & 3;
  s = q == 0 ? sp : (q == 1 ? cp : (q == 2 ? -sp : -cp));
  c = q == 0 ? cp : (q == 1 ? -sp : (q == 2 ? -cp : sp));
}

SPINNET_HDI void sincos_two_pi(double v, double& s, double& c) {
#if defined(__CUDA_ARCH__)
  ::sincospi(2.0 * v, &s, &c);
#else
  const double x = 6.283185307179586476925286766559 * v;
  s = ::sin(x);
  c = ::cos(x);
#endif
}

/// atan2(y, x) in (-pi, pi] (Cephes atanf core, range-reduced with tan(pi/8), tan(3pi/8)).
SPINNET_HDI float atan2(float y, float x) {
  const float ax = x < 0.0f ? -x : x;
  const float ay = y < 0.0f ? -y : y;
  const float big = ax > ay ? ax : ay;
  const float small = ax > ay ? ay : ax;
  // t = small / big in [0, 1], reduced to (t - 1) / (t + 1) = (small - big) / (small + big) above
  // tan(pi/8): numerator and denominator are chosen first, so that one division serves both.
  const bool reduce = small > 0.4142135623730950f * big;
  const float offset = reduce ? 0.78539816339744830962f : 0.0f;
  const float numerator = reduce ? small - big : small;
  const float denominator = reduce ? small + big : big;
  const float t = big > 0.0f ? numerator / denominator : 0.0f;
  const float z = t * t;
  float r = (((8.05374449538e-2f * z - 1.38776856032e-1f) * z + 1.99777106478e-1f) * z - 3.33329491539e-1f) * z * t +
            t + offset;
  r = ay > ax ? 1.57079632679489661923f - r : r;
  r = x < 0.0f ? 3.14159265358979323846f - r : r;
  return y < 0.0f ? -r : r;
}

SPINNET_HDI double atan2(double y, double x) { return ::atan2(y, x); }

SPINNET_HDI float sqrt(float x) { return ::sqrtf(x); }
SPINNET_HDI double sqrt(double x) { return ::sqrt(x); }

SPINNET_HDI bool is_finite(float x) { return (float_bits(x) & 0x7f800000) != 0x7f800000; }
SPINNET_HDI bool is_finite(double x) { return x - x == 0.0; }

}  // namespace spinnet::fast
