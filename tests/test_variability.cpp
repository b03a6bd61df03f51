// Device variability in configs: distributions sampled per device instance (include/spinnet/
// variability.hpp), instances, sweeps over distribution parameters, and the independence of a
// device's parameters from everything else in the study.
//
// Statistical bounds. With N independent draws, the sample mean of N(mu, sigma^2) has standard
// error sigma / sqrt(N) and the sample variance has relative standard error sqrt(2 / (N - 1));
// the tests allow 4 standard errors (two-sided probability 6e-5 of failing for a correct sampler).
// The one-sample Kolmogorov-Smirnov statistic D satisfies P(sqrt(N) D > 1.95) = 0.001
// (Kolmogorov's limit distribution); the tests use that critical value. The seeds are fixed, so
// each test is deterministic: the bounds say how unlikely a pass would be for a wrong sampler.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "spinnet/core/constants.hpp"
#include "config_helpers.hpp"
#include "spinnet/config/run_config.hpp"
#include "spinnet/config/variability.hpp"

namespace spinnet {
namespace {

constexpr double kolmogorov_critical_0_001 = 1.95;

/// A macrospin config with `count` devices and the given devices entries.
json macrospin_config(std::size_t count, const json& devices) {
  json config = json::parse(R"({"model": "macrospin", "seed": 11, "integration": {"dt_ps": 1, "duration_ns": 1}})");
  config["devices"] = devices;
  config["devices"]["count"] = count;
  return config;
}

std::string error_of(const json& config) { return spinnet::test::run_config_error(config); }

/// Ms of every device, kA/m.
std::vector<double> Ms_of(const RunConfig& run) {
  std::vector<double> out;
  for (const auto& p : run.macrospin) out.push_back(p.Ms * 1e-3);
  return out;
}

double mean(const std::vector<double>& x) {
  double s = 0;
  for (double v : x) s += v;
  return s / static_cast<double>(x.size());
}

double variance(const std::vector<double>& x) {
  const double m = mean(x);
  double s = 0;
  for (double v : x) s += (v - m) * (v - m);
  return s / static_cast<double>(x.size() - 1);
}

/// sqrt(N) times the Kolmogorov-Smirnov distance between the sample and the CDF.
double scaled_ks(std::vector<double> x, const std::function<double(double)>& cdf) {
  std::sort(x.begin(), x.end());
  const double n = static_cast<double>(x.size());
  double d = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double f = cdf(x[i]);
    d = std::max({d, f - static_cast<double>(i) / n, static_cast<double>(i + 1) / n - f});
  }
  return std::sqrt(n) * d;
}

double normal_cdf(double x, double mu, double sigma) { return standard_normal_cdf((x - mu) / sigma); }

TEST(Variability, NormalQuantileInvertsTheCdfToDoublePrecision) {
  // Phi(Phi^-1(p)) = p: relative error from erfc (a few ulp) and one Halley step on a 1e-9 start.
  for (double p : {1e-300, 1e-100, 1e-20, 1e-8, 0.001, 0.02425, 0.1, 0.3, 0.5, 0.7, 0.9, 0.97575, 0.999, 1 - 1e-9}) {
    const double x = standard_normal_quantile(p);
    EXPECT_NEAR(standard_normal_cdf(x) / p, 1.0, 1e-13) << p;
  }
  EXPECT_NEAR(standard_normal_quantile(0.975), 1.959963984540054, 1e-14);
}

TEST(Variability, NormalSamplesHaveTheGivenMomentsAndShape) {
  const std::size_t n = 100000;
  const auto run = read_run_config(
      macrospin_config(n, json::parse(R"({"Ms_kA_per_m": {"normal": {"mean": 800, "std": 40}}})")), "t.json");
  const auto Ms = Ms_of(run);
  ASSERT_EQ(Ms.size(), n);
  const double se = 40 / std::sqrt(static_cast<double>(n));
  EXPECT_NEAR(mean(Ms), 800, 4 * se);
  EXPECT_NEAR(variance(Ms) / (40.0 * 40.0), 1, 4 * std::sqrt(2.0 / (n - 1)));
  EXPECT_LT(scaled_ks(Ms, [](double x) { return normal_cdf(x, 800, 40); }), kolmogorov_critical_0_001);
  // The sampled values are recorded, in the config's unit, for the output file.
  ASSERT_EQ(run.varied_parameters.count("devices.Ms_kA_per_m"), 1u);
  const auto& recorded = run.varied_parameters.at("devices.Ms_kA_per_m");
  for (std::size_t d = 0; d < n; d += 997) EXPECT_EQ(recorded[d] * 1e3, run.macrospin[d].Ms) << d;  // kA/m -> A/m
  EXPECT_EQ(run.varied_parameters.count("devices.alpha"), 0u);  // the same for every device
  // The KS test has power: the same sample is rejected against a normal with std 5 % larger.
  EXPECT_GT(scaled_ks(Ms, [](double x) { return normal_cdf(x, 800, 42); }), kolmogorov_critical_0_001);
}

TEST(Variability, RelativeStdIsAFractionOfTheMean) {
  const std::size_t n = 50000;
  const auto run = read_run_config(
      macrospin_config(n, json::parse(R"({"Ms_kA_per_m": {"normal": {"mean": 800, "relative_std": 0.05}}})")),
      "t.json");
  const auto Ms = Ms_of(run);
  EXPECT_NEAR(mean(Ms), 800, 4 * 40 / std::sqrt(static_cast<double>(n)));
  EXPECT_NEAR(std::sqrt(variance(Ms)) / 40.0, 1, 4 * std::sqrt(0.5 / (n - 1)));
}

TEST(Variability, TruncatedNormalRespectsItsBoundsAndShape) {
  const std::size_t n = 50000;
  // Two-sided, and one-sided far in the upper tail (sampled by reflection where Phi is accurate).
  for (const auto& [min, max] : {std::pair{760.0, 900.0}, std::pair{1000.0, 1e9}}) {
    json devices;
    devices["Ms_kA_per_m"]["truncated_normal"] = {{"mean", 800}, {"std", 40}, {"min", min}, {"max", max}};
    const auto Ms = Ms_of(read_run_config(macrospin_config(n, devices), "t.json"));
    EXPECT_GE(*std::min_element(Ms.begin(), Ms.end()), min);
    EXPECT_LE(*std::max_element(Ms.begin(), Ms.end()), max);
    const double lo = normal_cdf(min, 800, 40), hi = normal_cdf(max, 800, 40);
    const double lo_upper = normal_cdf(-min, -800, 40), hi_upper = normal_cdf(-max, -800, 40);
    // CDF of the truncated normal, evaluated on the accurate side of the mean.
    auto cdf = [&](double x) {
      if (min > 800) return (lo_upper - normal_cdf(-x, -800, 40)) / (lo_upper - hi_upper);
      return (normal_cdf(x, 800, 40) - lo) / (hi - lo);
    };
    EXPECT_LT(scaled_ks(Ms, cdf), kolmogorov_critical_0_001) << min << " " << max;
  }
}

TEST(Variability, ImpossibleTruncationIsRejectedNotLoopedOn) {
  json devices;
  devices["Ms_kA_per_m"]["truncated_normal"] = {{"mean", 800}, {"std", 1}, {"min", 900}, {"max", 1000}};
  const std::string message = error_of(macrospin_config(10, devices));
  EXPECT_NE(message.find("devices.Ms_kA_per_m.truncated_normal: expected bounds [min, max] that hold some probability"),
            std::string::npos)
      << message;
  devices["Ms_kA_per_m"]["truncated_normal"] = {{"mean", 800}, {"std", 1}, {"min", 900}, {"max", 800}};
  EXPECT_NE(error_of(macrospin_config(10, devices)).find("truncated_normal.max: expected a number > min"),
            std::string::npos);
}

TEST(Variability, LognormalMedianAndMeanParametrizations) {
  const std::size_t n = 50000;
  const double sigma = 0.1;
  json devices;
  devices["Ms_kA_per_m"]["lognormal"] = {{"median", 800}, {"sigma", sigma}};
  auto Ms = Ms_of(read_run_config(macrospin_config(n, devices), "t.json"));
  std::vector<double> logs;
  for (double v : Ms) logs.push_back(std::log(v));
  EXPECT_NEAR(mean(logs), std::log(800.0), 4 * sigma / std::sqrt(static_cast<double>(n)));
  EXPECT_LT(scaled_ks(Ms, [&](double x) { return normal_cdf(std::log(x), std::log(800.0), sigma); }),
            kolmogorov_critical_0_001);
  // "mean": E[X] = e^(mu + sigma^2 / 2), standard error sqrt(e^(sigma^2) - 1) E[X] / sqrt(N).
  devices["Ms_kA_per_m"]["lognormal"] = {{"mean", 800}, {"sigma", sigma}};
  Ms = Ms_of(read_run_config(macrospin_config(n, devices), "t.json"));
  EXPECT_NEAR(mean(Ms), 800, 4 * std::sqrt(std::expm1(sigma * sigma)) * 800 / std::sqrt(static_cast<double>(n)));
}

TEST(Variability, UniformFillsItsInterval) {
  const std::size_t n = 50000;
  const auto Ms = Ms_of(read_run_config(
      macrospin_config(n, json::parse(R"({"Ms_kA_per_m": {"uniform": {"min": 700, "max": 900}}})")), "t.json"));
  EXPECT_GE(*std::min_element(Ms.begin(), Ms.end()), 700);
  EXPECT_LE(*std::max_element(Ms.begin(), Ms.end()), 900);
  EXPECT_LT(scaled_ks(Ms, [](double x) { return (x - 700) / 200; }), kolmogorov_critical_0_001);
}

// The truncated Lorentzian: the exact inverse of F(x) = (atan((x - x0)/g) - atan((min - x0)/g)) /
// (atan((max - x0)/g) - atan((min - x0)/g)) on [min, max].
TEST(Variability, LorentzianIsTruncatedToItsBoundsAndHasItsShape) {
  const std::size_t n = 50000;
  const auto Ms = Ms_of(read_run_config(
      macrospin_config(n, json::parse(R"({"Ms_kA_per_m": {"lorentzian": {"center": 800, "half_width": 10, "min": 600, "max": 1100}}})")),
      "t.json"));
  EXPECT_GE(*std::min_element(Ms.begin(), Ms.end()), 600);
  EXPECT_LE(*std::max_element(Ms.begin(), Ms.end()), 1100);
  const auto cdf = [](double x) {
    const double lo = std::atan((600.0 - 800) / 10), hi = std::atan((1100.0 - 800) / 10);
    return (std::atan((x - 800) / 10) - lo) / (hi - lo);
  };
  EXPECT_LT(scaled_ks(Ms, cdf), kolmogorov_critical_0_001);
  // A normal of the same width is rejected: the test has power.
  EXPECT_GT(scaled_ks(Ms, [](double x) { return normal_cdf(x, 800, 10); }), kolmogorov_critical_0_001);
}

TEST(Variability, ParametersOfOneDeviceAreIndependent) {
  // Different config paths are different Philox counters: the draws are uncorrelated (the
  // sample correlation of independent variables has standard error 1 / sqrt(N)).
  const std::size_t n = 50000;
  const auto run = read_run_config(macrospin_config(n, json::parse(R"({
      "Ms_kA_per_m": {"normal": {"mean": 800, "std": 40}},
      "anisotropy_field_mT": {"normal": {"mean": 500, "std": 25}}})")), "t.json");
  const auto& a = run.varied_parameters.at("devices.Ms_kA_per_m");
  const auto& b = run.varied_parameters.at("devices.anisotropy_field_mT");
  const double ma = mean(a), mb = mean(b);
  double cov = 0;
  for (std::size_t i = 0; i < n; ++i) cov += (a[i] - ma) * (b[i] - mb);
  const double r = cov / static_cast<double>(n - 1) / std::sqrt(variance(a) * variance(b));
  EXPECT_LT(std::abs(r), 4 / std::sqrt(static_cast<double>(n)));
}

TEST(Variability, ADeviceKeepsItsParametersWhateverElseIsInTheStudy) {
  // The draw depends only on (seed, global device id, config path): the same device id gets the
  // same Ms with 2 instances as with a 2-point sweep over another key, and alone.
  const json devices = json::parse(R"({"Ms_kA_per_m": {"normal": {"mean": 800, "std": 40}}})");
  json with_instances = macrospin_config(10, devices);
  with_instances["instances"] = 2;
  json with_sweep = macrospin_config(10, devices);
  with_sweep["sweep"] = json::parse(R"({"axes": [{"path": "devices.current_mA", "values": [0.1, 0.2]}]})");
  // Ms in A/m, as the engine gets it (compared bit for bit).
  auto Ms_SI = [](const RunConfig& run) {
    std::vector<double> out;
    for (const auto& p : run.macrospin) out.push_back(p.Ms);
    return out;
  };
  const auto a = Ms_SI(read_run_config(with_instances, "a.json"));
  const auto b = Ms_SI(read_run_config(with_sweep, "b.json"));
  const auto alone = Ms_SI(read_run_config(macrospin_config(10, devices), "c.json"));
  ASSERT_EQ(a.size(), 20u);
  EXPECT_EQ(a, b);
  for (std::size_t d = 0; d < 10; ++d) EXPECT_EQ(a[d], alone[d]);
  // And it is the documented function of those three numbers.
  Distribution normal;
  normal.mean = 800;
  normal.std = 40;
  for (std::size_t d = 0; d < 20; ++d)
    EXPECT_EQ(a[d],
              sample_parameter(normal, 11, static_cast<std::uint32_t>(d), parameter_identity("devices.Ms_kA_per_m")) * 1e3);
  // Instances differ from each other; another seed gives other draws.
  EXPECT_NE(a[0], a[10]);
  json other_seed = with_instances;
  other_seed["seed"] = 12;
  EXPECT_NE(Ms_SI(read_run_config(other_seed, "d.json"))[0], a[0]);
}

TEST(Variability, InstancesAndSweepLayout) {
  json config = macrospin_config(2, json::parse(R"({"alpha": {"values": [0.01, 0.02]}})"));
  config["instances"] = 3;
  config["sweep"] = json::parse(R"({"axes": [{"path": "devices.current_mA", "values": [-1, -2]}]})");
  const auto run = read_run_config(config, "t.json");
  EXPECT_EQ(run.sweep.points, 2u);
  EXPECT_EQ(run.sweep.instances, 3u);
  EXPECT_EQ(run.sweep.devices_per_instance, 2u);
  EXPECT_EQ(run.sweep.devices_per_point, 6u);
  ASSERT_EQ(run.macrospin.size(), 12u);
  for (std::size_t d = 0; d < 12; ++d) {
    EXPECT_DOUBLE_EQ(run.macrospin[d].current, (d / 6 == 0 ? -1e-3 : -2e-3)) << d;
    EXPECT_DOUBLE_EQ(run.macrospin[d].alpha, d % 2 == 0 ? 0.01 : 0.02) << d;  // device d % count of the list
  }
  EXPECT_EQ(run.varied_parameters.at("devices.current_mA").size(), 12u);
  EXPECT_EQ(run.varied_parameters.at("devices.alpha")[3], 0.02);
}

TEST(Variability, SweepReachesDistributionParametersAndVectorComponents) {
  json config = macrospin_config(1000, json::parse(R"({
      "Ms_kA_per_m": {"normal": {"mean": 800, "relative_std": 0.05}},
      "field_mT": [0, 0, {"uniform": {"min": 100, "max": 200}}]})"));
  config["sweep"] = json::parse(R"({"axes": [
      {"path": "devices.Ms_kA_per_m.normal.relative_std", "values": [0, 0.1]},
      {"path": "devices.field_mT[0]", "values": [5]}]})");
  const auto run = read_run_config(config, "t.json");
  ASSERT_EQ(run.macrospin.size(), 2000u);
  const auto Ms = Ms_of(run);
  const std::vector<double> point0(Ms.begin(), Ms.begin() + 1000), point1(Ms.begin() + 1000, Ms.end());
  EXPECT_EQ(*std::min_element(point0.begin(), point0.end()), 800);  // relative_std 0: no spread
  EXPECT_EQ(*std::max_element(point0.begin(), point0.end()), 800);
  EXPECT_NEAR(std::sqrt(variance(point1)) / 80.0, 1, 4 * std::sqrt(0.5 / 999));
  const double mT = 1e-3 / constants::mu0;
  for (const auto& p : run.macrospin) {
    EXPECT_DOUBLE_EQ(p.Hx, 5 * mT);
    EXPECT_GE(p.Hz, 100 * mT * (1 - 1e-15));
    EXPECT_LE(p.Hz, 200 * mT * (1 + 1e-15));
  }
  EXPECT_EQ(run.varied_parameters.count("devices.field_mT[2]"), 1u);
  EXPECT_EQ(run.varied_parameters.count("devices.field_mT[0]"), 0u);  // 5 at every point
}

