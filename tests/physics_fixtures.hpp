// Shared pieces of the physics validation tests (tests/test_physics_*.cpp): the {cpu, cuda} x
// {one device, a batch} parameter grid, a quiet reference junction in SI units, trace access,
// MuMax3-style expectations that print their margins, and a least-squares line.
//
// Every physics test builds a spinnet::MacrospinProblem directly (SI units) and calls
// spinnet::run_macrospin; it states the analytic result it checks, where that result comes from,
// and why its tolerance is what it is (integrator error at the chosen step, or statistical error).
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

#include "spinnet/core/constants.hpp"
#include "spinnet/engine/engine.hpp"

namespace spinnet::physics_test {

/// gamma0 = mu0 gamma of the free electron, m/(A s): the precession rate per A/m of field.
inline constexpr double gamma0 = constants::mu0 * constants::gyromagnetic_ratio;

/// One case of the grid every physics test body runs over.
struct EngineCase {
  Backend backend;
  bool batch;  // false: one device per run; true: many devices (with different parameters) per run
};

/// How GoogleTest (and ctest's test list) prints a case.
inline void PrintTo(const EngineCase& c, std::ostream* os) {
  *os << to_string(c.backend) << (c.batch ? ", batch of devices" : ", one device");
}

inline std::string case_name(const ::testing::TestParamInfo<EngineCase>& info) {
  return to_string(info.param.backend) + (info.param.batch ? "_batch" : "_single");
}

inline std::vector<EngineCase> engine_cases() {
  return {{Backend::cpu, false}, {Backend::cpu, true}, {Backend::cuda, false}, {Backend::cuda, true}};
}

/// Fixture of the grid: CUDA cases skip where this build or machine has no CUDA device, and are
/// required (run, and must pass) where one is.
class PhysicsTest : public ::testing::TestWithParam<EngineCase> {
 protected:
  void SetUp() override {
    if (GetParam().backend == Backend::cuda && !cuda_available()) {
      GTEST_SKIP() << "no CUDA device visible (or built without CUDA)";
    }
  }

  MacrospinResult run(const MacrospinProblem& problem) const {
    RunOptions options;
    options.backend = GetParam().backend;
    return run_macrospin(problem, options);
  }
};

/// A junction with every interaction switched off: free-electron gamma, no field, no anisotropy,
/// no demagnetization, no current, T = 0, m along +z. Tests switch on what they check.
inline MacrospinParameters<double> quiet_junction() {
  MacrospinParameters<double> p{};
  p.alpha = 0.01;
  p.gamma = constants::gyromagnetic_ratio;
  p.Ms = 8e5;                                       // A/m
  p.volume = constants::pi / 4 * 50e-9 * 50e-9 * 2e-9;  // 50 nm disc, 2 nm thick, m^3
  p.Hk = 0;
  p.ux = 0, p.uy = 0, p.uz = 1;
  p.Nx = 0, p.Ny = 0, p.Nz = 0;
  p.Hx = 0, p.Hy = 0, p.Hz = 0;
  p.px = 0, p.py = 0, p.pz = 1;
  p.polarization = 0;
  p.lambda = 0;
  p.beta = 0;
  p.current = 0;
  p.temperature = 0;
  p.R_P = 1000;
  p.R_AP = 2000;
  p.m0x = 0, p.m0y = 0, p.m0z = 1;
  return p;
}

/// Traces every device of the problem every `every` steps.
inline void trace_all(MacrospinProblem& problem, std::uint64_t every) {
  problem.trace_every = every;
  problem.trace_devices.clear();
  for (std::size_t i = 0; i < problem.devices.size(); ++i) {
    problem.trace_devices.push_back(static_cast<std::uint32_t>(i));
  }
}

/// m of traced column k at trace sample s.
struct TracePoint {
  double t, x, y, z;
};
inline TracePoint trace_point(const MacrospinResult& r, std::size_t columns, std::uint64_t s, std::size_t k) {
  const std::size_t j = static_cast<std::size_t>(s) * columns + k;
  return {r.trace_time[s], r.trace_x[j], r.trace_y[j], r.trace_z[j]};
}

/// MuMax3-style expectation: prints quantity, value, expected value, error and tolerance (so a
/// passing run documents its margins), then checks |got - want| <= tolerance.
inline void expect_close(const std::string& quantity, double got, double want, double tolerance) {
  std::printf("    %-44s got %+.9e want %+.9e |error| %.2e tolerance %.2e\n", quantity.c_str(), got, want,
              std::abs(got - want), tolerance);
  EXPECT_NEAR(got, want, tolerance) << quantity;
}

/// The same with a relative tolerance: |got / want - 1| <= relative_tolerance.
inline void expect_relative(const std::string& quantity, double got, double want, double relative_tolerance) {
  std::printf("    %-44s got %+.9e want %+.9e relative error %.2e tolerance %.2e\n", quantity.c_str(), got, want,
              std::abs(got / want - 1), relative_tolerance);
  EXPECT_NEAR(got / want, 1.0, relative_tolerance) << quantity << ": got " << got << ", want " << want;
}

/// Ordinary least-squares line y = intercept + slope x.
struct Line {
  double slope, intercept;
};
inline Line fit_line(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  double sx = 0, sy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) sx += x[i], sy += y[i];
  const double mx = sx / n, my = sy / n;
  double sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxx += (x[i] - mx) * (x[i] - mx);
    sxy += (x[i] - mx) * (y[i] - my);
  }
  const double slope = sxy / sxx;
  return {slope, my - slope * mx};
}

}  // namespace spinnet::physics_test
