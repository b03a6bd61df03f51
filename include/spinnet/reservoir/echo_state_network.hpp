// The software reservoir baseline: an echo-state network of N units updated once per feature frame
// (H. Jaeger, GMD Report 148 (2001); M. Lukosevicius, "A practical guide to applying echo state
// networks", LNCS 7700 (2012)):
//   x_t = (1 - a) x_{t-1} + a tanh(W x_{t-1} + W_in f_t + b),
// W dense N(0, 1) on a random fraction `density` of its entries, scaled to spectral radius rho;
// W_in a binary mask (time_multiplexing.hpp) scaled so that W_in f has standard deviation
// `input_scale` over the training frames; b uniform in (-bias, bias). The state is x_t.
#pragma once

#include <Eigen/Core>

#include <cstdint>

#include "spinnet/reservoir/reservoir.hpp"

namespace spinnet {

struct EchoStateOptions {
  int units = 400;
  double spectral_radius = 0.9;
  double input_scale = 0.5;
  double leak = 1.0;       // a
  double density = 0.1;
  double bias = 0.1;
  std::uint64_t seed = 1;
};

class EchoStateNetwork : public Reservoir {
 public:
  EchoStateNetwork(const EchoStateOptions& options, int channels);
  std::string name() const override { return "esn"; }
  int state_size() const override { return options_.units; }
  void fit_inputs(const std::vector<FeatureFrames>& features, const std::vector<std::size_t>& train) override;
  std::vector<StateFrames> transform(const std::vector<FeatureFrames>& features, std::uint32_t first_id,
                                     const RunOptions& options, const NodeProgress& progress) override;
  json to_json() const override;
  const Eigen::MatrixXd& recurrent() const { return recurrent_; }

 private:
  EchoStateOptions options_;
  Eigen::MatrixXd recurrent_, input_;  // N x N, N x C
  Eigen::VectorXd bias_;
  double input_gain_ = 1;
};

/// The largest |eigenvalue| of a square matrix.
double spectral_radius(const Eigen::MatrixXd& matrix);

}  // namespace spinnet
