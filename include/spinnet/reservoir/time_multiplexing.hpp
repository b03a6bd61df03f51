// Time multiplexing (Appeltant et al., Nat. Commun. 2, 468 (2011); Torrejon et al. 2017): each
// feature frame f_t (C channels) is spread over N_v virtual nodes by a fixed random mask M
// (N_v x C), and node i of frame t drives the node dynamics with
//   u_{t,i} = (M f_t)_i / sigma,    sigma = the standard deviation of M f over the training frames,
// for one node duration theta; the frame's state is the N_v node outputs (times the outputs per node).
#pragma once

#include <Eigen/Core>

#include <memory>
#include <string>

#include "spinnet/reservoir/reservoir.hpp"

namespace spinnet {

enum class MaskKind { binary, uniform, normal };
std::string to_string(MaskKind kind);

/// rows x channels, entries +-1 (binary), U(-1, 1) or N(0, 1), divided by sqrt(channels); entry
/// (i, c) is draw i * channels + c of ReservoirDraw::mask.
Eigen::MatrixXd make_input_mask(int rows, int channels, MaskKind kind, std::uint64_t seed);

class TimeMultiplexedReservoir : public Reservoir {
 public:
  /// mask: (nodes x dynamics->inputs_per_node()) x channels, node-major.
  TimeMultiplexedReservoir(std::string name, std::shared_ptr<const NodeDynamics> dynamics, Eigen::MatrixXd mask);
  std::string name() const override { return name_; }
  int nodes() const { return nodes_; }
  int state_size() const override { return nodes_ * dynamics_->outputs_per_node(); }
  void fit_inputs(const std::vector<FeatureFrames>& features, const std::vector<std::size_t>& train) override;
  std::vector<StateFrames> transform(const std::vector<FeatureFrames>& features, std::uint32_t first_id,
                                     const RunOptions& options, const NodeProgress& progress) override;
  json to_json() const override;

  /// u for one recording: frames x nodes x inputs_per_node, flattened in that order.
  std::vector<float> node_inputs(const FeatureFrames& features) const;
  const Eigen::MatrixXd& mask() const { return mask_; }
  double input_scale() const { return input_scale_; }
  void set_input_scale(double scale) { input_scale_ = scale; }
  const NodeDynamics& dynamics() const { return *dynamics_; }

 private:
  std::string name_;
  std::shared_ptr<const NodeDynamics> dynamics_;
  Eigen::MatrixXd mask_;
  int nodes_ = 0;
  double input_scale_ = 1;  // 1 / sigma
};

}  // namespace spinnet
