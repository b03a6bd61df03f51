// Ridge regression and its cross-validation (ridge_readout.hpp).
#include "spinnet/reservoir/ridge_readout.hpp"

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "spinnet/reservoir/reservoir_random.hpp"

namespace spinnet {
namespace {

struct Standardization {
  Eigen::RowVectorXd mean, scale;
};

Standardization standardization_of(const Eigen::MatrixXd& x, bool standardize) {
  Standardization s;
  if (!standardize) {
    s.mean = Eigen::RowVectorXd::Zero(x.cols());
    s.scale = Eigen::RowVectorXd::Ones(x.cols());
    return s;
  }
  s.mean = x.colwise().mean();
  const Eigen::RowVectorXd variance = (x.rowwise() - s.mean).array().square().colwise().mean();
  s.scale = variance.unaryExpr([](double v) { return v > 1e-24 ? 1 / std::sqrt(v) : 1.0; });
  return s;
}

Eigen::MatrixXd standardized(const Eigen::MatrixXd& x, const Standardization& s) {
  return ((x.rowwise() - s.mean).array().rowwise() * s.scale.array()).matrix();
}

/// Sums over a set of rows: count, sum z, sum y, Gram z^T z, cross z^T y.
struct Moments {
  double n = 0;
  Eigen::VectorXd sz, sy;
  Eigen::MatrixXd gram, cross;
  Moments(Eigen::Index columns, Eigen::Index outputs)
      : sz(Eigen::VectorXd::Zero(columns)), sy(Eigen::VectorXd::Zero(outputs)),
        gram(Eigen::MatrixXd::Zero(columns, columns)), cross(Eigen::MatrixXd::Zero(columns, outputs)) {}
  void add_rows(const Eigen::MatrixXd& z, const Eigen::MatrixXd& y) {
    n += static_cast<double>(z.rows());
    sz += z.colwise().sum().transpose();
    sy += y.colwise().sum().transpose();
    gram.selfadjointView<Eigen::Lower>().rankUpdate(z.transpose());
    cross.noalias() += z.transpose() * y;
  }
  Eigen::MatrixXd full_gram() const { return gram.selfadjointView<Eigen::Lower>(); }
};

/// The rows of x at `rows`.
Eigen::MatrixXd rows_of(const Eigen::MatrixXd& x, const std::vector<Eigen::Index>& rows) {
  Eigen::MatrixXd out(static_cast<Eigen::Index>(rows.size()), x.cols());
  for (std::size_t i = 0; i < rows.size(); ++i) out.row(static_cast<Eigen::Index>(i)) = x.row(rows[i]);
  return out;
}

/// A fold's training solution for every lambda: the eigendecomposition of its centred Gram matrix.
struct FoldSolver {
  Eigen::VectorXd mean_z, mean_y, eigenvalues;
  Eigen::MatrixXd eigenvectors, projected;  // Q, Q^T C_zy
  double trace = 0;
  explicit FoldSolver(const Moments& m) {
    mean_z = m.sz / m.n;
    mean_y = m.sy / m.n;
    const Eigen::MatrixXd c = m.full_gram() - m.n * mean_z * mean_z.transpose();
    const Eigen::MatrixXd cross = m.cross - m.n * mean_z * mean_y.transpose();
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(c);
    eigenvalues = solver.eigenvalues().cwiseMax(0.0);
    eigenvectors = solver.eigenvectors();
    projected = eigenvectors.transpose() * cross;
    trace = c.trace();
  }
  void solve(double lambda, Eigen::MatrixXd& weights, Eigen::RowVectorXd& intercept) const {
    const Eigen::VectorXd inverse = (eigenvalues.array() + lambda).inverse();
    weights = eigenvectors * (inverse.asDiagonal() * projected);
    intercept = (mean_y - weights.transpose() * mean_z).transpose();
  }
};

double relative_unit(double trace, Eigen::Index columns) {
  const double unit = trace / static_cast<double>(std::max<Eigen::Index>(1, columns));
  return unit > 0 ? unit : 1.0;
}

/// Cross-validates over folds of rows; `score(k, outputs)` returns (accuracy, squared error) of fold
/// k's held-out outputs. Fills the per-candidate scores; returns the chosen candidate.
template <class Score>
RidgeCvResult cross_validate(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y,
                             const std::vector<std::vector<Eigen::Index>>& fold_rows, const RidgeCvOptions& options,
                             bool by_accuracy, Score score) {
  if (options.relative_lambdas.empty()) throw std::invalid_argument("ridge: no candidate lambda");
  const Standardization s = standardization_of(x, true);
  const Eigen::MatrixXd z = standardized(x, s);
  const int folds = static_cast<int>(fold_rows.size());
  std::vector<Moments> fold(static_cast<std::size_t>(folds), Moments(z.cols(), y.cols()));
  Moments total(z.cols(), y.cols());
  std::vector<Eigen::MatrixXd> zk(static_cast<std::size_t>(folds)), yk(static_cast<std::size_t>(folds));
  for (int k = 0; k < folds; ++k) {
    zk[static_cast<std::size_t>(k)] = rows_of(z, fold_rows[static_cast<std::size_t>(k)]);
    yk[static_cast<std::size_t>(k)] = rows_of(y, fold_rows[static_cast<std::size_t>(k)]);
    fold[static_cast<std::size_t>(k)].add_rows(zk[static_cast<std::size_t>(k)], yk[static_cast<std::size_t>(k)]);
    Moments& t = total;
    const Moments& f = fold[static_cast<std::size_t>(k)];
    t.n += f.n, t.sz += f.sz, t.sy += f.sy, t.gram += f.gram, t.cross += f.cross;
  }
  const std::size_t candidates = options.relative_lambdas.size();
  RidgeCvResult result;
  result.relative_lambdas = options.relative_lambdas;
  result.cv_accuracy.assign(candidates, 0.0);
  result.cv_error.assign(candidates, 0.0);
  double rows = 0;
  for (int k = 0; k < folds; ++k) {
    const Moments& f = fold[static_cast<std::size_t>(k)];
    if (f.n == 0) continue;
    Moments rest = total;
    rest.n -= f.n, rest.sz -= f.sz, rest.sy -= f.sy, rest.gram -= f.gram, rest.cross -= f.cross;
    const FoldSolver solver(rest);
    const double unit = relative_unit(solver.trace, z.cols());
    for (std::size_t c = 0; c < candidates; ++c) {
      Eigen::MatrixXd w;
      Eigen::RowVectorXd b;
      solver.solve(options.relative_lambdas[c] * unit, w, b);
      const Eigen::MatrixXd outputs = (zk[static_cast<std::size_t>(k)] * w).rowwise() + b;
      const auto [accuracy_count, squared] = score(k, outputs, yk[static_cast<std::size_t>(k)]);
      result.cv_accuracy[c] += accuracy_count;
      result.cv_error[c] += squared;
    }
    rows += f.n;
  }
  for (std::size_t c = 0; c < candidates; ++c) result.cv_error[c] /= std::max(1.0, rows);
  std::size_t best = 0;
  for (std::size_t c = 1; c < candidates; ++c) {
    const bool better = by_accuracy ? (result.cv_accuracy[c] > result.cv_accuracy[best] ||
                                       (result.cv_accuracy[c] == result.cv_accuracy[best] &&
                                        result.cv_error[c] < result.cv_error[best]))
                                    : result.cv_error[c] < result.cv_error[best];
    if (better) best = c;
  }
  result.chosen = best;
  // Refit on every row.
  const FoldSolver all(total);
  const double unit = relative_unit(all.trace, z.cols());
  result.fit.mean = s.mean;
  result.fit.scale = s.scale;
  result.fit.relative_lambda = options.relative_lambdas[best];
  result.fit.lambda = options.relative_lambdas[best] * unit;
  all.solve(result.fit.lambda, result.fit.weights, result.fit.intercept);
  return result;
}

}  // namespace

Eigen::MatrixXd RidgeFit::predict(const Eigen::MatrixXd& x) const {
  return ((((x.rowwise() - mean).array().rowwise() * scale.array()).matrix() * weights).rowwise() + intercept);
}

RidgeFit ridge_regression(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y, double lambda, bool standardize) {
  if (x.rows() != y.rows() || x.rows() < 1) throw std::invalid_argument("ridge_regression: x and y need the same rows");
  const Standardization s = standardization_of(x, standardize);
  const Eigen::MatrixXd z = standardized(x, s);
  const Eigen::RowVectorXd mean_z = z.colwise().mean(), mean_y = y.colwise().mean();
  const Eigen::MatrixXd zc = z.rowwise() - mean_z, yc = y.rowwise() - mean_y;
  Eigen::MatrixXd a = zc.transpose() * zc;
  const double trace = a.trace();
  a.diagonal().array() += lambda;
  RidgeFit fit;
  fit.mean = s.mean;
  fit.scale = s.scale;
  fit.lambda = lambda;
  fit.relative_lambda = lambda / relative_unit(trace, z.cols());
  fit.weights = a.ldlt().solve(zc.transpose() * yc);
  fit.intercept = mean_y - mean_z * fit.weights;
  return fit;
}

std::vector<double> RidgeCvOptions::default_relative_lambdas() {
  std::vector<double> out;
  for (int k = -18; k <= 4; ++k) out.push_back(std::pow(10.0, k / 2.0));
  return out;
}

std::vector<int> classify_groups(const Eigen::MatrixXd& outputs, const std::vector<int>& group, int groups) {
  Eigen::MatrixXd sums = Eigen::MatrixXd::Zero(groups, outputs.cols());
  for (Eigen::Index r = 0; r < outputs.rows(); ++r) sums.row(group[static_cast<std::size_t>(r)]) += outputs.row(r);
  std::vector<int> out(static_cast<std::size_t>(groups));
  for (int g = 0; g < groups; ++g) {
    Eigen::Index best = 0;
    sums.row(g).maxCoeff(&best);
    out[static_cast<std::size_t>(g)] = static_cast<int>(best);
  }
  return out;
}

RidgeCvResult fit_ridge_classifier(const Eigen::MatrixXd& x, const std::vector<int>& group,
                                   const std::vector<int>& label, int classes, const RidgeCvOptions& options) {
  if (static_cast<std::size_t>(x.rows()) != group.size() || x.rows() < 1)
    throw std::invalid_argument("fit_ridge_classifier: one group per row");
  const int groups = static_cast<int>(label.size());
  Eigen::MatrixXd y = Eigen::MatrixXd::Zero(x.rows(), classes);
  for (Eigen::Index r = 0; r < x.rows(); ++r) y(r, label[static_cast<std::size_t>(group[static_cast<std::size_t>(r)])]) = 1;
  const int folds = std::max(2, std::min(options.folds, groups));
  const std::vector<std::size_t> order = reservoir_permutation(static_cast<std::size_t>(groups), options.seed, ReservoirDraw::folds);
  std::vector<int> fold_of(static_cast<std::size_t>(groups));
  for (std::size_t i = 0; i < order.size(); ++i) fold_of[order[i]] = static_cast<int>(i % static_cast<std::size_t>(folds));
  std::vector<std::vector<Eigen::Index>> fold_rows(static_cast<std::size_t>(folds));
  for (Eigen::Index r = 0; r < x.rows(); ++r)
    fold_rows[static_cast<std::size_t>(fold_of[static_cast<std::size_t>(group[static_cast<std::size_t>(r)])])].push_back(r);
  const auto score = [&](int k, const Eigen::MatrixXd& outputs, const Eigen::MatrixXd& targets) {
    // Held-out recordings of fold k: sum their rows' outputs, argmax.
    const auto& rows = fold_rows[static_cast<std::size_t>(k)];
    std::vector<int> local(rows.size());
    std::vector<int> members;  // group ids in first-seen order
    std::vector<int> index_of(static_cast<std::size_t>(groups), -1);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const int g = group[static_cast<std::size_t>(rows[i])];
      if (index_of[static_cast<std::size_t>(g)] < 0) {
        index_of[static_cast<std::size_t>(g)] = static_cast<int>(members.size());
        members.push_back(g);
      }
      local[i] = index_of[static_cast<std::size_t>(g)];
    }
    const std::vector<int> predicted = classify_groups(outputs, local, static_cast<int>(members.size()));
    double correct = 0;
    for (std::size_t m = 0; m < members.size(); ++m)
      correct += predicted[m] == label[static_cast<std::size_t>(members[m])] ? 1.0 : 0.0;
    return std::pair<double, double>{correct, (outputs - targets).squaredNorm()};
  };
  RidgeCvResult result = cross_validate(x, y, fold_rows, options, true, score);
  for (double& a : result.cv_accuracy) a /= groups;
  return result;
}

RidgeCvResult fit_ridge_regression(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y, const RidgeCvOptions& options) {
  if (x.rows() != y.rows() || x.rows() < 2) throw std::invalid_argument("fit_ridge_regression: x and y need the same rows");
  const int folds = std::max(2, std::min<int>(options.folds, static_cast<int>(x.rows())));
  std::vector<std::vector<Eigen::Index>> fold_rows(static_cast<std::size_t>(folds));
  for (Eigen::Index r = 0; r < x.rows(); ++r) fold_rows[static_cast<std::size_t>(r * folds / x.rows())].push_back(r);
  const auto score = [](int, const Eigen::MatrixXd& outputs, const Eigen::MatrixXd& targets) {
    return std::pair<double, double>{0.0, (outputs - targets).squaredNorm()};
  };
  return cross_validate(x, y, fold_rows, options, false, score);
}

}  // namespace spinnet
