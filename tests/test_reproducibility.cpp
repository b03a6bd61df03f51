// Reproducibility of the macrospin engine. Thermal noise is Philox keyed by (seed, global device id,
// step) (include/spinnet/core/random.hpp), so a device's trajectory is a function of who it is, never of
// the batch it runs in, the number of CPU threads or (up to float rounding) the backend; and the
// same seed reproduces a run exactly through the command line as well as through the C++ API.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "cli_helpers.hpp"
#include "spinnet/config/config.hpp"
#include "spinnet/core/constants.hpp"
#include "spinnet/engine/engine.hpp"
#include "spinnet/models/oscillator_network.hpp"
#include "spinnet/engine/run.hpp"

namespace spinnet {
namespace {

using test::TempDir;

constexpr double mT = 1e-3 / constants::mu0;  // A/m per mT of mu0 H

/// Parameters of the junction with global id `id`: varied from device to device so that a mix-up
/// of devices, lanes or noise streams changes the numbers. Every junction is thermal, carries a DC
/// current through a tilted polarizer and sits in an RF field and an RF current (see add_tones).
MacrospinParameters<double> junction(std::uint32_t id) {
  MacrospinParameters<double> p{};
  p.alpha = 0.01 + 0.002 * (id % 7);
  p.gamma = constants::gyromagnetic_ratio;
  p.Ms = 1.0e6 - 1.0e3 * (id % 11);
  p.volume = constants::pi / 4 * 100e-9 * 100e-9 * 2e-9;
  p.Hk = (50.0 + id % 13) * mT;
  p.ux = 0, p.uy = 0, p.uz = 1;
  p.Nx = 0, p.Ny = 0, p.Nz = 0;
  p.Hx = 5 * mT, p.Hy = 0, p.Hz = (100.0 + 0.5 * (id % 17)) * mT;
  p.px = 0.2, p.py = 0, p.pz = 1;
  p.polarization = 0.5;
  p.lambda = 0.1;
  p.beta = 0.05;
  p.current = -0.1e-3 * (1 + id % 3);
  p.temperature = 300;
  p.R_P = 1000;
  p.R_AP = 2000;
  p.m0x = 0.1 * std::cos(0.37 * id), p.m0y = 0.1 * std::sin(0.37 * id), p.m0z = 1;
  return p;
}

/// One RF field tone and one RF current tone per device, again varied with the global id.
void add_tones(MacrospinProblem& problem, std::uint32_t first_id, std::size_t count) {
  FieldTone field;
  CurrentTone current;
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint32_t id = first_id + static_cast<std::uint32_t>(i);
    field.amplitude_x.push_back(2 * mT);
    field.amplitude_y.push_back(0.5 * mT * (id % 5));
    field.amplitude_z.push_back(0);
    field.frequency.push_back(3e9 + 1e7 * (id % 9));
    field.phase.push_back(0.1 * (id % 4));
    current.amplitude.push_back(0.05e-3);
    current.frequency.push_back(3e9 + 1e7 * (id % 9));
    current.phase.push_back(0.2 * (id % 3));
  }
  problem.field_tones.push_back(std::move(field));
  problem.current_tones.push_back(std::move(current));
}

/// Devices first_id .. first_id + count - 1 over a short run (300 steps of 1 ps, 100 of transient),
/// each traced every 10 steps when `trace` lists them.
MacrospinProblem batch(std::uint32_t first_id, std::size_t count, Precision precision, std::uint64_t seed,
                       std::vector<std::uint32_t> trace = {}) {
  MacrospinProblem problem;
  for (std::size_t i = 0; i < count; ++i) problem.devices.push_back(junction(first_id + static_cast<std::uint32_t>(i)));
  add_tones(problem, first_id, count);
  problem.first_device_id = first_id;
  problem.dt = 1e-12;
  problem.steps = 300;
  problem.transient_steps = 100;
  problem.seed = seed;
  problem.precision = precision;
  problem.trace_every = trace.empty() ? 0 : 10;
  problem.trace_devices = std::move(trace);
  return problem;
}

/// Every per-device observable of MacrospinResult, by name.
const std::vector<std::pair<const char*, std::vector<double> MacrospinResult::*>>& observables() {
  static const std::vector<std::pair<const char*, std::vector<double> MacrospinResult::*>> all = {
      {"mean_mx", &MacrospinResult::mean_mx},
      {"mean_my", &MacrospinResult::mean_my},
      {"mean_mz", &MacrospinResult::mean_mz},
      {"mean_mx2", &MacrospinResult::mean_mx2},
      {"mean_my2", &MacrospinResult::mean_my2},
      {"mean_mz2", &MacrospinResult::mean_mz2},
      {"mean_resistance", &MacrospinResult::mean_resistance},
      {"rectified_voltage", &MacrospinResult::rectified_voltage},
      {"frequency", &MacrospinResult::frequency},
      {"final_mx", &MacrospinResult::final_mx},
      {"final_my", &MacrospinResult::final_my},
      {"final_mz", &MacrospinResult::final_mz},
  };
  return all;
}

std::uint64_t bits(double x) { return std::bit_cast<std::uint64_t>(x); }

/// Device i of `a` and device j of `b` have bit-identical observables.
void expect_identical_device(const MacrospinResult& a, std::size_t i, const MacrospinResult& b, std::size_t j) {
  for (const auto& [name, member] : observables()) {
    ASSERT_GT((a.*member).size(), i) << name;
    ASSERT_GT((b.*member).size(), j) << name;
    EXPECT_EQ(bits((a.*member)[i]), bits((b.*member)[j]))
        << name << ": " << (a.*member)[i] << " vs " << (b.*member)[j];
  }
}

/// Guards against a degenerate engine (for which every comparison below would pass trivially):
/// device i ends on the unit sphere, has moved, and the last trace sample of column k (taken after
/// the final step) is its final state.
void expect_sane_device(const MacrospinResult& r, std::size_t i, std::size_t columns, std::size_t k, double m0x) {
  const double norm = std::sqrt(r.final_mx[i] * r.final_mx[i] + r.final_my[i] * r.final_my[i] +
                                r.final_mz[i] * r.final_mz[i]);
  EXPECT_NEAR(norm, 1.0, 1e-5);
  EXPECT_NE(r.final_mx[i], m0x);
  ASSERT_GT(r.trace_samples, 1u);
  const std::size_t last = (r.trace_samples - 1) * columns + k;
  EXPECT_EQ(bits(r.trace_x[last]), bits(r.final_mx[i])) << "last trace sample is not the final state";
  EXPECT_EQ(bits(r.trace_y[last]), bits(r.final_my[i])) << "last trace sample is not the final state";
  EXPECT_EQ(bits(r.trace_z[last]), bits(r.final_mz[i])) << "last trace sample is not the final state";
  EXPECT_NE(bits(r.trace_x[k]), bits(r.trace_x[last])) << "the traced trajectory does not move";
}

/// Column ka of a's trace and column kb of b's trace are bit-identical.
void expect_identical_trace(const MacrospinResult& a, std::size_t columns_a, std::size_t ka, const MacrospinResult& b,
                            std::size_t columns_b, std::size_t kb) {
  ASSERT_EQ(a.trace_samples, b.trace_samples);
  ASSERT_GT(a.trace_samples, 0u);
  for (std::uint64_t s = 0; s < a.trace_samples; ++s) {
    const std::size_t ja = s * columns_a + ka, jb = s * columns_b + kb;
    ASSERT_EQ(bits(a.trace_x[ja]), bits(b.trace_x[jb])) << "trace sample " << s;
    ASSERT_EQ(bits(a.trace_y[ja]), bits(b.trace_y[jb])) << "trace sample " << s;
    ASSERT_EQ(bits(a.trace_z[ja]), bits(b.trace_z[jb])) << "trace sample " << s;
  }
}

/// Whole results are bit-identical, device for device.
void expect_identical(const MacrospinResult& a, const MacrospinResult& b) {
  for (const auto& [name, member] : observables()) {
    ASSERT_EQ((a.*member).size(), (b.*member).size()) << name;
    for (std::size_t i = 0; i < (a.*member).size(); ++i)
      ASSERT_EQ(bits((a.*member)[i]), bits((b.*member)[i])) << name << " of device " << i;
  }
  ASSERT_EQ(a.trace_x.size(), b.trace_x.size());
  for (std::size_t j = 0; j < a.trace_x.size(); ++j) {
    ASSERT_EQ(bits(a.trace_x[j]), bits(b.trace_x[j])) << "trace entry " << j;
    ASSERT_EQ(bits(a.trace_y[j]), bits(b.trace_y[j])) << "trace entry " << j;
    ASSERT_EQ(bits(a.trace_z[j]), bits(b.trace_z[j])) << "trace entry " << j;
  }
}

RunOptions on(Backend backend, int threads = 0) {
  RunOptions options;
  options.backend = backend;
  options.threads = threads;
  return options;
}

void skip_without_cuda(Backend backend) {
  if (backend == Backend::cuda && !cuda_available()) GTEST_SKIP() << "no CUDA device visible (or a build without CUDA)";
}

// ---------------------------------------------------------------------------------------------
// Device k alone == device k in a batch of 20003 (not a whole number of SIMD blocks or CUDA warps,
// so the last block is padded), for every backend and precision.

class BatchIndependence : public ::testing::TestWithParam<std::tuple<Backend, Precision>> {};

TEST_P(BatchIndependence, DeviceAloneMatchesItselfInsideALargeBatch) {
  const auto [backend, precision] = GetParam();
  skip_without_cuda(backend);
  if (IsSkipped()) return;
  constexpr std::size_t batch_size = 20003;
  // First and last devices, SIMD block and warp edges, one from the middle.
  const std::vector<std::uint32_t> probes = {0, 1, 7, 8, 15, 16, 31, 32, 4242, batch_size - 2, batch_size - 1};
  const std::uint64_t seed = 0x5eed'0000'1234'abcdULL;
  const MacrospinResult all = run_macrospin(batch(0, batch_size, precision, seed, probes), on(backend, 2));
  ASSERT_EQ(all.final_mx.size(), batch_size);
  for (std::size_t k = 0; k < probes.size(); ++k) {
    const std::uint32_t id = probes[k];
    SCOPED_TRACE("device " + std::to_string(id));
    const MacrospinResult alone = run_macrospin(batch(id, 1, precision, seed, {0}), on(backend, 1));
    const double m0x = 0.1 * std::cos(0.37 * id) / std::sqrt(1.01);
    expect_sane_device(all, id, probes.size(), k, m0x);
    expect_identical_device(all, id, alone, 0);
    expect_identical_trace(all, probes.size(), k, alone, 1, 0);
  }
}

TEST_P(BatchIndependence, DeviceIdNotPositionSelectsTheNoise) {
  // The same junction parameters run as device 5 and as device 6 must see different noise: the
  // batch test above would also pass if every device drew the same numbers.
  const auto [backend, precision] = GetParam();
  skip_without_cuda(backend);
  if (IsSkipped()) return;
  MacrospinProblem as_5 = batch(5, 1, precision, 7);
  MacrospinProblem as_6 = as_5;
  as_6.first_device_id = 6;
  const MacrospinResult a = run_macrospin(as_5, on(backend)), b = run_macrospin(as_6, on(backend));
  EXPECT_NE(bits(a.final_mx[0]), bits(b.final_mx[0]));
  EXPECT_NE(bits(a.mean_mz[0]), bits(b.mean_mz[0]));
}

std::string backend_precision_name(const ::testing::TestParamInfo<std::tuple<Backend, Precision>>& info) {
  return to_string(std::get<0>(info.param)) + "_" + to_string(std::get<1>(info.param));
}

INSTANTIATE_TEST_SUITE_P(Reproducibility, BatchIndependence,
                         ::testing::Combine(::testing::Values(Backend::cpu, Backend::cuda),
                                            ::testing::Values(Precision::float32, Precision::float64)),
                         backend_precision_name);

// ---------------------------------------------------------------------------------------------
// Thread count, seeds.

class PerPrecision : public ::testing::TestWithParam<Precision> {};

TEST_P(PerPrecision, OneThreadAndTwoThreadsAgreeBitForBit) {
  const MacrospinProblem problem = batch(0, 10007, GetParam(), 99, {0, 5000, 10006});
  const MacrospinResult one = run_macrospin(problem, on(Backend::cpu, 1));
  const MacrospinResult two = run_macrospin(problem, on(Backend::cpu, 2));
  expect_sane_device(one, 5000, 3, 1, 0.1 * std::cos(0.37 * 5000) / std::sqrt(1.01));
  expect_identical(one, two);
}

TEST_P(PerPrecision, SameSeedReproducesAnotherSeedChangesTheNoise) {
  const std::size_t n = 2000;
  const MacrospinResult first = run_macrospin(batch(0, n, GetParam(), 42, {0, 1}), on(Backend::cpu));
  const MacrospinResult again = run_macrospin(batch(0, n, GetParam(), 42, {0, 1}), on(Backend::cpu));
  expect_identical(first, again);

  const MacrospinResult other = run_macrospin(batch(0, n, GetParam(), 43, {0, 1}), on(Backend::cpu));
  std::size_t differing = 0;
  for (std::size_t i = 0; i < n; ++i)
    differing += bits(first.final_mx[i]) != bits(other.final_mx[i]) && bits(first.mean_mz[i]) != bits(other.mean_mz[i]);
  // Every device draws 300 fresh thermal fields; a collision of whole trajectories is impossible.
  EXPECT_EQ(differing, n);

  // The seed only keys the noise: at T = 0 it changes nothing.
  MacrospinProblem cold_a = batch(0, 64, GetParam(), 42), cold_b = batch(0, 64, GetParam(), 43);
  for (auto& d : cold_a.devices) d.temperature = 0;
  for (auto& d : cold_b.devices) d.temperature = 0;
  expect_identical(run_macrospin(cold_a, on(Backend::cpu)), run_macrospin(cold_b, on(Backend::cpu)));
}

INSTANTIATE_TEST_SUITE_P(Reproducibility, PerPrecision, ::testing::Values(Precision::float32, Precision::float64),
                         [](const ::testing::TestParamInfo<Precision>& info) { return to_string(info.param); });

// ---------------------------------------------------------------------------------------------
// CPU versus CUDA: the same step function and the same Philox numbers; the backends may differ
// only by rounding (FMA contraction, libm versus CUDA math in float64). Over 300 steps with a
// per-step rotation of ~1e-2 rad, a difference of a few ulp per step stays below ~1e3 ulp.

TEST_P(PerPrecision, CpuAndCudaAgreeToRounding) {
  if (!cuda_available()) GTEST_SKIP() << "no CUDA device visible (or a build without CUDA)";
  const Precision precision = GetParam();
  const double epsilon = precision == Precision::float32 ? 1.1920929e-7 : 2.220446049250313e-16;
  const double tolerance = 1e3 * epsilon;
  const std::size_t n = 4099;
  const MacrospinProblem problem = batch(0, n, precision, 2024, {0, 4098});
  const MacrospinResult cpu = run_macrospin(problem, on(Backend::cpu));
  const MacrospinResult gpu = run_macrospin(problem, on(Backend::cuda));
  ASSERT_NE(gpu.backend.find("cuda"), std::string::npos) << gpu.backend;
  for (const auto& [name, member] : observables()) {
    // Scale: |m| <= 1, R ~ 1e3 Ohm, voltage ~ 0.1 V, frequency ~ 1e9..1e10 Hz.
    double scale = 1;
    for (double v : cpu.*member) scale = std::max(scale, std::abs(v));
    // The phase increment is atan2 of a cross product of two nearly equal unit vectors, ~1e-4
    // here (0.02 rad per step at a cone angle of ~0.1 rad): its rounding is ~1e4 eps relative.
    const double allowed = (member == &MacrospinResult::frequency ? 10 : 1) * tolerance * scale;
    for (std::size_t i = 0; i < n; ++i)
      ASSERT_NEAR((cpu.*member)[i], (gpu.*member)[i], allowed) << name << " of device " << i;
  }
  ASSERT_EQ(cpu.trace_x.size(), gpu.trace_x.size());
  for (std::size_t j = 0; j < cpu.trace_x.size(); ++j) {
    ASSERT_NEAR(cpu.trace_x[j], gpu.trace_x[j], tolerance) << "trace entry " << j;
    ASSERT_NEAR(cpu.trace_y[j], gpu.trace_y[j], tolerance) << "trace entry " << j;
    ASSERT_NEAR(cpu.trace_z[j], gpu.trace_z[j], tolerance) << "trace entry " << j;
  }
}

// ---------------------------------------------------------------------------------------------
// Through the command line: the same config twice gives byte-identical traces and identical
// observables (result.json also holds wall time and throughput, which legitimately differ).

/// The CSV without its "# ..." header lines (which name the seed).
std::string without_comments(const std::string& csv) {
  std::string out;
  std::size_t begin = 0;
  while (begin < csv.size()) {
    const std::size_t end = std::min(csv.find('\n', begin), csv.size());
    if (csv[begin] != '#') out += csv.substr(begin, end - begin + 1);
    begin = end + 1;
  }
  return out;
}

/// The first line where two texts differ, for failure messages.
std::string first_difference(const std::string& a, const std::string& b) {
  std::istringstream in_a(a), in_b(b);
  std::string line_a, line_b;
  for (int line = 1;; ++line) {
    const bool more_a = static_cast<bool>(std::getline(in_a, line_a));
    const bool more_b = static_cast<bool>(std::getline(in_b, line_b));
    if (!more_a && !more_b) return "no difference";
    if (!more_a || !more_b || line_a != line_b)
      return "line " + std::to_string(line) + ": \"" + (more_a ? line_a : "<end>") + "\" vs \"" +
             (more_b ? line_b : "<end>") + "\"";
  }
}

const char* kThermalConfig = R"({
  "name": "reproducibility",
  "seed": 123456789012345,
  "precision": "float32",
  "devices": {
    "count": 300,
    "alpha": 0.02,
    "anisotropy_field_mT": 80,
    "field_mT": [5, 0, 50],
    "polarizer": [0.3, 0, 1],
    "current_mA": -0.1,
    "temperature_K": 300,
    "m0": [0.2, 0, 1],
    "rf_field": [{"amplitude_mT": [1, 0, 0], "frequency_GHz": 4}]
  },
  "integration": {"dt_ps": 1, "duration_ns": 2, "transient_ns": 0.5},
  "observables": {"trace": {"every_ps": 10, "devices": [0, 17, 299]}}
})";

