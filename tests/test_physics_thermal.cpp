// Thermal equilibrium of an ensemble of uniaxial macrospins (anisotropy along z, no field, no
// current, no demagnetization, T > 0).
//
// Analytic result: Brown's thermal field with <H_i(t) H_j(t')> = 2 alpha kB T / (gamma0 mu0 Ms V)
// delta_ij delta(t - t') (W. F. Brown, Phys. Rev. 130, 1677 (1963); J. L. Garcia-Palacios and
// F. J. Lazaro, Phys. Rev. B 58, 14937 (1998), also for the Stratonovich Heun scheme) makes the
// stationary density the Boltzmann distribution of E = -mu0 Ms V Hk m_z^2 / 2 on the sphere
// (dOmega = dphi dm_z):
//   P(m_z) = exp(xi m_z^2) / Z,   Z = int_{-1}^{1} exp(xi u^2) du,   xi = mu0 Ms V Hk / (2 kB T).
// The test checks, over 10^4 independent devices started at m = +z:
//   * <m_z^2> (time average over the last diffusion time, then ensemble mean) against
//     int u^2 exp(xi u^2) du / Z, and <m_x^2> = <m_y^2> = (1 - <m_z^2>)/2, each within four standard
//     errors (the standard error measured from the spread of the 10^4 per-device averages);
//   * the distribution of |m_z| at the end (10^4 independent samples) against the numerically
//     integrated CDF F(x) = int_0^x exp(xi u^2) du / int_0^1 exp(xi u^2) du, with a one-sample
//     Kolmogorov-Smirnov test at significance 1e-3 (asymptotic Kolmogorov distribution with
//     Stephens' correction, M. A. Stephens, J. R. Stat. Soc. B 32, 115 (1970)); and, to show the KS
//     test has the power to see a wrong noise strength, that it rejects xi 15% higher or lower
//     (a thermal-field variance off by 15%).
//
// Choice of xi, alpha, dt (units: h = gamma0 Hk dt, tau = xi (1 + alpha^2) / (alpha gamma0 Hk), the
// free-diffusion time of Brown, 0.27 ns here):
//   * xi = 3: a distribution far from uniform (<m_z^2> = 0.626 against 1/3) whose |m_z| histogram is
//     well populated everywhere, and a short tau; alpha = 1 minimizes tau at fixed Hk.
//   * Relaxation: from m = +z, <m_z^2> relaxes like the l = 2 mode, roughly exp(-3 t / tau); after the
//     3 tau of transient the residue 0.37 exp(-9) = 5e-5 is far below the statistical error, and 4 tau
//     in total leaves 2e-6 in the final states.
//   * Time-step bias: stochastic Heun has weak order 1. Measured with this setup (4000 devices, time
//     averages over 20 tau), the bias of <m_z^2> was +0.0050(8) at h = 0.16 and +0.0024(8) at h = 0.08,
//     i.e. about 0.031 h (the same at alpha = 0.3); at h = 0.01 it is 3e-4, a sixth of the statistical
//     error of <m_z^2> here (about 2e-3) and far below the KS critical distance (0.0195).
//   * float32: rounding of m (6e-8) and of the thermal field is five orders below these errors;
//     the accumulators are double.
//   * Norm drift: over one step the thermal field is a fixed random rotation, of angle theta with a
//     Gaussian spread of 0.04 per transverse component here, and Heun leaves a rotation off the
//     sphere by only theta^4/8. A drift of 1e-3 needs theta = 0.3, a 7-sigma draw (expected 1e-4
//     times in these 2.4e7 device-steps; drifts above 3e-4 do occur), so the default drift limit of
//     1e-3 stays.
// Runtime: 10^4 devices x 2400 float32 steps, about 2 s on two cores.
//
// The ensemble needs many devices, so this test runs over the backends only (batch = the ensemble).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "physics_fixtures.hpp"

namespace spinnet::physics_test {
namespace {

using ThermalEquilibrium = PhysicsTest;

/// CDF of |m_z| under P(m_z) ~ exp(xi m_z^2), tabulated by the trapezoid rule on 2^16 intervals
/// (error ~1e-11) and linearly interpolated.
class BoltzmannCdf {
 public:
  explicit BoltzmannCdf(double xi) : table_(intervals + 1) {
    double sum = 0;
    table_[0] = 0;
    for (int i = 1; i <= intervals; ++i) {
      const double a = static_cast<double>(i - 1) / intervals, b = static_cast<double>(i) / intervals;
      sum += 0.5 * (std::exp(xi * a * a) + std::exp(xi * b * b)) / intervals;
      table_[i] = sum;
    }
    for (double& v : table_) v /= sum;
  }
  double operator()(double x) const {
    const double position = std::clamp(x, 0.0, 1.0) * intervals;
    const int i = std::min(static_cast<int>(position), intervals - 1);
    const double f = position - i;
    return table_[i] * (1 - f) + table_[i + 1] * f;
  }

