// The echo-state network baseline (echo_state_network.hpp).
#include "spinnet/reservoir/echo_state_network.hpp"

#include <Eigen/Eigenvalues>

#include <chrono>
#include <cmath>
#include <stdexcept>

#include "spinnet/reservoir/reservoir_random.hpp"
#include "spinnet/reservoir/time_multiplexing.hpp"

namespace spinnet {

double spectral_radius(const Eigen::MatrixXd& matrix) {
  const Eigen::EigenSolver<Eigen::MatrixXd> solver(matrix, false);
  return solver.eigenvalues().cwiseAbs().maxCoeff();
}

EchoStateNetwork::EchoStateNetwork(const EchoStateOptions& options, int channels) : options_(options) {
  const int n = options.units;
  if (n < 1 || channels < 1) throw std::invalid_argument("EchoStateNetwork: units and channels must be positive");
  recurrent_ = Eigen::MatrixXd::Zero(n, n);
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < n; ++k) {
      const auto index = static_cast<std::uint64_t>(i) * static_cast<std::uint64_t>(n) + static_cast<std::uint64_t>(k);
      if (reservoir_uniform(options.seed, ReservoirDraw::esn_weights, 2 * index) < options.density)
        recurrent_(i, k) = reservoir_normal(options.seed, ReservoirDraw::esn_weights, 2 * index + 1);
    }
  const double radius = spectral_radius(recurrent_);
  if (radius > 0) recurrent_ *= options.spectral_radius / radius;
  input_ = make_input_mask(n, channels, MaskKind::binary, options.seed ^ 0x5a5a5a5aull);
  bias_.resize(n);
  for (int i = 0; i < n; ++i)
    bias_(i) = options.bias * (2 * reservoir_uniform(options.seed, ReservoirDraw::esn_bias, static_cast<std::uint64_t>(i)) - 1);
}

void EchoStateNetwork::fit_inputs(const std::vector<FeatureFrames>& features, const std::vector<std::size_t>& train) {
  double sum = 0, sum2 = 0, count = 0;
  for (std::size_t r : train) {
    const Eigen::MatrixXd u = features[r] * input_.transpose();
    sum += u.sum();
    sum2 += u.squaredNorm();
    count += static_cast<double>(u.size());
  }
  const double variance = count > 0 ? sum2 / count - (sum / count) * (sum / count) : 0.0;
  input_gain_ = options_.input_scale / (variance > 1e-30 ? std::sqrt(variance) : 1.0);
}

std::vector<StateFrames> EchoStateNetwork::transform(const std::vector<FeatureFrames>& features, std::uint32_t,
                                                     const RunOptions&, const NodeProgress& progress) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<StateFrames> states(features.size());
  const Eigen::MatrixXd input = input_ * input_gain_;
  const auto count = static_cast<std::ptrdiff_t>(features.size());
  const double a = options_.leak;
#pragma omp parallel for schedule(dynamic, 8)
  for (std::ptrdiff_t j = 0; j < count; ++j) {
    const FeatureFrames& f = features[static_cast<std::size_t>(j)];
    const Eigen::MatrixXd drive = (f * input.transpose()).rowwise() + bias_.transpose();  // frames x N
    StateFrames s(f.rows(), options_.units);
    Eigen::VectorXd x = Eigen::VectorXd::Zero(options_.units);
    for (Eigen::Index t = 0; t < f.rows(); ++t) {
      const Eigen::VectorXd pre = recurrent_ * x + drive.row(t).transpose();
      x = (1 - a) * x + a * pre.array().tanh().matrix();
      s.row(t) = x.transpose().cast<float>();
    }
    states[static_cast<std::size_t>(j)] = std::move(s);
  }
  if (progress) progress(1.0);
  cost_ = ReservoirCost{};
  cost_.backend = "cpu (software)";
  cost_.engine_seconds = cost_.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return states;
}

json EchoStateNetwork::to_json() const {
  return json{{"kind", "esn"},
              {"units", options_.units},
              {"spectral_radius", options_.spectral_radius},
              {"input_scale", options_.input_scale},
              {"leak", options_.leak},
              {"density", options_.density},
              {"bias", options_.bias},
              {"seed", options_.seed},
              {"input_gain", input_gain_}};
}

}  // namespace spinnet
