// Ridge regression against its closed form, and its cross-validation against explicit refits.
#include <gtest/gtest.h>

#include <Eigen/Dense>

#include <random>

#include "spinnet/reservoir/ridge_readout.hpp"
#include "spinnet/reservoir/state_readout.hpp"

namespace spinnet {
namespace {

Eigen::MatrixXd random_matrix(Eigen::Index rows, Eigen::Index cols, unsigned seed) {
  std::mt19937 generator(seed);
  std::normal_distribution<double> normal;
  Eigen::MatrixXd m(rows, cols);
  for (Eigen::Index i = 0; i < rows; ++i)
    for (Eigen::Index j = 0; j < cols; ++j) m(i, j) = normal(generator);
  return m;
}

TEST(RidgeRegression, OneVariableClosedForm) {
  // y = 2 x + 1 on x = 1..4: centred, sum x_c y_c = 2 sum x_c^2 = 10, so w = 10 / (5 + lambda)
  // and b = mean(y) - w mean(x).
  Eigen::MatrixXd x(4, 1), y(4, 1);
  x << 1, 2, 3, 4;
  y = 2 * x.array() + 1;
  for (double lambda : {0.0, 0.5, 3.0}) {
    const RidgeFit fit = ridge_regression(x, y, lambda, false);
    const double w = 10 / (5 + lambda);
    EXPECT_NEAR(fit.weights(0, 0), w, 1e-14);
    EXPECT_NEAR(fit.intercept(0), 6 - w * 2.5, 1e-13);
  }
}

TEST(RidgeRegression, MatchesTheNormalEquations) {
  // W = (X_c^T X_c + lambda I)^{-1} X_c^T Y_c, b = mean(Y) - mean(X) W, by an explicit inverse.
  const Eigen::MatrixXd x = random_matrix(200, 6, 1);
  const Eigen::MatrixXd w_true = random_matrix(6, 3, 2);
  const Eigen::MatrixXd y = (x * w_true).array() + 0.3 + 0.1 * random_matrix(200, 3, 3).array();
  const double lambda = 7.5;
  const RidgeFit fit = ridge_regression(x, y, lambda, false);
  const Eigen::MatrixXd xc = x.rowwise() - x.colwise().mean(), yc = y.rowwise() - y.colwise().mean();
  const Eigen::MatrixXd expected =
      (xc.transpose() * xc + lambda * Eigen::MatrixXd::Identity(6, 6)).inverse() * xc.transpose() * yc;
  EXPECT_LT((fit.weights - expected).cwiseAbs().maxCoeff(), 1e-12);
  const Eigen::RowVectorXd b = y.colwise().mean() - x.colwise().mean() * expected;
  EXPECT_LT((fit.intercept - b).cwiseAbs().maxCoeff(), 1e-12);
  // Standardized inputs: the same fit on z = (x - mean) / std, and predictions on raw x.
  const RidgeFit standardized = ridge_regression(x, y, 0.0, true);
  EXPECT_LT((standardized.predict(x) - ridge_regression(x, y, 0.0, false).predict(x)).cwiseAbs().maxCoeff(), 1e-10);
}

TEST(RidgeRegression, CrossValidationErrorsAreThoseOfExplicitRefits) {
  // The per-fold eigendecomposition gives, for every lambda, exactly the held-out squared error of
  // a ridge refitted on the other folds (contiguous folds for regression).
  const Eigen::MatrixXd x = random_matrix(120, 5, 4);
  const Eigen::MatrixXd y = x * random_matrix(5, 2, 5) + 0.5 * random_matrix(120, 2, 6);
  RidgeCvOptions options;
  options.folds = 4;
  options.relative_lambdas = {1e-3, 0.1, 10};
  const RidgeCvResult cv = fit_ridge_regression(x, y, options);
  // Standardization is fitted once on every training row (as the implementation does).
  const Eigen::RowVectorXd mean = x.colwise().mean();
  const Eigen::RowVectorXd scale =
      ((x.rowwise() - mean).array().square().colwise().mean()).sqrt().inverse().matrix();
  const Eigen::MatrixXd z = (x.rowwise() - mean).array().rowwise() * scale.array();
  for (std::size_t c = 0; c < options.relative_lambdas.size(); ++c) {
    double squared = 0;
    for (int k = 0; k < 4; ++k) {
      Eigen::MatrixXd zt(90, 5), yt(90, 2);
      for (int r = 0, n = 0; r < 120; ++r)
        if (r / 30 != k) zt.row(n) = z.row(r), yt.row(n++) = y.row(r);
      const Eigen::MatrixXd zc = zt.rowwise() - zt.colwise().mean();
      const double lambda = options.relative_lambdas[c] * zc.squaredNorm() / 5;
      const RidgeFit fit = ridge_regression(zt, yt, lambda, false);
      squared += (fit.predict(z.middleRows(30 * k, 30)) - y.middleRows(30 * k, 30)).squaredNorm();
    }
    EXPECT_NEAR(cv.cv_error[c], squared / 120, 1e-10 * squared) << options.relative_lambdas[c];
  }
}

TEST(RidgeRegression, CrossValidationPrefersLittleRegularizationOnCleanDataAndMuchOnNoise) {
  const Eigen::MatrixXd x = random_matrix(300, 20, 7);
  RidgeCvOptions options;
  const RidgeCvResult clean = fit_ridge_regression(x, x * random_matrix(20, 1, 8), options);
  EXPECT_LE(clean.fit.relative_lambda, 1e-6);
  const RidgeCvResult noise = fit_ridge_regression(x, random_matrix(300, 1, 9), options);
  EXPECT_GE(noise.fit.relative_lambda, 1.0);
}

TEST(RidgeClassifier, ClassifiesRecordingsByTheirSummedOutputs) {
  // Three classes of recordings of a few frames each around class means; the frame-level readout
  // classifies every held-out recording correctly, and the cross-validated accuracy is 1.
  std::mt19937 generator(11);
  std::normal_distribution<double> normal;
  const Eigen::MatrixXd centres = 3 * random_matrix(3, 4, 12);
  std::vector<int> label, group;
  std::vector<Eigen::RowVectorXd> rows;
  for (int g = 0; g < 60; ++g) {
    label.push_back(g % 3);
    for (int t = 0; t < 5; ++t) {
      Eigen::RowVectorXd r = centres.row(g % 3);
      for (int j = 0; j < 4; ++j) r(j) += normal(generator);
      rows.push_back(r);
      group.push_back(g);
    }
  }
  Eigen::MatrixXd x(static_cast<Eigen::Index>(rows.size()), 4);
  for (std::size_t r = 0; r < rows.size(); ++r) x.row(static_cast<Eigen::Index>(r)) = rows[r];
  const RidgeCvResult cv = fit_ridge_classifier(x, group, label, 3, RidgeCvOptions{});
  EXPECT_DOUBLE_EQ(cv.cv_accuracy[cv.chosen], 1.0);
  const std::vector<int> predicted = classify_groups(cv.fit.predict(x), group, 60);
  EXPECT_EQ(predicted, label);
  EXPECT_DOUBLE_EQ(accuracy(predicted, label), 1.0);
}

TEST(StateReadout, UtteranceAndFrameRowsAndTheirClassification) {
  std::vector<StateFrames> states(2);
  states[0] = StateFrames::Constant(3, 2, 1.0f);
  states[1] = StateFrames::Constant(2, 2, -1.0f);
  states[1](0, 0) = 3.0f;
  Eigen::MatrixXd rows;
  std::vector<int> group;
  readout_rows(states, {1, 0}, ReadoutFit::utterance, rows, group);
  ASSERT_EQ(rows.rows(), 2);
  EXPECT_DOUBLE_EQ(rows(0, 0), 1.0);  // mean of 3 and -1
  EXPECT_EQ(group, (std::vector<int>{0, 1}));
  readout_rows(states, {0, 1}, ReadoutFit::frames, rows, group);
  EXPECT_EQ(rows.rows(), 5);
  EXPECT_EQ(group, (std::vector<int>{0, 0, 0, 1, 1}));
}

}  // namespace
}  // namespace spinnet
