// Data set loaders (CSV, MNIST IDX, HDF5), splits and feature scaling.
#include "spinnet/data/dataset.hpp"

#include <hdf5.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <sstream>

namespace spinnet {
namespace {

[[noreturn]] void fail(const std::string& file, const std::string& message) {
  throw DataError(file + ": " + message);
}

void require_readable(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) fail(path, "no such file");
  if (std::filesystem::is_directory(path, ec)) fail(path, "is a directory, expected a file");
}

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  std::istringstream stream(line);
  while (std::getline(stream, cell, ',')) {
    while (!cell.empty() && (cell.back() == '\r' || cell.back() == ' ')) cell.pop_back();
    while (!cell.empty() && cell.front() == ' ') cell.erase(cell.begin());
    cells.push_back(cell);
  }
  if (!line.empty() && line.back() == ',') cells.emplace_back();
  return cells;
}

double parse_number(const std::string& file, std::size_t line_number, std::size_t column, const std::string& text) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(value)) {
    fail(file, "line " + std::to_string(line_number) + ", column " + std::to_string(column + 1) +
                   ": expected a finite number, got \"" + text + "\"");
  }
  return value;
}

/// A CSV table with a header row: every remaining row has as many cells as the header.
struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::size_t> line_numbers;
};

CsvTable read_csv(const std::string& path) {
  require_readable(path);
  std::ifstream in(path);
  if (!in) fail(path, "cannot be opened for reading");
  CsvTable table;
  std::string line;
  std::size_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty() || line == "\r") continue;
    auto cells = split_csv_line(line);
    if (table.header.empty()) {
      table.header = std::move(cells);
      continue;
    }
    if (cells.size() != table.header.size()) {
      fail(path, "line " + std::to_string(line_number) + ": expected " + std::to_string(table.header.size()) +
                     " comma-separated columns as in the header, got " + std::to_string(cells.size()));
    }
    table.rows.push_back(std::move(cells));
    table.line_numbers.push_back(line_number);
  }
  if (table.header.empty()) fail(path, "empty file, expected a CSV header row");
  if (table.rows.empty()) fail(path, "no data rows after the header");
  return table;
}

int parse_label(const std::string& file, std::size_t line_number, const std::string& text) {
  const double value = parse_number(file, line_number, 0, text);
  if (value != std::floor(value) || value < 0 || value > 1e6) {
    fail(file, "line " + std::to_string(line_number) + ": expected a non-negative integer label, got \"" + text + "\"");
  }
  return static_cast<int>(value);
}

int count_classes(const std::string& file, const std::vector<int>& labels) {
  const int classes = labels.empty() ? 0 : *std::max_element(labels.begin(), labels.end()) + 1;
  std::vector<int> seen(static_cast<std::size_t>(classes), 0);
  for (int label : labels) seen[static_cast<std::size_t>(label)] = 1;
  for (int c = 0; c < classes; ++c) {
    if (!seen[static_cast<std::size_t>(c)]) {
      fail(file, "labels run from 0 to " + std::to_string(classes - 1) + " but class " + std::to_string(c) +
                     " has no sample");
    }
  }
  return classes;
}

// ---- MNIST IDX ----

std::vector<unsigned char> read_gzip_or_plain(const std::string& path) {
  require_readable(path);
  gzFile file = gzopen(path.c_str(), "rb");  // reads plain files transparently
  if (!file) fail(path, "cannot be opened for reading");
  gzbuffer(file, 1 << 20);
  std::vector<unsigned char> bytes;
  std::size_t used = 0;
  for (;;) {
    if (bytes.size() - used < (1u << 20)) bytes.resize(std::max<std::size_t>(2 * bytes.size(), 1u << 22));
    const int got = gzread(file, bytes.data() + used, 1u << 20);
    if (got < 0) {
      int code = 0;
      const std::string message = gzerror(file, &code);
      gzclose(file);
      fail(path, "corrupt gzip data (" + message + ")");
    }
    if (got == 0) break;
    used += static_cast<std::size_t>(got);
  }
  bytes.resize(used);
  gzclose(file);
  return bytes;
}

std::uint32_t big_endian_u32(const std::vector<unsigned char>& bytes, std::size_t offset) {
  return (std::uint32_t{bytes[offset]} << 24) | (std::uint32_t{bytes[offset + 1]} << 16) |
         (std::uint32_t{bytes[offset + 2]} << 8) | std::uint32_t{bytes[offset + 3]};
}

// ---- HDF5 ----

