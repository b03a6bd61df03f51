// The classifier on a reservoir's state frames: ridge regression toward one-hot class targets,
// trained on every frame or on each recording's time-averaged state (ReadoutFit), with the
// regularization cross-validated on the training recordings; a recording's class is the argmax of
// its outputs summed over its frames (Torrejon et al. 2017).
#pragma once

#include <Eigen/Core>

#include <vector>

#include "spinnet/reservoir/reservoir.hpp"
#include "spinnet/reservoir/reservoir_config.hpp"
#include "spinnet/reservoir/ridge_readout.hpp"

namespace spinnet {

struct StateReadout {
  ReadoutFit fit = ReadoutFit::utterance;
  int classes = 0;
  RidgeFit ridge;

  /// The class of each recording in `which`.
  std::vector<int> classify(const std::vector<StateFrames>& states, const std::vector<std::size_t>& which) const;
};

struct TrainedStateReadout {
  StateReadout readout;
  RidgeCvResult cross_validation;
};

/// Trains on the recordings `which` of class labels[k] (k indexes `which`).
TrainedStateReadout train_state_readout(const std::vector<StateFrames>& states, const std::vector<std::size_t>& which,
                                        const std::vector<int>& labels, int classes, const ReadoutOptions& options);

/// The readout's input rows for recordings `which`: one time-averaged row per recording (utterance)
/// or every frame (frames); group[r] is the position in `which` of row r's recording.
void readout_rows(const std::vector<StateFrames>& states, const std::vector<std::size_t>& which, ReadoutFit fit,
                  Eigen::MatrixXd& rows, std::vector<int>& group);

/// Fraction of `predicted` equal to `truth`.
double accuracy(const std::vector<int>& predicted, const std::vector<int>& truth);

}  // namespace spinnet
