// The classifier on state frames (state_readout.hpp).
#include "spinnet/reservoir/state_readout.hpp"

#include <stdexcept>

namespace spinnet {

void readout_rows(const std::vector<StateFrames>& states, const std::vector<std::size_t>& which, ReadoutFit fit,
                  Eigen::MatrixXd& rows, std::vector<int>& group) {
  if (which.empty()) throw std::invalid_argument("readout_rows: no recording");
  const Eigen::Index columns = states[which.front()].cols();
  Eigen::Index count = 0;
  for (std::size_t r : which) count += fit == ReadoutFit::utterance ? 1 : states[r].rows();
  rows.resize(count, columns);
  group.resize(static_cast<std::size_t>(count));
  Eigen::Index row = 0;
  for (std::size_t k = 0; k < which.size(); ++k) {
    const StateFrames& s = states[which[k]];
    if (fit == ReadoutFit::utterance) {
      rows.row(row) = s.cast<double>().colwise().mean();
      group[static_cast<std::size_t>(row++)] = static_cast<int>(k);
    } else {
      rows.middleRows(row, s.rows()) = s.cast<double>();
      for (Eigen::Index t = 0; t < s.rows(); ++t) group[static_cast<std::size_t>(row++)] = static_cast<int>(k);
    }
  }
}

std::vector<int> StateReadout::classify(const std::vector<StateFrames>& states,
                                        const std::vector<std::size_t>& which) const {
  Eigen::MatrixXd rows;
  std::vector<int> group;
  readout_rows(states, which, fit, rows, group);
  return classify_groups(ridge.predict(rows), group, static_cast<int>(which.size()));
}

TrainedStateReadout train_state_readout(const std::vector<StateFrames>& states, const std::vector<std::size_t>& which,
                                        const std::vector<int>& labels, int classes, const ReadoutOptions& options) {
  Eigen::MatrixXd rows;
  std::vector<int> group;
  readout_rows(states, which, options.fit, rows, group);
  TrainedStateReadout out;
  out.cross_validation = fit_ridge_classifier(rows, group, labels, classes, options.cross_validation);
  out.readout.fit = options.fit;
  out.readout.classes = classes;
  out.readout.ridge = out.cross_validation.fit;
  return out;
}

double accuracy(const std::vector<int>& predicted, const std::vector<int>& truth) {
  if (predicted.empty()) return 0.0;
  double correct = 0;
  for (std::size_t i = 0; i < predicted.size(); ++i) correct += predicted[i] == truth[i] ? 1.0 : 0.0;
  return correct / static_cast<double>(predicted.size());
}

}  // namespace spinnet