/// Owns an HDF5 identifier and closes it with the matching function.
class H5Handle {
 public:
  H5Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  H5Handle(const H5Handle&) = delete;
  H5Handle& operator=(const H5Handle&) = delete;
  ~H5Handle() {
    if (id_ >= 0) close_(id_);
  }
  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

/// Reads a 1-D or 2-D numeric dataset as `T`, returning its dimensions.
template <class T>
std::vector<T> read_h5_dataset(const std::string& file, hid_t handle, const std::string& name, hid_t memory_type,
                               std::vector<hsize_t>& dims) {
  if (H5Lexists(handle, name.c_str(), H5P_DEFAULT) <= 0) fail(file, "no dataset \"" + name + "\"");
  H5Handle dataset(H5Dopen2(handle, name.c_str(), H5P_DEFAULT), H5Dclose);
  if (!dataset.valid()) fail(file, "dataset \"" + name + "\" cannot be opened");
  H5Handle space(H5Dget_space(dataset.get()), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 1 || rank > 2) fail(file, "dataset \"" + name + "\": expected 1 or 2 dimensions, got " + std::to_string(rank));
  dims.assign(static_cast<std::size_t>(rank), 0);
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  const std::size_t count = std::accumulate(dims.begin(), dims.end(), std::size_t{1}, std::multiplies<>());
  std::vector<T> values(count);
  if (count > 0 && H5Dread(dataset.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0) {
    fail(file, "dataset \"" + name + "\" cannot be read as numbers");
  }
  return values;
}

Dataset drones_part(const std::string& path, hid_t handle, const std::string& x_name, const std::string& y_name) {
  std::vector<hsize_t> x_dims, y_dims;
  const auto x = read_h5_dataset<double>(path, handle, x_name, H5T_NATIVE_DOUBLE, x_dims);
  const auto y = read_h5_dataset<long long>(path, handle, y_name, H5T_NATIVE_LLONG, y_dims);
  if (x_dims.size() != 2) fail(path, "dataset \"" + x_name + "\": expected samples x features, got 1 dimension");
  if (y_dims.size() != 1 || y_dims[0] != x_dims[0]) {
    fail(path, "dataset \"" + y_name + "\" has " + std::to_string(y.size()) + " labels but \"" + x_name + "\" has " +
                   std::to_string(x_dims[0]) + " samples");
  }
  Dataset data;
  data.name = "drones";
  data.source = path;
  data.features.resize(static_cast<Eigen::Index>(x_dims[0]), static_cast<Eigen::Index>(x_dims[1]));
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i])) {
      fail(path, "dataset \"" + x_name + "\": non-finite value at sample " + std::to_string(i / x_dims[1]));
    }
    data.features.data()[i] = static_cast<float>(x[i]);
  }
  data.labels.reserve(y.size());
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (y[i] < 0 || y[i] > 1000000) {
      fail(path, "dataset \"" + y_name + "\": label " + std::to_string(y[i]) + " of sample " + std::to_string(i) +
                     " is not a class index");
    }
    data.labels.push_back(static_cast<int>(y[i]));
  }
  return data;
}

/// splitmix64: a small, fully specified generator for reproducible shuffles on every platform.
struct SplitMix64 {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  /// Uniform integer in [0, n) (n small compared with 2^64: the bias is below 2^-40).
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
};

void shuffle(std::vector<std::size_t>& items, SplitMix64& generator) {
  for (std::size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[generator.below(i)]);
}

}  // namespace

Dataset load_digits8x8_csv(const std::string& path) {
  const CsvTable table = read_csv(path);
  const std::size_t columns = table.header.size();
  if (columns != 65 || table.header.back() != "label") {
    fail(path, "expected the header p00..p63,label (65 columns), got " + std::to_string(columns) +
                   " columns ending in \"" + table.header.back() + "\"");
  }
  Dataset data;
  data.name = "digits8x8";
  data.source = path;
  data.image_rows = data.image_cols = 8;
  data.features.resize(static_cast<Eigen::Index>(table.rows.size()), 64);
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    for (std::size_t c = 0; c < 64; ++c) {
      data.features(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) =
          static_cast<float>(parse_number(path, table.line_numbers[r], c, table.rows[r][c]));
    }
    data.labels.push_back(parse_label(path, table.line_numbers[r], table.rows[r][64]));
  }
  data.classes = count_classes(path, data.labels);
  for (int c = 0; c < data.classes; ++c) data.class_names.push_back(std::to_string(c));
  return data;
}

Dataset load_iris_csv(const std::string& path) {
  const CsvTable table = read_csv(path);
  const auto id_column = std::find(table.header.begin(), table.header.end(), "species_id");
  const auto name_column = std::find(table.header.begin(), table.header.end(), "species");
  if (table.header.size() != 6 || id_column == table.header.end() || name_column == table.header.end()) {
    fail(path, "expected 4 feature columns then species_id,species, got " + std::to_string(table.header.size()) +
                   " columns");
  }
  Dataset data;
  data.name = "iris";
  data.source = path;
  data.features.resize(static_cast<Eigen::Index>(table.rows.size()), 4);
  std::map<int, std::string> names;
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    for (std::size_t c = 0; c < 4; ++c) {
      data.features(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) =
          static_cast<float>(parse_number(path, table.line_numbers[r], c, table.rows[r][c]));
    }
    const int label = parse_label(path, table.line_numbers[r], table.rows[r][4]);
    data.labels.push_back(label);
    names[label] = table.rows[r][5];
  }
  data.classes = count_classes(path, data.labels);
  for (const auto& [label, name] : names) data.class_names.push_back(name);
  return data;
}

