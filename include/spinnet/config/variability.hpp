// Device-to-device variability: a parameter drawn from a distribution, per device instance, keyed
// by (master seed, global device id, parameter identity) through Philox on its own stream, so a
// device gets the same parameters whatever the batch size, backend, thread count or shard.
//
// Every draw is one Philox block turned into a 53-bit uniform u and mapped through the exact
// inverse CDF of the distribution (normal, truncated normal, lognormal, uniform). One block per
// (device, parameter) keeps draws addressable; the inverse CDF needs no rejection loop, so a
// truncated normal with any bounds costs the same and cannot hang.
#pragma once

#include <cmath>
#include <cstdint>
#include <string_view>

#include "spinnet/core/random.hpp"

namespace spinnet {

enum class DistributionKind { normal, truncated_normal, lognormal, uniform, lorentzian };

/// A distribution in the units of the config key it describes. Normal and truncated normal:
/// N(mean, std^2) (truncated to [min, max]); lognormal: ln X ~ N(mu, sigma^2); uniform: U[min, max];
/// Lorentzian (Cauchy) of center `mean` and half-width `std`, truncated to [min, max] (its tails
/// would otherwise reach any value: inhomogeneous line broadening, the Kuramoto model's frequencies).
struct Distribution {
  DistributionKind kind = DistributionKind::normal;
  double mean = 0, std = 0;  // normal, truncated normal (of the parent normal)
  double mu = 0, sigma = 0;  // lognormal: mean and standard deviation of ln X
  double min = -INFINITY, max = INFINITY;  // truncated normal, uniform
};

/// 64-bit FNV-1a hash of a config path ("devices.Ms_kA_per_m"): the parameter's identity, used as
/// the Philox counter of its draws.
constexpr std::uint64_t parameter_identity(std::string_view path) {
  std::uint64_t h = 14695981039346656037ull;
  for (const char c : path) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

/// A uniform number in (0, 1) with 53 random bits, (k + 1/2) 2^-53, from two Philox words.
inline double variability_uniform(std::uint64_t seed, std::uint32_t device_id, std::uint64_t identity) {
  const auto w = philox_words(seed, device_id, identity, RandomStream::variability);
  const std::uint64_t bits = ((static_cast<std::uint64_t>(w.w0) << 32) | w.w1) >> 11;
  return (static_cast<double>(bits) + 0.5) * 0x1p-53;
}

/// Standard normal CDF Phi(x), accurate in the lower tail (erfc has no cancellation for x < 0).
inline double standard_normal_cdf(double x) { return 0.5 * std::erfc(-x * M_SQRT1_2); }

/// Phi^{-1}(p) for p in (0, 1): P. J. Acklam's rational approximation (relative error 1.15e-9)
/// refined by one Halley step on erfc, which brings it to double precision.
inline double standard_normal_quantile(double p) {
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                                 1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                 6.680131188771972e+01,  -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                 -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                 3.754408661907416e+00};
  constexpr double low = 0.02425;
  double x;
  if (p < low) {
    const double q = std::sqrt(-2 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - low) {
    const double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const double q = std::sqrt(-2 * std::log1p(-p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  // Halley step: e = Phi(x) - p, u = e / phi(x).
  const double e = standard_normal_cdf(x) - p;
  const double u = e * std::sqrt(2 * M_PI) * std::exp(0.5 * x * x);
  return x - u / (1 + 0.5 * x * u);
}

/// Probability mass of N(0, 1) in [alpha, beta], computed on the side of the mean where it is
/// accurate. Zero (or denormal) mass means the bounds are impossible in double precision.
inline double truncated_normal_mass(double alpha, double beta) {
  if (alpha > 0) return standard_normal_cdf(-alpha) - standard_normal_cdf(-beta);
  return standard_normal_cdf(beta) - standard_normal_cdf(alpha);
}

/// x = F^{-1}(u) for u in (0, 1): the value of the distribution at quantile u. For the truncated
/// normal, u is mapped onto [Phi(alpha), Phi(beta)] (reflected so that the interval lies where Phi
/// is accurate); the caller checks truncated_normal_mass > 0 first.
inline double distribution_quantile(const Distribution& dist, double u) {
  switch (dist.kind) {
    case DistributionKind::normal: return dist.mean + dist.std * standard_normal_quantile(u);
    case DistributionKind::lognormal: return std::exp(dist.mu + dist.sigma * standard_normal_quantile(u));
    case DistributionKind::uniform: return dist.min + (dist.max - dist.min) * u;
    case DistributionKind::lorentzian: {
      // F(x) = 1/2 + atan((x - x0) / g) / pi on [min, max], inverted exactly.
      const double lo = std::atan((dist.min - dist.mean) / dist.std), hi = std::atan((dist.max - dist.mean) / dist.std);
      const double x = dist.mean + dist.std * std::tan(lo + (hi - lo) * u);
      return std::fmin(std::fmax(x, dist.min), dist.max);
    }
    case DistributionKind::truncated_normal: {
      if (dist.std == 0) return dist.mean;
      double alpha = (dist.min - dist.mean) / dist.std, beta = (dist.max - dist.mean) / dist.std;
      const bool reflect = alpha > 0;
      if (reflect) {
        const double a = -beta;
        beta = -alpha;
        alpha = a;
      }
      const double lo = standard_normal_cdf(alpha), hi = standard_normal_cdf(beta);
      double z = standard_normal_quantile(lo + (hi - lo) * u);
      z = std::fmin(std::fmax(z, alpha), beta);  // rounding at the ends
      const double x = dist.mean + dist.std * (reflect ? -z : z);
      return std::fmin(std::fmax(x, dist.min), dist.max);
    }
  }
  return dist.mean;
}

/// The parameter value of one device instance.
inline double sample_parameter(const Distribution& dist, std::uint64_t seed, std::uint32_t device_id,
                               std::uint64_t identity) {
  return distribution_quantile(dist, variability_uniform(seed, device_id, identity));
}

}  // namespace spinnet
