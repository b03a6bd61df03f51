// Labelled data sets for the network experiments: loaders for the formats the experiments use
// (CSV tables, MNIST IDX (gzip), HDF5 drone fingerprints), splits and feature scaling. Loaders keep
// the raw feature values; scaling is a separate, explicit step fitted on the training part.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace spinnet {

/// Samples x features, row-major so that one sample is contiguous.
using FeatureMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct Dataset {
  std::string name;    // "digits8x8", "mnist", "drones", "iris", ...
  std::string source;  // the file(s) it was read from
  FeatureMatrix features;
  std::vector<int> labels;  // 0 .. classes - 1
  int classes = 0;
  std::vector<std::string> class_names;  // optional, one per class
  int image_rows = 0, image_cols = 0;    // images (row-major pixels): their shape; 0 otherwise

  std::size_t size() const { return labels.size(); }
  std::size_t feature_count() const { return static_cast<std::size_t>(features.cols()); }
};

struct DatasetSplit {
  Dataset train, test;
};

/// Every loader throws DataError naming the file and what is wrong with it (missing, truncated,
/// wrong magic number, inconsistent sizes, labels out of range, non-finite values).
class DataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// UCI optdigits as shipped by scikit-learn: CSV, header p00..p63,label, pixels 0..16.
Dataset load_digits8x8_csv(const std::string& path);
/// Fisher's iris CSV (4 numeric features, then the species name).
Dataset load_iris_csv(const std::string& path);
/// One MNIST IDX image file and its label file (gzip-compressed or plain), pixels 0..255.
Dataset load_mnist_idx(const std::string& images, const std::string& labels);
/// MNIST directory with train-*-idx?-ubyte.gz and t10k-*-idx?-ubyte.gz: the official split.
DatasetSplit load_mnist(const std::string& directory);
/// Drone RF fingerprints (HDF5: X_train, Y_train, X_test, Y_test): the file's fixed split.
DatasetSplit load_drones_h5(const std::string& path);

/// A split holding `test_fraction` of every class in the test part, shuffled with `seed`.
DatasetSplit stratified_split(const Dataset& data, double test_fraction, std::uint64_t seed);
/// The samples at `indices`, in that order.
Dataset subset(const Dataset& data, const std::vector<std::size_t>& indices);

/// Affine feature scaling fitted on training data and applied to any part.
struct FeatureScaling {
  enum class Kind { none, min_max, standardize, global_max } kind = Kind::none;
  Eigen::VectorXf offset, scale;  // x' = (x - offset) * scale, per feature
  static FeatureScaling fit(const Dataset& train, Kind kind);
  void apply(Dataset& data) const;
};

/// The shared data folder: $SPINNET_DATA if set, else the folder CMake found at configure time
/// (SPINNET_DATA_DIR: ../shared/data next to the sources or next to the repository they were
/// cloned from), else <source dir>/../shared/data when it exists,
/// else "" (the caller must then be given a path).
std::string default_data_directory();

}  // namespace spinnet