Dataset load_mnist_idx(const std::string& images, const std::string& labels) {
  const auto image_bytes = read_gzip_or_plain(images);
  const auto label_bytes = read_gzip_or_plain(labels);
  if (image_bytes.size() < 16 || big_endian_u32(image_bytes, 0) != 2051) {
    fail(images, "not an IDX image file (expected magic number 2051 and a 16-byte header)");
  }
  if (label_bytes.size() < 8 || big_endian_u32(label_bytes, 0) != 2049) {
    fail(labels, "not an IDX label file (expected magic number 2049 and an 8-byte header)");
  }
  const std::size_t count = big_endian_u32(image_bytes, 4), rows = big_endian_u32(image_bytes, 8),
                    cols = big_endian_u32(image_bytes, 12);
  const std::size_t label_count = big_endian_u32(label_bytes, 4);
  if (image_bytes.size() != 16 + count * rows * cols) {
    fail(images, "truncated or padded: header says " + std::to_string(count) + " images of " + std::to_string(rows) +
                     "x" + std::to_string(cols) + " (" + std::to_string(16 + count * rows * cols) + " bytes), file has " +
                     std::to_string(image_bytes.size()) + " bytes");
  }
  if (label_bytes.size() != 8 + label_count) {
    fail(labels, "truncated or padded: header says " + std::to_string(label_count) + " labels, file has " +
                     std::to_string(label_bytes.size() - 8));
  }
  if (label_count != count) {
    fail(labels, "has " + std::to_string(label_count) + " labels but " + images + " has " + std::to_string(count) +
                     " images");
  }
  Dataset data;
  data.name = "mnist";
  data.source = images + ", " + labels;
  data.image_rows = static_cast<int>(rows);
  data.image_cols = static_cast<int>(cols);
  data.features.resize(static_cast<Eigen::Index>(count), static_cast<Eigen::Index>(rows * cols));
  for (std::size_t i = 0; i < count * rows * cols; ++i) data.features.data()[i] = image_bytes[16 + i];
  data.labels.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const int label = label_bytes[8 + i];
    if (label > 9) fail(labels, "label " + std::to_string(label) + " of sample " + std::to_string(i) + " is not a digit");
    data.labels.push_back(label);
  }
  data.classes = 10;
  for (int c = 0; c < 10; ++c) data.class_names.push_back(std::to_string(c));
  return data;
}

DatasetSplit load_mnist(const std::string& directory) {
  std::error_code ec;
  if (!std::filesystem::is_directory(directory, ec)) fail(directory, "not a directory (expected the MNIST folder)");
  const auto file = [&](const std::string& stem) {
    const auto base = std::filesystem::path(directory) / stem;
    return std::filesystem::exists(base.string() + ".gz", ec) ? base.string() + ".gz" : base.string();
  };
  DatasetSplit split;
  split.train = load_mnist_idx(file("train-images-idx3-ubyte"), file("train-labels-idx1-ubyte"));
  split.test = load_mnist_idx(file("t10k-images-idx3-ubyte"), file("t10k-labels-idx1-ubyte"));
  if (split.train.feature_count() != split.test.feature_count()) {
    fail(directory, "train images have " + std::to_string(split.train.feature_count()) + " pixels, test images " +
                        std::to_string(split.test.feature_count()));
  }
  return split;
}

DatasetSplit load_drones_h5(const std::string& path) {
  require_readable(path);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // errors are reported through DataError
  if (H5Fis_hdf5(path.c_str()) <= 0) fail(path, "not an HDF5 file");
  H5Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!file.valid()) fail(path, "cannot be opened as HDF5");
  DatasetSplit split;
  split.train = drones_part(path, file.get(), "X_train", "Y_train");
  split.test = drones_part(path, file.get(), "X_test", "Y_test");
  if (split.train.feature_count() != split.test.feature_count()) {
    fail(path, "X_train has " + std::to_string(split.train.feature_count()) + " features, X_test " +
                   std::to_string(split.test.feature_count()));
  }
  const int classes = count_classes(path, split.train.labels);
  for (int label : split.test.labels) {
    if (label >= classes) fail(path, "Y_test holds class " + std::to_string(label) + ", absent from Y_train");
  }
  static const char* names[] = {"dx4e", "dx6i", "MTx", "Nineeg", "Parrot", "q205", "S500", "tello", "WiFi", "wltoys"};
  for (Dataset* part : {&split.train, &split.test}) {
    part->classes = classes;
    if (classes == 10) part->class_names.assign(std::begin(names), std::end(names));
  }
  return split;
}