TEST(ReproducibilityCli, SameConfigTwiceGivesIdenticalTraceAndObservables) {
  TempDir dir;
  test::write_text(dir / "config.json", kThermalConfig);
  json observables[2];
  std::string traces[2], resolved[2];
  for (int r = 0; r < 2; ++r) {
    const std::string out = (dir / ("out" + std::to_string(r))).string();
    // Different thread counts on purpose: the output must not depend on them either.
    const auto run = test::run_cli({"run", (dir / "config.json").string(), "--out", out, "--quiet", "--threads",
                                    std::to_string(r + 1)},
                                   dir.path());
    ASSERT_EQ(run.exit_code, 0) << run.err;
    traces[r] = test::read_text(test::fs::path(out) / "trace.csv");
    resolved[r] = test::read_text(test::fs::path(out) / "resolved.json");
    const json result = json::parse(test::read_text(test::fs::path(out) / "result.json"));
    ASSERT_TRUE(result.contains("observables"));
    EXPECT_EQ(result.at("seed").get<std::uint64_t>(), 123456789012345ULL);
    observables[r] = result.at("observables");
  }
  // The trace is real: its last row (device 299 after the final step, 9 significant digits) is
  // the final state that result.json reports.
  {
    const std::string csv = without_comments(traces[0]);
    const std::size_t start = csv.rfind('\n', csv.size() - 2) + 1;
    std::istringstream row(csv.substr(start));
    std::string t, device, x, y, z;
    std::getline(row, t, ','), std::getline(row, device, ','), std::getline(row, x, ','), std::getline(row, y, ','),
        std::getline(row, z);
    ASSERT_EQ(device, "299") << csv.substr(start);
    EXPECT_NEAR(std::stod(x), observables[0].at("final_mx")[299].get<double>(), 1e-8);
    EXPECT_NEAR(std::stod(y), observables[0].at("final_my")[299].get<double>(), 1e-8);
    EXPECT_NEAR(std::stod(z), observables[0].at("final_mz")[299].get<double>(), 1e-8);
    EXPECT_GT(std::abs(std::stod(x)) + std::abs(std::stod(y)), 0.0);
  }
  // (EXPECT_TRUE rather than EXPECT_EQ: a failure names the first difference instead of printing
  // two whole files.)
  EXPECT_TRUE(traces[0] == traces[1]) << "trace.csv differs between two runs of the same config: "
                                      << first_difference(traces[0], traces[1]);
  EXPECT_TRUE(resolved[0] == resolved[1]) << first_difference(resolved[0], resolved[1]);
  EXPECT_TRUE(observables[0] == observables[1])
      << "result.json observables differ between two runs of the same config: "
      << first_difference(observables[0].dump(1), observables[1].dump(1));

  // A different seed gives different noise.
  json config = json::parse(kThermalConfig);
  config["seed"] = 7;
  test::write_text(dir / "reseeded.json", config.dump());
  const std::string out = (dir / "reseeded").string();
  const auto run = test::run_cli({"run", (dir / "reseeded.json").string(), "--out", out, "--quiet"}, dir.path());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const json reseeded = json::parse(test::read_text(test::fs::path(out) / "result.json"));
  EXPECT_TRUE(reseeded.at("observables").at("final_mx") != observables[0].at("final_mx"))
      << "seeds 7 and 123456789012345 gave the same final states";
  EXPECT_TRUE(without_comments(test::read_text(test::fs::path(out) / "trace.csv")) != without_comments(traces[0]))
      << "seeds 7 and 123456789012345 gave the same trace";
}