TEST(Variability, SampledValuesOutsideTheAllowedRangeNameTheDevice) {
  // A normal with a large spread reaches Ms <= 0 for some device of 1000 (P(Z < -2) = 2.3 %).
  const std::string message =
      error_of(macrospin_config(1000, json::parse(R"({"Ms_kA_per_m": {"normal": {"mean": 100, "std": 50}}})")));
  EXPECT_NE(message.find("test.json: devices.Ms_kA_per_m: expected a number > 0"), std::string::npos) << message;
  EXPECT_NE(message.find("sampled for device"), std::string::npos) << message;
  EXPECT_NE(message.find("truncated_normal"), std::string::npos) << message;
}

TEST(Variability, DistributionTyposAreReportedWithTheirPath) {
  auto message = error_of(macrospin_config(2, json::parse(R"({"alpha": {"normall": {"mean": 0.01, "std": 0.001}}})")));
  EXPECT_NE(message.find("devices.alpha.normall: expected a known key (did you mean \"normal\"?)"), std::string::npos)
      << message;
  message = error_of(macrospin_config(2, json::parse(R"({"alpha": {"normal": {"mean": 0.01, "sdt": 0.001}}})")));
  EXPECT_NE(message.find("devices.alpha.normal.sdt: expected a known key (did you mean \"std\"?)"), std::string::npos)
      << message;
  message = error_of(macrospin_config(2, json::parse(R"({"alpha": {"normal": {"mean": 0.01}}})")));
  EXPECT_NE(message.find("devices.alpha.normal: expected exactly one of \"std\" and \"relative_std\", got neither"),
            std::string::npos)
      << message;
}

}  // namespace
}  // namespace spinnet
