// The reservoir's physics and its parts: the vortex reservoir's response to a step of current
// against the amplitude (radial) equation and its relaxation time, over {cpu, cuda} x {one
// sequence, a batch}; results that do not depend on the batch layout; the linear reservoir's exact
// recursion; masks, time multiplexing, the echo-state network; NARMA-10.
#include <gtest/gtest.h>

#include <cmath>

#include "physics_fixtures.hpp"
#include "spinnet/models/vortex_orbit.hpp"
#include "spinnet/reservoir/echo_state_network.hpp"
#include "spinnet/reservoir/linear_nodes.hpp"
#include "spinnet/reservoir/memory_tasks.hpp"
#include "spinnet/reservoir/time_multiplexing.hpp"
#include "spinnet/reservoir/vortex_nodes.hpp"
#include "spinnet/reservoir/waveform_task.hpp"

namespace spinnet {
namespace {

using physics_test::EngineCase;
using physics_test::PhysicsTest;

/// s(t) of the noiseless radial equation ds/dt = rate(s, I) (vortex_orbit.hpp) by classical RK4
/// with a step of dt / 10: its error (~(dt / tau)^4) is far below anything compared here.
std::vector<double> radial_reference(const VortexParameters& p, double s0, double current, double step,
                                     std::size_t samples, int per_sample) {
  std::vector<double> out;
  double s = s0;
  const double h = step / per_sample;
  for (std::size_t k = 0; k < samples; ++k) {
    for (int i = 0; i < per_sample; ++i) {
      const double k1 = vortex_radial_rate(p, s, current), k2 = vortex_radial_rate(p, s + h / 2 * k1, current);
      const double k3 = vortex_radial_rate(p, s + h / 2 * k2, current), k4 = vortex_radial_rate(p, s + h * k3, current);
      s += h / 6 * (k1 + 2 * k2 + 2 * k3 + k4);
    }
    out.push_back(s);
  }
  return out;
}

class VortexReservoir : public PhysicsTest {};

// A reservoir node reads the orbit radius s. For the Thiele model without noise s obeys a closed
// equation (vortex_orbit.hpp), so after a step of the node input from 0 to +-1 (I = 7 mA +- 0.1 mA,
// the Torrejon operating point at 300 K without its noise) the envelope sampled once per node must
// follow that equation's solution, and its late relaxation must have the time constant
// tau = -1 / (d rate / ds) at the new orbit, vortex_amplitude_relaxation_time (~60 ns).
// Tolerances: at dt = 20 ps (omega dt = 0.038) Heun's amplitude gain per gyration step is
// (omega dt)^4 / 8 = 2.6e-7, an extra growth 1.3e4 / s against 1 / tau = 1.6e7 / s: it shifts s by
// s tau g = 5e-4 and tau by ~0.2 %. The responses are compared relative to their value before the
// step (the common shift cancels to ~1e-5 of s); float32 rounding of the state over 2e5 steps adds
// ~1e-5. Hence 2e-4 on the response (1 % of the 0.019 step) and 1 % on tau.
TEST_P(VortexReservoir, StepResponseFollowsTheAmplitudeEquation) {
  VortexNodeOptions options;
  options.device = vortex_at(torrejon2017_parameters(), 7e-3, 0.0);
  options.node_duration = 10e-9;
  options.dt = 20e-12;
  options.current_per_input = 0.1e-3;
  options.warmup = 1000e-9;
  options.batch_devices = 16;
  const VortexNodes nodes(options);
  const std::size_t before = 20, after = 60;
  std::vector<std::vector<float>> inputs;
  const std::size_t sequences = GetParam().batch ? 20 : 2;
  for (std::size_t j = 0; j < sequences; ++j) {
    std::vector<float> u(before + after, 0.0f);
    for (std::size_t k = before; k < u.size(); ++k) u[k] = j % 2 == 0 ? 1.0f : -1.0f;
    inputs.push_back(u);
  }
  RunOptions run;
  run.backend = GetParam().backend;
  const NodeResponses responses = nodes.run(inputs, 0, run, {});
  for (std::size_t j = 0; j < sequences; ++j) {
    SCOPED_TRACE("sequence " + std::to_string(j));
    const double current = 7e-3 + (j % 2 == 0 ? 0.1e-3 : -0.1e-3);
    const auto& envelope = responses.values[j];
    const double s_before = envelope[before - 1];
    // Before the step: on the steady orbit at 7 mA (Heun's shift aside).
    EXPECT_NEAR(s_before, vortex_steady_orbit(options.device, 7e-3), 2e-3);
    const std::vector<double> reference = radial_reference(options.device, vortex_steady_orbit(options.device, 7e-3),
                                                           current, options.node_duration, after, 500);
    const double s_reference_before = vortex_steady_orbit(options.device, 7e-3);
    for (std::size_t k = 0; k < after; ++k)
      ASSERT_NEAR(envelope[before + k] - s_before, reference[k] - s_reference_before, 2e-4) << "node " << k;
    // Late relaxation: ln|s - s_final| against time, fitted over the last 40 nodes.
    const double s_final = vortex_steady_orbit(options.device, current);
    double sx = 0, sy = 0, sxx = 0, sxy = 0, n = 0;
    for (std::size_t k = 20; k < 45; ++k) {
      const double t = (k + 1) * options.node_duration;
      const double y = std::log(std::abs(reference[k] - s_final));
      sx += t, sy += y, sxx += t * t, sxy += t * y, n += 1;
    }
    const double tau_reference = -1 / ((n * sxy - sx * sy) / (n * sxx - sx * sx));
    const double tau = vortex_amplitude_relaxation_time(options.device, current);
    EXPECT_NEAR(tau_reference, tau, 0.01 * tau);
    EXPECT_GT(tau, 40e-9);
    EXPECT_LT(tau, 80e-9);
    // The simulated envelope relaxes with the same time: the fraction of the step done after one
    // tau is 1 - 1/e to within the linearization error (the step changes tau by ~5 %).
    const auto one_tau = static_cast<std::size_t>(std::lround(tau / options.node_duration)) - 1;
    const double fraction = (envelope[before + one_tau] - s_before) / (s_final - s_reference_before);
    EXPECT_NEAR(fraction, 1 - std::exp(-1.0), 0.05);
  }
  // Every sequence of one sign had the same inputs and no noise: identical envelopes whatever the
  // batch holds.
  for (std::size_t j = 2; j < sequences; ++j) EXPECT_TRUE(responses.values[j] == responses.values[j % 2]) << j;
}

INSTANTIATE_TEST_SUITE_P(Backends, VortexReservoir, ::testing::ValuesIn(physics_test::engine_cases()),
                         physics_test::case_name);

TEST(VortexReservoirNoise, EnvelopesDoNotDependOnTheBatchLayout) {
  // At 300 K each sequence draws its noise by its rank in the length-sorted batch, so batches of
  // 16 or of 48 give bit-identical envelopes.
  VortexNodeOptions options;
  options.node_duration = 10e-9;
  options.warmup = 100e-9;
  std::vector<std::vector<float>> inputs;
  for (int j = 0; j < 40; ++j) {
    std::vector<float> u(30 + (j * 7) % 23);
    for (std::size_t k = 0; k < u.size(); ++k) u[k] = static_cast<float>(std::sin(0.3 * k + j));
    inputs.push_back(u);
  }
  options.batch_devices = 16;
  const NodeResponses small = VortexNodes(options).run(inputs, 0, {}, {});
  options.batch_devices = 48;
  const NodeResponses large = VortexNodes(options).run(inputs, 0, {}, {});
  std::size_t differing = 0;
  for (std::size_t j = 0; j < inputs.size(); ++j) differing += small.values[j] != large.values[j];
  EXPECT_EQ(differing, 0u) << "sequences whose envelopes depend on the batch size";
  EXPECT_TRUE(small.values[0] != small.values[1]);  // different inputs and noise
  EXPECT_GT(small.device_steps, 0.0);
}

TEST(LinearReservoir, IsTheExactRecursionOfTheLinearizedVortex) {
  // A constant input u for n nodes: x_n = g u (1 - a^n), a = exp(-theta / tau).
  const VortexNodeOptions vortex;
  const LinearNodeOptions o = linearized(vortex);
  EXPECT_NEAR(o.relaxation_time, vortex_amplitude_relaxation_time(vortex.device, vortex.device.current), 1e-15);
  EXPECT_GT(o.gain, 0.0);
  const LinearNodes nodes(o);
  const NodeResponses r = nodes.run({std::vector<float>(50, 1.0f)}, 0, {}, {});
  const double a = std::exp(-o.node_duration / o.relaxation_time);
  for (int n = 1; n <= 50; ++n)
    EXPECT_NEAR(r.values[0][static_cast<std::size_t>(n - 1)], o.offset + o.gain * (1 - std::pow(a, n)), 1e-6);
}

TEST(TimeMultiplexing, MaskIsSeededAndInputsHaveUnitSpread) {
  const Eigen::MatrixXd a = make_input_mask(50, 9, MaskKind::binary, 3), b = make_input_mask(50, 9, MaskKind::binary, 3);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, make_input_mask(50, 9, MaskKind::binary, 4));
  EXPECT_NEAR(a.cwiseAbs().maxCoeff(), 1 / 3.0, 1e-15);
  EXPECT_NEAR(a.cwiseAbs().minCoeff(), 1 / 3.0, 1e-15);
  const Eigen::MatrixXd u = make_input_mask(200, 50, MaskKind::uniform, 1);
  EXPECT_LE(u.cwiseAbs().maxCoeff(), 1 / std::sqrt(50.0));
  // Node inputs: frame-major, node k of frame t is input_scale (M f_t)_k; fitted to unit spread.
  std::vector<FeatureFrames> features{FeatureFrames::Random(30, 9), FeatureFrames::Random(20, 9)};
  TimeMultiplexedReservoir reservoir("linear", std::make_shared<LinearNodes>(LinearNodeOptions{}), a);
  reservoir.fit_inputs(features, {0, 1});
  double sum2 = 0, count = 0, sum = 0;
  for (const auto& f : features)
    for (float v : reservoir.node_inputs(f)) sum += v, sum2 += v * v, count += 1;
  EXPECT_NEAR(sum2 / count - (sum / count) * (sum / count), 1.0, 1e-5);
  const std::vector<float> nodes = reservoir.node_inputs(features[1]);
  ASSERT_EQ(nodes.size(), 20u * 50u);
  EXPECT_NEAR(nodes[3 * 50 + 7], reservoir.input_scale() * a.row(7).dot(features[1].row(3)), 1e-5);
  const auto states = reservoir.transform(features, 0, {}, {});
  EXPECT_EQ(states[1].rows(), 20);
  EXPECT_EQ(states[1].cols(), 50);
}

TEST(EchoStateNetwork, HasTheRequestedSpectralRadiusAndBoundedStates) {
  EchoStateOptions o;
  o.units = 60;
  o.spectral_radius = 0.8;
  EchoStateNetwork esn(o, 5);
  EXPECT_NEAR(spectral_radius(esn.recurrent()), 0.8, 1e-9);
  std::vector<FeatureFrames> features{10 * FeatureFrames::Random(40, 5)};
  esn.fit_inputs(features, {0});
  const auto states = esn.transform(features, 0, {}, {});
  EXPECT_LE(states[0].cwiseAbs().maxCoeff(), 1.0f);
  EXPECT_GT(states[0].cwiseAbs().maxCoeff(), 0.01f);
}

TEST(MemoryTasks, NarmaTenRecursionAndInputs) {
  // y_{k+1} = 0.3 y_k + 0.05 y_k sum_{i<10} y_{k-i} + 1.5 v_{k-9} v_k + 0.1 (Atiya and Parlos 2000).
  const std::vector<double> v(30, 0.5);
  const std::vector<double> y = narma10(v);
  EXPECT_DOUBLE_EQ(y[9], 0.0);
  EXPECT_DOUBLE_EQ(y[10], 1.5 * 0.25 + 0.1);
  EXPECT_DOUBLE_EQ(y[11], 0.3 * y[10] + 0.05 * y[10] * y[10] + 1.5 * 0.25 + 0.1);
  const std::vector<double> u = memory_task_input(20000, 1);
  double mean = 0, square = 0;
  for (double x : u) {
    mean += x / 20000, square += x * x / 20000;
    EXPECT_LT(std::abs(x), 1.0);
  }
  EXPECT_NEAR(mean, 0.0, 4 * std::sqrt(1.0 / 3 / 20000));
  EXPECT_NEAR(square, 1.0 / 3, 0.01);
}

TEST(WaveformTask, SineAndSquarePeriods) {
  const WaveformSequence s = sine_square_sequence(40, 8, 2, 0);
  ASSERT_EQ(s.input.size(), 320u);
  int sines = 0;
  for (std::size_t p = 0; p < 40; ++p) {
    const bool sine = s.is_sine[8 * p] == 1;
    sines += sine;
    for (std::size_t k = 0; k < 8; ++k) {
      const double expected = sine ? std::sin(2 * M_PI * k / 8) : (k < 4 ? 1.0 : -1.0);
      EXPECT_NEAR(s.input[8 * p + k], expected, 1e-12);
    }
  }
  EXPECT_GT(sines, 5);
  EXPECT_LT(sines, 35);
}

}  // namespace
}  // namespace spinnet
