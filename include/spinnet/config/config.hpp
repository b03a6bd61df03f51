// JSON configs: reading with path-aware errors, unit conversion at the edge, and the resolved
// config (every default filled in) that goes into every output.
#pragma once

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "spinnet/engine/engine.hpp"
#include "spinnet/core/errors.hpp"

namespace spinnet {

using json = nlohmann::ordered_json;

/// What a number must satisfy.
enum class Bound { any, positive, non_negative, unit_interval };

/// Where the devices of a study come from: the device section is read once, for every device of
/// every sweep point and instance at once. Device d (global id) belongs to sweep point
/// d / (instances * per_instance), instance (d / per_instance) % instances, and is device
/// d % per_instance of the section (the index into {"values": [...]} lists).
struct DeviceLayout {
  std::size_t per_instance = 1;  // devices.count
  std::size_t instances = 1;
  std::size_t points = 1;
  std::uint64_t seed = 1;  // master seed of the variability draws
  /// Sweep axes: config path -> value at every sweep point (consumed by the reader of that path).
  std::map<std::string, const std::vector<double>*> swept;
  std::set<std::string> swept_used;
  /// Out: every per-device path whose values differ between devices, its value per device in the
  /// config's units. Null: not collected.
  std::map<std::string, std::vector<double>>* varied = nullptr;
  /// Describes sweep point p for error messages ("devices.current_mA = 2").
  std::function<std::string(std::size_t)> describe_point;

  std::size_t total() const { return points * instances * per_instance; }
  std::size_t per_point() const { return instances * per_instance; }
  /// One sweep point, one instance, `count` devices, no sweep.
  static DeviceLayout single(std::size_t count, std::uint64_t seed = 1);
};

/// A per-device number for every device of a study: one value shared by all (no storage per
/// device), or a value per device.
class Column {
 public:
  Column() = default;
  Column(double constant, std::size_t size) : constant_(constant), size_(size) {}
  explicit Column(std::vector<double> values) : values_(std::move(values)), size_(values_.size()) {}
  double operator[](std::size_t i) const { return values_.empty() ? constant_ : values_[i]; }
  std::size_t size() const { return size_; }
  /// Whether every device has the same value.
  bool uniform() const { return values_.empty(); }
  /// Every device's value (expanded for a shared one).
  std::vector<double> expanded() const { return values_.empty() ? std::vector<double>(size_, constant_) : values_; }

 private:
  double constant_ = 0;
  std::vector<double> values_;
  std::size_t size_ = 0;
};

/// A per-device vector [x, y, z], one Column per component.
struct VectorColumn {
  std::array<Column, 3> components;
  std::array<double, 3> operator[](std::size_t i) const {
    return {components[0][i], components[1][i], components[2][i]};
  }
  std::size_t size() const { return components[0].size(); }
};

/// Reads one JSON object, recording each value it returns (defaults included) into `resolved`,
/// and rejecting unknown keys on finish() with a "did you mean" hint.
class ObjectReader {
 public:
  ObjectReader(const json& object, std::string path, json& resolved);

  bool has(const std::string& key) const;
  const std::string& path() const { return path_; }
  std::string path_of(const std::string& key) const;

  double number(const std::string& key, std::optional<double> fallback, Bound bound = Bound::any);
  std::uint64_t integer(const std::string& key, std::optional<std::uint64_t> fallback, std::uint64_t minimum = 0);
  std::string choice(const std::string& key, std::optional<std::string> fallback,
                     const std::vector<std::string>& allowed);
  std::array<double, 3> vector3(const std::string& key, std::optional<std::array<double, 3>> fallback,
                                bool nonzero = false);
  /// A per-device scalar: a number, {"values": [...]} with one number per device of the section,
  /// or a distribution ({"normal": {...}}, see docs/config.md), sampled per device instance. With a
  /// layout (set_layout), the column holds layout.total() values and sweep axes on this path or
  /// on its distribution's parameters apply; `count` must then equal layout.total().
  Column column(const std::string& key, double fallback, std::size_t count, Bound bound = Bound::any);
  /// A per-device vector: [x, y, z] (each component a number or a distribution), or
  /// {"values": [[x, y, z], ...]} with one per device.
  VectorColumn vector_column(const std::string& key, std::array<double, 3> fallback, std::size_t count,
                             bool nonzero = false);
  /// Reads every column of this object and its children over `layout` (null: one device set).
  void set_layout(DeviceLayout* layout) { layout_ = layout; }
  DeviceLayout* layout() const { return layout_; }
  /// Whether a sweep axis targets this key or a path below it.
  bool swept(const std::string& key) const;
  /// The values of the sweep axis on exactly this key's path (marked used), or null.
  const std::vector<double>* sweep_values(const std::string& key);
  /// A nested object (an empty one when absent and optional).
  ObjectReader object(const std::string& key, bool required = false);
  /// An array of objects (empty when absent).
  std::vector<ObjectReader> objects(const std::string& key);
  /// The raw value of a key the caller validates itself (nullptr when absent); marks it known.
  const json* raw(const std::string& key);
  /// Records the resolved value of a key read through raw().
  void record(const std::string& key, json value);
  /// Throws ConfigError for the first key that no accessor asked for.
  void finish() const;

 private:
  const json& value_at(const std::string& key) const;

  const json* object_;
  std::string path_;
  json* resolved_;
  std::set<std::string> known_;
  DeviceLayout* layout_ = nullptr;
  static const json empty_;
};

/// Closest candidate by edit distance, or "" when none is close.
std::string closest_match(const std::string& word, const std::set<std::string>& candidates);

/// Describes a JSON value for an error message ("string \"abc\"", "number -1", "array of 2").
std::string describe(const json& value);

/// A run's name, which names its output folder spinnet-out/<name>: a non-empty string of at most
/// 200 bytes without a path separator, "..", a control character or a leading dot (a name must not
/// lead outside spinnet-out/ or hide its folder). ConfigError at `path` otherwise.
std::string checked_run_name(const json& value, const std::string& path);

/// Reads and parses a JSON file; errors name the file (and line/column for syntax errors).
/// A key given twice in one object is an error naming its JSON path (JSON leaves it undefined;
/// nlohmann keeps the last one, so a typo'd duplicate would silently win).
json load_json_file(const std::string& file);
/// Parses JSON text; errors name `source` (and line/column for syntax errors).
json parse_json_text(const std::string& text, const std::string& source);

/// A macrospin run as described by a config file.
struct MacrospinRunConfig {
  std::string name;
  MacrospinProblem problem;
  json resolved;  // the config with every default filled in
};

/// Validates and converts a config (units at the edge: everything in `problem` is SI). `source`
/// prefixes error paths (usually the file name).
MacrospinRunConfig read_macrospin_config(const json& config, const std::string& source);

}  // namespace spinnet