Dataset subset(const Dataset& data, const std::vector<std::size_t>& indices) {
  Dataset part;
  part.name = data.name;
  part.source = data.source;
  part.classes = data.classes;
  part.class_names = data.class_names;
  part.image_rows = data.image_rows;
  part.image_cols = data.image_cols;
  part.features.resize(static_cast<Eigen::Index>(indices.size()), data.features.cols());
  part.labels.reserve(indices.size());
  for (std::size_t i = 0; i < indices.size(); ++i) {
    part.features.row(static_cast<Eigen::Index>(i)) = data.features.row(static_cast<Eigen::Index>(indices[i]));
    part.labels.push_back(data.labels[indices[i]]);
  }
  return part;
}

DatasetSplit stratified_split(const Dataset& data, double test_fraction, std::uint64_t seed) {
  if (!(test_fraction > 0 && test_fraction < 1)) {
    throw DataError(data.source + ": test fraction must lie in (0, 1), got " + std::to_string(test_fraction));
  }
  SplitMix64 generator{seed};
  std::vector<std::vector<std::size_t>> by_class(static_cast<std::size_t>(data.classes));
  for (std::size_t i = 0; i < data.size(); ++i) by_class[static_cast<std::size_t>(data.labels[i])].push_back(i);
  std::vector<std::size_t> train, test;
  for (auto& members : by_class) {
    shuffle(members, generator);
    const auto held = static_cast<std::size_t>(std::lround(test_fraction * static_cast<double>(members.size())));
    test.insert(test.end(), members.begin(), members.begin() + static_cast<std::ptrdiff_t>(held));
    train.insert(train.end(), members.begin() + static_cast<std::ptrdiff_t>(held), members.end());
  }
  shuffle(train, generator);
  shuffle(test, generator);
  return {subset(data, train), subset(data, test)};
}

FeatureScaling FeatureScaling::fit(const Dataset& train, Kind kind) {
  FeatureScaling scaling;
  scaling.kind = kind;
  const Eigen::Index n = train.features.cols();
  scaling.offset = Eigen::VectorXf::Zero(n);
  scaling.scale = Eigen::VectorXf::Ones(n);
  if (train.size() == 0 || kind == Kind::none) return scaling;
  const auto& x = train.features;
  switch (kind) {
    case Kind::min_max:
      for (Eigen::Index j = 0; j < n; ++j) {
        const float low = x.col(j).minCoeff(), high = x.col(j).maxCoeff();
        scaling.offset[j] = low;
        scaling.scale[j] = high > low ? 1.0f / (high - low) : 0.0f;  // a constant feature maps to 0
      }
      break;
    case Kind::standardize:
      for (Eigen::Index j = 0; j < n; ++j) {
        const double mean = x.col(j).cast<double>().mean();
        const double variance = (x.col(j).cast<double>().array() - mean).square().mean();
        scaling.offset[j] = static_cast<float>(mean);
        scaling.scale[j] = variance > 0 ? static_cast<float>(1 / std::sqrt(variance)) : 0.0f;
      }
      break;
    case Kind::global_max: {
      const float high = x.maxCoeff();
      scaling.scale.setConstant(high > 0 ? 1.0f / high : 1.0f);
      break;
    }
    case Kind::none:
      break;
  }
  return scaling;
}

void FeatureScaling::apply(Dataset& data) const {
  if (kind == Kind::none) return;
  if (data.features.cols() != offset.size()) {
    throw DataError(data.source + ": scaling fitted on " + std::to_string(offset.size()) + " features applied to " +
                    std::to_string(data.features.cols()));
  }
  for (Eigen::Index i = 0; i < data.features.rows(); ++i) {
    data.features.row(i) = ((data.features.row(i).transpose() - offset).cwiseProduct(scale)).transpose();
  }
}

std::string default_data_directory() {
  if (const char* path = std::getenv("SPINNET_DATA"); path && *path) return path;
#ifdef SPINNET_DEFAULT_DATA_DIR
  if (std::error_code ec; *SPINNET_DEFAULT_DATA_DIR && std::filesystem::is_directory(SPINNET_DEFAULT_DATA_DIR, ec)) {
    return SPINNET_DEFAULT_DATA_DIR;
  }
#endif
#ifdef SPINNET_SOURCE_DIR
  const auto shared = std::filesystem::path(SPINNET_SOURCE_DIR).parent_path() / "shared" / "data";
  std::error_code ec;
  if (std::filesystem::is_directory(shared, ec)) return shared.lexically_normal().string();
#endif
  return "";
}

}  // namespace spinnet
