// The thermal noise generators of include/spinnet/core/random.hpp.
//
// 1. philox4x32_10 is Philox4x32-10 bit for bit: it is compared with Random123's r123::Philox4x32
//    (the reference implementation of Salmon et al., SC'11) and with Random123's published
//    known-answer vector.
// 2. The normals are N(0, 1): for the Box-Muller pair (normal2, normal3) and for the three complex
//    normals of one block (complex_normal3, the engine-drawn noise of the auto-oscillators), over
//    N = 2^20 draws of each output in float32 and float64:
//      mean within 4/sqrt(N), variance within 4 sqrt(2/N), skewness within 4 sqrt(6/N), excess
//      kurtosis within 4 sqrt(24/N) (the standard errors of these estimators for a normal sample),
//      Kolmogorov-Smirnov distance to the normal CDF below 1.95/sqrt(N) (p = 0.001), and the same
//      KS test rejects a normal whose width is 5% off (so it can see errors of that size).
//    The outputs of one block are uncorrelated: |r| < 4/sqrt(N). The polynomial log and sincos
//    (fast_math.hpp) are accurate to a few float ulp, far below any of these bounds.
#include <gtest/gtest.h>

#include <Random123/philox.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "spinnet/core/random.hpp"

namespace spinnet {
namespace {

TEST(Philox, MatchesRandom123BitForBit) {
  r123::Philox4x32 reference;
  std::uint32_t x = 12345;
  auto next = [&x] {  // xorshift32: varied counters and keys, including high bits
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return x;
  };
  for (int trial = 0; trial < 100000; ++trial) {
    const r123::Philox4x32::ctr_type ctr = {{next(), next(), next(), next()}};
    const r123::Philox4x32::key_type key = {{next(), next()}};
    const auto want = reference(ctr, key);
    const PhiloxWords got = philox4x32_10(ctr[0], ctr[1], ctr[2], ctr[3], key[0], key[1]);
    ASSERT_EQ(got.w0, want[0]) << "trial " << trial;
    ASSERT_EQ(got.w1, want[1]) << "trial " << trial;
    ASSERT_EQ(got.w2, want[2]) << "trial " << trial;
    ASSERT_EQ(got.w3, want[3]) << "trial " << trial;
  }
  // Random123's kat_vectors: philox4x32 10 rounds, counter and key from the digits of pi.
  const PhiloxWords kat = philox4x32_10(0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xa4093822u, 0x299f31d0u);
  EXPECT_EQ(kat.w0, 0xd16cfe09u);
  EXPECT_EQ(kat.w1, 0x94fdccebu);
  EXPECT_EQ(kat.w2, 0x5001e420u);
  EXPECT_EQ(kat.w3, 0x24126ea1u);
}

struct Moments {
  double mean = 0, variance = 0, skewness = 0, excess_kurtosis = 0;
};

Moments moments(const std::vector<double>& x) {
  const double n = static_cast<double>(x.size());
  Moments m;
  for (double v : x) m.mean += v / n;
  double m2 = 0, m3 = 0, m4 = 0;
  for (double v : x) {
    const double d = v - m.mean;
    m2 += d * d / n;
    m3 += d * d * d / n;
    m4 += d * d * d * d / n;
  }
  m.variance = m2;
  m.skewness = m3 / std::pow(m2, 1.5);
  m.excess_kurtosis = m4 / (m2 * m2) - 3;
  return m;
}

/// Kolmogorov-Smirnov distance between the sample and N(0, width^2).
double ks_distance(std::vector<double> x, double width = 1) {
  std::sort(x.begin(), x.end());
  const double n = static_cast<double>(x.size());
  double d = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double cdf = 0.5 * std::erfc(-x[i] / (width * std::sqrt(2.0)));
    d = std::max({d, cdf - static_cast<double>(i) / n, static_cast<double>(i + 1) / n - cdf});
  }
  return d;
}

double correlation(const std::vector<double>& a, const std::vector<double>& b) {
  double ab = 0, aa = 0, bb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / std::sqrt(aa * bb);
}

void expect_standard_normal(const std::vector<double>& x, const std::string& what) {
  const double n = static_cast<double>(x.size());
  const Moments m = moments(x);
  EXPECT_NEAR(m.mean, 0, 4 / std::sqrt(n)) << what;
  EXPECT_NEAR(m.variance, 1, 4 * std::sqrt(2 / n)) << what;
  EXPECT_NEAR(m.skewness, 0, 4 * std::sqrt(6 / n)) << what;
  EXPECT_NEAR(m.excess_kurtosis, 0, 4 * std::sqrt(24 / n)) << what;
  const double critical = 1.95 / std::sqrt(n);
  EXPECT_LT(ks_distance(x), critical) << what;
  EXPECT_GT(ks_distance(x, 1.05), critical) << what << ": the KS test must see a 5% width error";
}

template <class T>
class Normals : public ::testing::Test {};
using Precisions = ::testing::Types<float, double>;
TYPED_TEST_SUITE(Normals, Precisions);

constexpr std::uint32_t draws = 1u << 20;

TYPED_TEST(Normals, BoxMullerPairsAreStandardNormalAndIndependent) {
  using T = TypeParam;
  std::vector<double> n0, n1, n2;
  for (std::uint32_t k = 0; k < draws; ++k) {
    const Vec3<T> n = normal3<T>(0x5eed5eed12345678ull, k % 1024, k / 1024, RandomStream::thermal);
    n0.push_back(n.x);
    n1.push_back(n.y);
    n2.push_back(n.z);
  }
  expect_standard_normal(n0, "Box-Muller cosine output");
  expect_standard_normal(n1, "Box-Muller sine output");
  expect_standard_normal(n2, "second pair's cosine output");
  const double bound = 4 / std::sqrt(static_cast<double>(draws));
  EXPECT_LT(std::abs(correlation(n0, n1)), bound);
  EXPECT_LT(std::abs(correlation(n0, n2)), bound);
}

TYPED_TEST(Normals, ThreeComplexNormalsPerBlockAreStandardNormalAndIndependent) {
  using T = TypeParam;
  std::vector<double> part[6];
  for (std::uint32_t k = 0; k < draws; ++k) {
    const ComplexNormal3<T> z = complex_normal3<T>(42, k % 4096, k / 4096, RandomStream::thermal);
    for (int j = 0; j < 3; ++j) {
      part[2 * j].push_back(z.re[j]);
      part[2 * j + 1].push_back(z.im[j]);
    }
  }
  for (int k = 0; k < 6; ++k)
    expect_standard_normal(part[k], (k % 2 ? "im of z_" : "re of z_") + std::to_string(k / 2));
  const double bound = 4 / std::sqrt(static_cast<double>(draws));
  for (int a = 0; a < 6; ++a)
    for (int b = a + 1; b < 6; ++b)
      EXPECT_LT(std::abs(correlation(part[a], part[b])), bound) << "outputs " << a << " and " << b;
}

}  // namespace
}  // namespace spinnet
