// The preprocessing-only baseline and time multiplexing (reservoir.hpp, time_multiplexing.hpp).
#include "spinnet/reservoir/reservoir.hpp"

#include <chrono>
#include <cmath>
#include <stdexcept>

#include "spinnet/reservoir/reservoir_random.hpp"
#include "spinnet/reservoir/time_multiplexing.hpp"

namespace spinnet {

std::vector<StateFrames> PreprocessingOnly::transform(const std::vector<FeatureFrames>& features, std::uint32_t,
                                                      const RunOptions&, const NodeProgress& progress) {
  std::vector<StateFrames> out;
  out.reserve(features.size());
  for (const auto& f : features) out.push_back(f.cast<float>());
  if (progress) progress(1.0);
  cost_ = ReservoirCost{};
  cost_.backend = "none";
  return out;
}

json PreprocessingOnly::to_json() const { return json{{"kind", "preprocessing_only"}, {"channels", channels_}}; }

std::string to_string(MaskKind kind) {
  switch (kind) {
    case MaskKind::binary: return "binary";
    case MaskKind::uniform: return "uniform";
    case MaskKind::normal: return "normal";
  }
  return "?";
}

Eigen::MatrixXd make_input_mask(int rows, int channels, MaskKind kind, std::uint64_t seed) {
  if (rows < 1 || channels < 1) throw std::invalid_argument("make_input_mask: rows and channels must be positive");
  Eigen::MatrixXd mask(rows, channels);
  const double norm = 1 / std::sqrt(static_cast<double>(channels));
  for (int i = 0; i < rows; ++i)
    for (int c = 0; c < channels; ++c) {
      const auto index = static_cast<std::uint64_t>(i) * static_cast<std::uint64_t>(channels) + static_cast<std::uint64_t>(c);
      double v = 0;
      switch (kind) {
        case MaskKind::binary: v = reservoir_uniform(seed, ReservoirDraw::mask, index) < 0.5 ? -1.0 : 1.0; break;
        case MaskKind::uniform: v = 2 * reservoir_uniform(seed, ReservoirDraw::mask, index) - 1; break;
        case MaskKind::normal: v = reservoir_normal(seed, ReservoirDraw::mask, index); break;
      }
      mask(i, c) = v * norm;
    }
  return mask;
}

TimeMultiplexedReservoir::TimeMultiplexedReservoir(std::string name, std::shared_ptr<const NodeDynamics> dynamics,
                                                   Eigen::MatrixXd mask)
    : name_(std::move(name)), dynamics_(std::move(dynamics)), mask_(std::move(mask)) {
  const int per_node = dynamics_->inputs_per_node();
  if (mask_.rows() % per_node != 0) throw std::invalid_argument("TimeMultiplexedReservoir: mask rows != nodes x inputs");
  nodes_ = static_cast<int>(mask_.rows()) / per_node;
}

void TimeMultiplexedReservoir::fit_inputs(const std::vector<FeatureFrames>& features,
                                          const std::vector<std::size_t>& train) {
  double sum = 0, sum2 = 0, count = 0;
  for (std::size_t r : train) {
    const Eigen::MatrixXd u = features[r] * mask_.transpose();
    sum += u.sum();
    sum2 += u.squaredNorm();
    count += static_cast<double>(u.size());
  }
  const double variance = count > 0 ? sum2 / count - (sum / count) * (sum / count) : 0.0;
  input_scale_ = variance > 1e-30 ? 1 / std::sqrt(variance) : 1.0;
}

std::vector<float> TimeMultiplexedReservoir::node_inputs(const FeatureFrames& features) const {
  if (features.cols() != mask_.cols())
    throw std::invalid_argument("TimeMultiplexedReservoir: " + std::to_string(features.cols()) +
                                " channels per frame, the mask has " + std::to_string(mask_.cols()));
  const Eigen::MatrixXd u = (features * mask_.transpose()) * input_scale_;  // frames x (nodes x inputs)
  std::vector<float> out(static_cast<std::size_t>(u.size()));
  for (Eigen::Index t = 0; t < u.rows(); ++t)
    for (Eigen::Index k = 0; k < u.cols(); ++k) out[static_cast<std::size_t>(t * u.cols() + k)] = static_cast<float>(u(t, k));
  return out;
}

std::vector<StateFrames> TimeMultiplexedReservoir::transform(const std::vector<FeatureFrames>& features,
                                                             std::uint32_t first_id, const RunOptions& options,
                                                             const NodeProgress& progress) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::vector<float>> inputs(features.size());
  for (std::size_t j = 0; j < features.size(); ++j) inputs[j] = node_inputs(features[j]);
  const NodeResponses responses = dynamics_->run(inputs, first_id, options, progress);
  const int outputs = dynamics_->outputs_per_node();
  std::vector<StateFrames> states(features.size());
  for (std::size_t j = 0; j < features.size(); ++j) {
    const Eigen::Index frames = features[j].rows();
    StateFrames s(frames, state_size());
    const auto& v = responses.values[j];
    for (Eigen::Index t = 0; t < frames; ++t)
      for (int k = 0; k < nodes_ * outputs; ++k) s(t, k) = v[static_cast<std::size_t>(t * nodes_ * outputs + k)];
    states[j] = std::move(s);
  }
  cost_.device_steps = responses.device_steps;
  cost_.engine_seconds = responses.engine_seconds;
  cost_.backend = responses.backend;
  cost_.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return states;
}

json TimeMultiplexedReservoir::to_json() const {
  json mask = json::array();
  for (Eigen::Index i = 0; i < mask_.rows(); ++i) {
    json row = json::array();
    for (Eigen::Index c = 0; c < mask_.cols(); ++c) row.push_back(mask_(i, c));
    mask.push_back(std::move(row));
  }
  return json{{"kind", name_},
              {"nodes", nodes_},
              {"input_scale", input_scale_},
              {"dynamics", dynamics_->describe()},
              {"mask", std::move(mask)}};
}

}  // namespace spinnet