// ---------------------------------------------------------------------------------------------
// Engine-drawn noise (auto-oscillators and their networks, batch.hpp): one Philox block serves
// three steps, drawn at the block's first step or at the first step of a chunk of the run loop.
// A device's trajectory must still depend only on (seed, device id, step): not on the batch it is
// in, the thread count, or where the run loop's chunks begin (chunks of max(1000, steps / 100)
// steps, so they start inside a block: 1000 = 3 * 333 + 1).

AutoOscillatorParameters thermal_oscillator(std::uint32_t id) {
  AutoOscillatorParameters p{};
  p.frequency = 5e9 * (1 + 1e-3 * (id % 13));
  p.nonlinear_shift = -2e9;
  p.damping_rate = 3e8;
  p.nonlinear_damping = 2;
  p.threshold_current = 1e-3;
  p.current = 1.5e-3;
  p.temperature = 300;
  p.energy = 2e-18;  // strong noise, so that a wrong draw shows at once
  p.signal_scale = 1e-3;
  p.c0_re = 0.3;
  return p;
}

ModelProblem<AutoOscillatorModel> oscillators(std::uint32_t first_id, std::size_t count, std::uint64_t steps,
                                              Precision precision) {
  ModelProblem<AutoOscillatorModel> problem;
  for (std::size_t i = 0; i < count; ++i) problem.devices.push_back(thermal_oscillator(first_id + static_cast<std::uint32_t>(i)));
  problem.control.dt = 2e-12;
  problem.control.steps = steps;
  problem.control.seed = 0xabcdef;
  problem.control.first_device_id = first_id;
  problem.control.precision = precision;
  return problem;
}

