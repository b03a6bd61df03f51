// What every reservoir of the spoken-digit study is to the readout: a map from the feature frames of
// a recording to state frames (frames x state size), the same for the STNO reservoir, its baselines
// (the preprocessed features alone, a linear reservoir, an echo-state network) and, later, arrays of
// coupled oscillators.
#pragma once

#include <Eigen/Core>

#include <cstdint>
#include <string>
#include <vector>

#include "spinnet/reservoir/audio_features.hpp"
#include "spinnet/reservoir/node_dynamics.hpp"

namespace spinnet {

/// Frames x state size of one recording.
using StateFrames = Eigen::MatrixXf;

/// What a transform cost.
struct ReservoirCost {
  double device_steps = 0;    // integration steps x systems (physical reservoirs)
  double engine_seconds = 0;  // time in the engine or the software update
  double wall_seconds = 0;    // the whole transform
  std::string backend;
  double device_steps_per_second() const { return engine_seconds > 0 ? device_steps / engine_seconds : 0.0; }
};

class Reservoir {
 public:
  virtual ~Reservoir() = default;
  /// "stno", "linear", "esn", "preprocessing_only".
  virtual std::string name() const = 0;
  virtual int state_size() const = 0;
  /// Fits what the reservoir takes from the training recordings' features (the input scaling);
  /// called once before transform().
  virtual void fit_inputs(const std::vector<FeatureFrames>& features, const std::vector<std::size_t>& train) {
    (void)features, (void)train;
  }
  /// The state frames of every recording. `first_id`: the global id of the first system (noise).
  virtual std::vector<StateFrames> transform(const std::vector<FeatureFrames>& features, std::uint32_t first_id,
                                             const RunOptions& options, const NodeProgress& progress) = 0;
  /// Everything needed to rebuild the fitted reservoir (trained-reservoir files).
  virtual json to_json() const = 0;
  const ReservoirCost& cost() const { return cost_; }

 protected:
  ReservoirCost cost_;
};

/// The readout on the preprocessed features themselves: no reservoir.
class PreprocessingOnly : public Reservoir {
 public:
  explicit PreprocessingOnly(int channels) : channels_(channels) {}
  std::string name() const override { return "preprocessing_only"; }
  int state_size() const override { return channels_; }
  std::vector<StateFrames> transform(const std::vector<FeatureFrames>& features, std::uint32_t first_id,
                                     const RunOptions& options, const NodeProgress& progress) override;
  json to_json() const override;

 private:
  int channels_;
};

}  // namespace spinnet
