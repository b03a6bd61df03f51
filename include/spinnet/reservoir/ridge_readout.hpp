// The reservoir's linear readout: ridge regression (Tikhonov) with an unpenalized intercept,
//   W = (Z_c^T Z_c + lambda I)^{-1} Z_c^T Y_c,   b = mean(Y) - mean(Z) W,
// on standardized states Z (per-column mean and 1/std of the training rows; subscript c: centred),
// and the regularization chosen by K-fold cross-validation on the training rows. Every fold's
// centred Gram matrix is diagonalized once (C = Q L Q^T), so each candidate lambda costs one product:
// W(lambda) = Q (L + lambda)^{-1} Q^T Z_c^T Y_c. Candidates are relative: lambda = r trace(C) / columns.
#pragma once

#include <Eigen/Core>

#include <cstdint>
#include <vector>

namespace spinnet {

struct RidgeFit {
  Eigen::RowVectorXd mean, scale;  // standardization of the inputs: z = (x - mean) * scale
  Eigen::MatrixXd weights;         // columns x outputs, on z
  Eigen::RowVectorXd intercept;    // outputs
  double lambda = 0;               // absolute, on z
  double relative_lambda = 0;      // lambda / (trace(C) / columns)

  Eigen::MatrixXd predict(const Eigen::MatrixXd& x) const;
};

/// The closed form above with a given absolute lambda (standardize = false: z = x).
RidgeFit ridge_regression(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y, double lambda, bool standardize = true);

struct RidgeCvOptions {
  std::vector<double> relative_lambdas = default_relative_lambdas();
  int folds = 5;
  std::uint64_t seed = 1;
  /// 10^-9 .. 10^2, two per decade.
  static std::vector<double> default_relative_lambdas();
};

struct RidgeCvResult {
  RidgeFit fit;                    // refitted on every training row at the chosen lambda
  std::vector<double> relative_lambdas;
  std::vector<double> cv_accuracy; // classification: per candidate
  std::vector<double> cv_error;    // mean squared error of the held-out rows, per candidate
  std::size_t chosen = 0;
};

/// Classification: row r belongs to recording group[r] of class label[group[r]]; targets are one-hot
/// per row; a recording's class is the argmax of its rows' summed outputs. Folds split the
/// recordings (not the rows), shuffled with the seed; the chosen lambda has the best cross-validated
/// accuracy, ties broken by the lower held-out squared error.
RidgeCvResult fit_ridge_classifier(const Eigen::MatrixXd& x, const std::vector<int>& group,
                                   const std::vector<int>& label, int classes, const RidgeCvOptions& options);

/// Regression of y on x: folds are contiguous blocks of rows (time series); the chosen lambda has
/// the lowest held-out squared error.
RidgeCvResult fit_ridge_regression(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y, const RidgeCvOptions& options);

/// argmax over classes of the summed outputs of each group's rows (groups 0 .. groups - 1).
std::vector<int> classify_groups(const Eigen::MatrixXd& outputs, const std::vector<int>& group, int groups);

}  // namespace spinnet