class EngineNoise : public ::testing::TestWithParam<std::tuple<Backend, Precision>> {};

TEST_P(EngineNoise, OscillatorAloneMatchesItselfInABatchWithAnyThreadCount) {
  const auto [backend, precision] = GetParam();
  skip_without_cuda(backend);
  if (IsSkipped()) return;
  constexpr std::size_t n = 1003;  // not a whole number of SIMD blocks
  const auto all = run_model(oscillators(0, n, 2500, precision), on(backend, 2));
  const auto all_one_thread = run_model(oscillators(0, n, 2500, precision), on(backend, 1));
  for (std::uint32_t id : {0u, 15u, 16u, 500u, 1002u}) {
    const auto alone = run_model(oscillators(id, 1, 2500, precision), on(backend, 1));
    SCOPED_TRACE("oscillator " + std::to_string(id));
    EXPECT_EQ(bits(alone.final_state[0].re), bits(all.final_state[id].re));
    EXPECT_EQ(bits(alone.final_state[0].im), bits(all.final_state[id].im));
    EXPECT_EQ(bits(alone.sums[0].phase), bits(all.sums[id].phase));
    EXPECT_EQ(bits(all_one_thread.final_state[id].re), bits(all.final_state[id].re));
  }
  // Neighbours see different noise (the checks above would pass if all drew the same numbers).
  EXPECT_NE(bits(all.final_state[0].re), bits(run_model(oscillators(1, 1, 2500, precision), on(backend)).final_state[0].re));
}