 private:
  static constexpr int intervals = 1 << 16;
  std::vector<double> table_;
};

/// <u^2> under exp(xi u^2) on [0, 1] (Simpson, 2^14 intervals).
double boltzmann_mean_square(double xi) {
  const int n = 1 << 14;
  double z = 0, m = 0;
  for (int i = 0; i <= n; ++i) {
    const double u = static_cast<double>(i) / n;
    const double w = (i == 0 || i == n) ? 1 : (i % 2 ? 4 : 2);
    z += w * std::exp(xi * u * u);
    m += w * u * u * std::exp(xi * u * u);
  }
  return m / z;
}

/// Kolmogorov-Smirnov distance of sorted samples from a CDF.
template <class Cdf>
double ks_distance(const std::vector<double>& sorted, const Cdf& cdf) {
  const double n = static_cast<double>(sorted.size());
  double d = 0;
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    const double f = cdf(sorted[i]);
    d = std::max({d, static_cast<double>(i + 1) / n - f, f - static_cast<double>(i) / n});
  }
  return d;
}

/// P(D > d) for n samples: Q_KS((sqrt(n) + 0.12 + 0.11/sqrt(n)) d), Q_KS(l) = 2 sum (-1)^(k-1) exp(-2 k^2 l^2).
double ks_p_value(double d, std::size_t n) {
  const double root = std::sqrt(static_cast<double>(n));
  const double lambda = (root + 0.12 + 0.11 / root) * d;
  if (lambda < 0.2) return 1.0;
  double q = 0;
  for (int k = 1; k <= 100; ++k) q += 2 * ((k % 2) ? 1.0 : -1.0) * std::exp(-2.0 * k * k * lambda * lambda);
  return std::clamp(q, 0.0, 1.0);
}

struct MeanAndError {
  double mean, standard_error;
};
MeanAndError ensemble_mean(const std::vector<double>& values) {
  const double n = static_cast<double>(values.size());
  double sum = 0, sum2 = 0;
  for (double v : values) sum += v, sum2 += v * v;
  const double mean = sum / n;
  return {mean, std::sqrt((sum2 / n - mean * mean) / (n - 1))};
}

TEST_P(ThermalEquilibrium, BoltzmannDistributionOfUniaxialMacrospins) {
  constexpr double xi = 3;
  constexpr double alpha = 1;
  constexpr double Hk = 1e5;          // A/m
  constexpr double temperature = 300;  // K
  constexpr double Ms = 8e5;           // A/m
  constexpr double h = 0.01;           // gamma0 Hk dt
  constexpr std::size_t devices = 10000;
  const double volume = 2 * xi * constants::boltzmann * temperature / (constants::mu0 * Ms * Hk);
  const double tau = xi * (1 + alpha * alpha) / (alpha * gamma0 * Hk);

  MacrospinProblem problem;
  for (std::size_t i = 0; i < devices; ++i) {
    MacrospinParameters<double> p = quiet_junction();
    p.alpha = alpha;
    p.Ms = Ms;
    p.volume = volume;
    p.Hk = Hk;
    p.ux = 0, p.uy = 0, p.uz = 1;
    p.temperature = temperature;
    p.m0x = 0, p.m0y = 0, p.m0z = 1;
    problem.devices.push_back(p);
  }
  problem.dt = h / (gamma0 * Hk);
  const std::uint64_t steps_per_tau = static_cast<std::uint64_t>(std::llround(tau / problem.dt));  // 600
  problem.transient_steps = 3 * steps_per_tau;
  problem.steps = 4 * steps_per_tau;
  problem.seed = 0x5eed2024ULL;
  problem.precision = Precision::float32;

  const MacrospinResult result = run(problem);

  const double mz2_exact = boltzmann_mean_square(xi);
  const MeanAndError mz2 = ensemble_mean(result.mean_mz2);
  const MeanAndError mx2 = ensemble_mean(result.mean_mx2);
  const MeanAndError my2 = ensemble_mean(result.mean_my2);
  std::printf("  xi = %.3g, tau = %.3g ns, dt = %.3g ps, %zu devices x %llu steps\n", xi, tau * 1e9, problem.dt * 1e12,
              devices, static_cast<unsigned long long>(problem.steps));
  expect_close("<m_z^2> vs Boltzmann (4 standard errors)", mz2.mean, mz2_exact, 4 * mz2.standard_error);
  expect_close("<m_x^2> vs (1 - <m_z^2>_Boltzmann)/2", mx2.mean, (1 - mz2_exact) / 2, 4 * mx2.standard_error);
  expect_close("<m_y^2> vs (1 - <m_z^2>_Boltzmann)/2", my2.mean, (1 - mz2_exact) / 2, 4 * my2.standard_error);

  std::vector<double> abs_mz(devices);
  for (std::size_t i = 0; i < devices; ++i) abs_mz[i] = std::abs(result.final_mz[i]);
  std::sort(abs_mz.begin(), abs_mz.end());
  const double d = ks_distance(abs_mz, BoltzmannCdf(xi));
  const double p_value = ks_p_value(d, devices);
  std::printf("    KS distance of |m_z| from the Boltzmann CDF: D = %.4f, p = %.3f (reject below 1e-3)\n", d, p_value);
  EXPECT_GT(p_value, 1e-3) << "final |m_z| not Boltzmann distributed: D = " << d;
  for (double wrong : {0.85 * xi, 1.15 * xi}) {
    const double d_wrong = ks_distance(abs_mz, BoltzmannCdf(wrong));
    std::printf("    power check: against xi = %.3g, D = %.4f, p = %.2g (must reject)\n", wrong, d_wrong,
                ks_p_value(d_wrong, devices));
    EXPECT_LT(ks_p_value(d_wrong, devices), 1e-3) << "the KS test cannot tell xi from " << wrong;
  }
}

INSTANTIATE_TEST_SUITE_P(physics, ThermalEquilibrium,
                         ::testing::Values(EngineCase{Backend::cpu, true}, EngineCase{Backend::cuda, true}),
                         case_name);

}  // namespace
}  // namespace spinnet::physics_test
