// Data set loaders against the known sizes and contents of the shared data sets, splits, scaling,
// and the errors a user gets for missing or corrupt files.
#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <numeric>
#include <set>

#include "cli_helpers.hpp"
#include "spinnet/data/dataset.hpp"

namespace {

using spinnet::DataError;
using spinnet::test::TempDir;
using spinnet::test::write_text;

std::string data_path(const std::string& relative) {
  const std::string root = spinnet::default_data_directory();
  if (root.empty()) throw std::runtime_error("shared data folder not found: set SPINNET_DATA");
  return (std::filesystem::path(root) / relative).string();
}

std::vector<int> class_counts(const spinnet::Dataset& data) {
  std::vector<int> counts(static_cast<std::size_t>(data.classes), 0);
  for (int label : data.labels) ++counts[static_cast<std::size_t>(label)];
  return counts;
}

template <class F>
std::string error_of(F&& load) {
  try {
    load();
  } catch (const DataError& e) {
    return e.what();
  }
  return "";
}

TEST(Dataset, Digits8x8HasTheUciShape) {
  const auto data = spinnet::load_digits8x8_csv(data_path("digits8x8/digits_8x8.csv"));
  EXPECT_EQ(data.size(), 1797u);
  EXPECT_EQ(data.feature_count(), 64u);
  EXPECT_EQ(data.classes, 10);
  EXPECT_FLOAT_EQ(data.features.minCoeff(), 0.0f);
  EXPECT_FLOAT_EQ(data.features.maxCoeff(), 16.0f);
  // scikit-learn's load_digits: 178 zeros, 182 ones, ..., 180 nines.
  const std::vector<int> expected{178, 182, 177, 183, 181, 182, 181, 179, 174, 180};
  EXPECT_EQ(class_counts(data), expected);
  // First sample (a zero): row 0 of the 8x8 image is 0 0 5 13 9 1 0 0.
  EXPECT_EQ(data.labels[0], 0);
  EXPECT_FLOAT_EQ(data.features(0, 2), 5.0f);
  EXPECT_FLOAT_EQ(data.features(0, 3), 13.0f);
}

TEST(Dataset, IrisHasThreeClassesOfFifty) {
  const auto data = spinnet::load_iris_csv(data_path("iris/iris.csv"));
  EXPECT_EQ(data.size(), 150u);
  EXPECT_EQ(data.feature_count(), 4u);
  EXPECT_EQ(class_counts(data), (std::vector<int>{50, 50, 50}));
  EXPECT_EQ(data.class_names[0], "setosa");
  EXPECT_FLOAT_EQ(data.features(0, 0), 5.1f);
}

TEST(Dataset, MnistHasTheOfficialSplit) {
  const auto split = spinnet::load_mnist(data_path("mnist"));
  EXPECT_EQ(split.train.size(), 60000u);
  EXPECT_EQ(split.test.size(), 10000u);
  EXPECT_EQ(split.train.feature_count(), 784u);
  // The first training digit is a 5 and the first test digit a 7 (LeCun's files).
  EXPECT_EQ(split.train.labels[0], 5);
  EXPECT_EQ(split.test.labels[0], 7);
  EXPECT_EQ(class_counts(split.test), (std::vector<int>{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}));
  EXPECT_FLOAT_EQ(split.train.features.maxCoeff(), 255.0f);
}

TEST(Dataset, DronesHaveTheFixedSplit) {
  const auto split = spinnet::load_drones_h5(data_path("drones/RadioSpin_D62_RF_fingerprinting.h5"));
  EXPECT_EQ(split.train.size(), 702u);
  EXPECT_EQ(split.test.size(), 298u);
  EXPECT_EQ(split.train.feature_count(), 256u);
  EXPECT_EQ(split.train.classes, 10);
  EXPECT_EQ(split.train.class_names[7], "tello");
  EXPECT_GT(split.train.features.minCoeff(), 0.0f);
  EXPECT_LT(split.train.features.maxCoeff(), 1.0f);
}

TEST(Dataset, StratifiedSplitKeepsClassProportionsAndIsReproducible) {
  const auto data = spinnet::load_digits8x8_csv(data_path("digits8x8/digits_8x8.csv"));
  const auto a = spinnet::stratified_split(data, 0.2, 0), b = spinnet::stratified_split(data, 0.2, 0);
  const auto c = spinnet::stratified_split(data, 0.2, 1);
  EXPECT_EQ(a.train.size() + a.test.size(), data.size());
  const auto all = class_counts(data), test = class_counts(a.test);
  for (std::size_t k = 0; k < all.size(); ++k) EXPECT_EQ(test[k], std::lround(0.2 * all[k])) << "class " << k;
  EXPECT_EQ(a.test.labels, b.test.labels);
  EXPECT_TRUE(a.test.features == b.test.features);
  EXPECT_NE(a.test.labels, c.test.labels);
  // Train and test are disjoint: every sample (row + label) of the full set appears exactly once.
  std::multiset<std::vector<float>> rows;
  for (const auto* part : {&a.train, &a.test}) {
    for (Eigen::Index i = 0; i < part->features.rows(); ++i) {
      std::vector<float> row(part->features.row(i).begin(), part->features.row(i).end());
      row.push_back(static_cast<float>(part->labels[static_cast<std::size_t>(i)]));
      rows.insert(row);
    }
  }
  std::multiset<std::vector<float>> original;
  for (Eigen::Index i = 0; i < data.features.rows(); ++i) {
    std::vector<float> row(data.features.row(i).begin(), data.features.row(i).end());
    row.push_back(static_cast<float>(data.labels[static_cast<std::size_t>(i)]));
    original.insert(row);
  }
  EXPECT_EQ(rows, original);
}

TEST(Dataset, ScalingIsFittedOnTrainAndAppliedToAnyPart) {
  auto data = spinnet::load_iris_csv(data_path("iris/iris.csv"));
  const auto min_max = spinnet::FeatureScaling::fit(data, spinnet::FeatureScaling::Kind::min_max);
  auto scaled = data;
  min_max.apply(scaled);
  EXPECT_FLOAT_EQ(scaled.features.minCoeff(), 0.0f);
  EXPECT_NEAR(scaled.features.maxCoeff(), 1.0f, 1e-6f);
  const auto standard = spinnet::FeatureScaling::fit(data, spinnet::FeatureScaling::Kind::standardize);
  standard.apply(data);
  for (Eigen::Index j = 0; j < 4; ++j) {
    const double mean = data.features.col(j).cast<double>().mean();
    const double variance = (data.features.col(j).cast<double>().array() - mean).square().mean();
    EXPECT_NEAR(mean, 0.0, 1e-5);  // float32 rounding of 150 values of order 1
    EXPECT_NEAR(variance, 1.0, 1e-5);
  }
}

TEST(Dataset, MissingAndCorruptFilesNameTheFileAndTheProblem) {
  TempDir dir;
  EXPECT_NE(error_of([&] { spinnet::load_digits8x8_csv((dir / "nope.csv").string()); }).find("nope.csv: no such file"),
            std::string::npos);
  write_text(dir / "short.csv", "p00,p01,label\n1,2,3\n");
  EXPECT_NE(error_of([&] { spinnet::load_digits8x8_csv((dir / "short.csv").string()); }).find("expected the header"),
            std::string::npos);
  std::string header;
  for (int i = 0; i < 64; ++i) header += "p" + std::to_string(i) + ",";
  std::string row = "1,x";
  for (int i = 0; i < 62; ++i) row += ",0";
  write_text(dir / "bad.csv", header + "label\n" + row + ",3\n");
  const auto bad = error_of([&] { spinnet::load_digits8x8_csv((dir / "bad.csv").string()); });
  EXPECT_NE(bad.find("line 2, column 2: expected a finite number, got \"x\""), std::string::npos) << bad;

  // A gzip stream cut in the middle of the image data.
  const auto images = data_path("mnist/t10k-images-idx3-ubyte.gz");
  std::string bytes = spinnet::test::read_text(images);
  write_text(dir / "cut-images.gz", bytes.substr(0, bytes.size() / 2));
  const auto cut = error_of([&] {
    spinnet::load_mnist_idx((dir / "cut-images.gz").string(), data_path("mnist/t10k-labels-idx1-ubyte.gz"));
  });
  EXPECT_NE(cut.find("cut-images.gz"), std::string::npos) << cut;
  // Images and labels from different parts: counts differ.
  const auto mismatch = error_of(
      [&] { spinnet::load_mnist_idx(images, data_path("mnist/train-labels-idx1-ubyte.gz")); });
  EXPECT_NE(mismatch.find("has 60000 labels but"), std::string::npos) << mismatch;
  // Labels given as images.
  const auto swapped = error_of([&] { spinnet::load_mnist_idx(data_path("mnist/t10k-labels-idx1-ubyte.gz"), images); });
  EXPECT_NE(swapped.find("not an IDX image file"), std::string::npos) << swapped;

  write_text(dir / "not.h5", "plain text");
  EXPECT_NE(error_of([&] { spinnet::load_drones_h5((dir / "not.h5").string()); }).find("not.h5: not an HDF5 file"),
            std::string::npos);
}

}  // namespace