TEST_P(EngineNoise, ChunkBoundariesInsideAPhiloxBlockChangeNothing) {
  const auto [backend, precision] = GetParam();
  skip_without_cuda(backend);
  if (IsSkipped()) return;
  // 2000 steps run as chunks [0, 1000), [1000, 2000); 200000 steps as chunks of 2000. The state
  // after step 2000 must be the same (the second run's trace sample at step 2000).
  const auto short_run = run_model(oscillators(7, 20, 2000, precision), on(backend));
  auto long_problem = oscillators(7, 20, 200000, precision);
  long_problem.control.trace_every = 2000;
  long_problem.control.trace_devices = {0, 19};
  const auto long_run = run_model(long_problem, on(backend));
  ASSERT_GE(long_run.trace_samples, 1u);
  EXPECT_EQ(bits(long_run.trace_state[0].re), bits(short_run.final_state[0].re));
  EXPECT_EQ(bits(long_run.trace_state[0].im), bits(short_run.final_state[0].im));
  EXPECT_EQ(bits(long_run.trace_state[1].re), bits(short_run.final_state[19].re));
}

TEST_P(EngineNoise, NetworkOscillatorsDrawAsDevicesNetworkTimesSizePlusIndex) {
  // Uncoupled networks: oscillator j of network g is noise device (first + g) * M + j, so a
  // network of 3 uncoupled oscillators reproduces the single oscillators 3g, 3g + 1, 3g + 2.
  const auto [backend, precision] = GetParam();
  skip_without_cuda(backend);
  if (IsSkipped()) return;
  constexpr int M = 3;
  ModelProblem<OscillatorNetworkModel<M>> networks;
  for (std::uint32_t g = 0; g < 40; ++g) {
    OscillatorNetworkParameters<M> p{};
    for (int j = 0; j < M; ++j) p.oscillator[j] = thermal_oscillator(g * M + static_cast<std::uint32_t>(j));
    networks.devices.push_back(p);
  }
  const auto single = oscillators(0, 40 * M, 2500, precision);
  networks.control = single.control;
  const auto a = run_model(networks, on(backend));
  const auto b = run_model(single, on(backend));
  for (std::size_t g = 0; g < 40; ++g)
    for (int j = 0; j < M; ++j) {
      // Same noise and same equations; only the order of floating-point operations may differ
      // (the coupling sum adds exact zeros), so compare to rounding over 2500 steps.
      const double tolerance = precision == Precision::float32 ? 1e-4 : 1e-12;
      EXPECT_NEAR(a.final_state[g].re[j], b.final_state[g * M + j].re, tolerance) << g << ", " << j;
      EXPECT_NEAR(a.final_state[g].im[j], b.final_state[g * M + j].im, tolerance) << g << ", " << j;
    }
}

INSTANTIATE_TEST_SUITE_P(Reproducibility, EngineNoise,
                         ::testing::Combine(::testing::Values(Backend::cpu, Backend::cuda),
                                            ::testing::Values(Precision::float32, Precision::float64)),
                         backend_precision_name);

}  // namespace
}  // namespace spinnet
