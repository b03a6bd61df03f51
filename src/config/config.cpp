// The path-aware JSON reader (ObjectReader): numbers, integers, choices and vectors with their
// bounds, nested objects, unknown keys with a "did you mean" hint, JSON files. Per-device columns
// and distributions are in device_columns.cpp.
#include "spinnet/config/config.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include <unistd.h>

#include "config/checked_values.hpp"

namespace spinnet {

const json ObjectReader::empty_ = json::object();

namespace {

/// Appends JSON text of `value` to `out` until it holds `limit` characters. Recursion stops with
/// the budget, so a value nested a million deep costs no more than a short one.
void append_brief(const json& value, std::string& out, std::size_t limit) {
  if (out.size() >= limit) return;
  if (value.is_array()) {
    out += '[';
    bool first = true;
    for (const json& item : value) {
      if (out.size() >= limit) return;
      if (!first) out += ',';
      first = false;
      append_brief(item, out, limit);
    }
    out += ']';
  } else if (value.is_object()) {
    out += '{';
    bool first = true;
    for (const auto& [key, item] : value.items()) {
      if (out.size() >= limit) return;
      if (!first) out += ',';
      first = false;
      out += json(key).dump(-1, ' ', false, json::error_handler_t::replace) + ':';
      append_brief(item, out, limit);
    }
    out += '}';
  } else {
    out += value.dump(-1, ' ', false, json::error_handler_t::replace);
  }
}

}  // namespace

std::string describe(const json& value) {
  std::string dumped;
  append_brief(value, dumped, 61);
  if (dumped.size() > 60) dumped = dumped.substr(0, 57) + "...";
  switch (value.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "boolean " + dumped;
    case json::value_t::string: return "string " + dumped;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: return dumped;
    case json::value_t::array: return "an array of " + std::to_string(value.size()) + " (" + dumped + ")";
    case json::value_t::object: return "an object (" + dumped + ")";
    default: return dumped;
  }
}

namespace {

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0u : 1u)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

}  // namespace

namespace detail {

std::string bound_text(Bound bound) {
  switch (bound) {
    case Bound::any: return "a number";
    case Bound::positive: return "a number > 0";
    case Bound::non_negative: return "a number >= 0";
    case Bound::unit_interval: return "a number in [0, 1]";
  }
  return "a number";
}

bool within(double v, Bound bound) {
  if (!std::isfinite(v)) return false;
  switch (bound) {
    case Bound::any: return true;
    case Bound::positive: return v > 0;
    case Bound::non_negative: return v >= 0;
    case Bound::unit_interval: return v >= 0 && v <= 1;
  }
  return true;
}

double checked_number(const json& value, const std::string& path, Bound bound) {
  if (!value.is_number()) throw ConfigError(path, bound_text(bound), describe(value));
  const double v = value.get<double>();
  if (!within(v, bound)) throw ConfigError(path, bound_text(bound), describe(value));
  return v;
}

std::array<double, 3> checked_vector(const json& value, const std::string& path, bool nonzero) {
  const std::string expected = nonzero ? "a non-zero vector [x, y, z]" : "a vector [x, y, z]";
  if (!value.is_array() || value.size() != 3) throw ConfigError(path, expected, describe(value));
  std::array<double, 3> v{};
  for (std::size_t k = 0; k < 3; ++k) {
    if (!value[k].is_number() || !std::isfinite(value[k].get<double>()))
      throw ConfigError(path + "[" + std::to_string(k) + "]", "a number", describe(value[k]));
    v[k] = value[k].get<double>();
  }
  if (nonzero && v[0] == 0 && v[1] == 0 && v[2] == 0) throw ConfigError(path, expected, describe(value));
  return v;
}

}  // namespace detail

std::string closest_match(const std::string& word, const std::set<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  for (const auto& candidate : candidates) {
    const std::size_t d = edit_distance(word, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  const std::size_t limit = std::max<std::size_t>(2, word.size() / 3);
  if (best_distance <= limit) return best;
  // A key given without its unit suffix ("phase" for "phase_rad", "current" for "current_mA").
  std::string with_unit;
  for (const auto& candidate : candidates)
    if (candidate.size() > word.size() + 1 && candidate.compare(0, word.size() + 1, word + "_") == 0 &&
        (with_unit.empty() || candidate.size() < with_unit.size()))
      with_unit = candidate;
  return with_unit;
}

ObjectReader::ObjectReader(const json& object, std::string path, json& resolved)
    : object_(&object), path_(std::move(path)), resolved_(&resolved) {
  if (!object.is_object()) throw ConfigError(path_.empty() ? "(top level)" : path_, "an object", describe(object));
  if (!resolved_->is_object()) *resolved_ = json::object();
}

bool ObjectReader::has(const std::string& key) const { return object_->contains(key); }

const json* ObjectReader::raw(const std::string& key) {
  known_.insert(key);
  return has(key) ? &value_at(key) : nullptr;
}

void ObjectReader::record(const std::string& key, json value) { (*resolved_)[key] = std::move(value); }

std::string ObjectReader::path_of(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

const json& ObjectReader::value_at(const std::string& key) const { return object_->at(key); }

double ObjectReader::number(const std::string& key, std::optional<double> fallback, Bound bound) {
  known_.insert(key);
  double v = 0;
  if (has(key)) {
    v = detail::checked_number(value_at(key), path_of(key), bound);
  } else if (fallback) {
    v = *fallback;
  } else {
    throw ConfigError(path_of(key), detail::bound_text(bound), "nothing (the key is required)");
  }
  (*resolved_)[key] = v;
  return v;
}

std::uint64_t ObjectReader::integer(const std::string& key, std::optional<std::uint64_t> fallback,
                                    std::uint64_t minimum) {
  known_.insert(key);
  const std::string expected = "an integer >= " + std::to_string(minimum);
  std::uint64_t v = 0;
  if (has(key)) {
    const json& value = value_at(key);
    if (value.is_number_unsigned() || (value.is_number_integer() && value.get<std::int64_t>() >= 0)) {
      v = value.get<std::uint64_t>();
    } else if (value.is_number_float() && value.get<double>() >= 0 && value.get<double>() < 1.8e19 &&
               std::floor(value.get<double>()) == value.get<double>()) {
      v = static_cast<std::uint64_t>(value.get<double>());
    } else {
      throw ConfigError(path_of(key), expected, describe(value));
    }
    if (v < minimum) throw ConfigError(path_of(key), expected, describe(value));
  } else if (fallback) {
    v = *fallback;
  } else {
    throw ConfigError(path_of(key), expected, "nothing (the key is required)");
  }
  (*resolved_)[key] = v;
  return v;
}

std::string ObjectReader::choice(const std::string& key, std::optional<std::string> fallback,
                                 const std::vector<std::string>& allowed) {
  known_.insert(key);
  std::string expected = "one of";
  for (std::size_t k = 0; k < allowed.size(); ++k) expected += (k ? ", \"" : " \"") + allowed[k] + "\"";
  std::string v;
  if (has(key)) {
    const json& value = value_at(key);
    if (!value.is_string()) throw ConfigError(path_of(key), expected, describe(value));
    v = value.get<std::string>();
    if (std::find(allowed.begin(), allowed.end(), v) == allowed.end())
      throw ConfigError(path_of(key), expected, describe(value));
  } else if (fallback) {
    v = *fallback;
  } else {
    throw ConfigError(path_of(key), expected, "nothing (the key is required)");
  }
  (*resolved_)[key] = v;
  return v;
}

std::array<double, 3> ObjectReader::vector3(const std::string& key, std::optional<std::array<double, 3>> fallback,
                                            bool nonzero) {
  known_.insert(key);
  std::array<double, 3> v{};
  if (has(key)) {
    v = detail::checked_vector(value_at(key), path_of(key), nonzero);
  } else if (fallback) {
    v = *fallback;
  } else {
    throw ConfigError(path_of(key), "a vector [x, y, z]", "nothing (the key is required)");
  }
  (*resolved_)[key] = v;
  return v;
}

DeviceLayout DeviceLayout::single(std::size_t count, std::uint64_t seed) {
  DeviceLayout layout;
  layout.per_instance = count;
  layout.seed = seed;
  return layout;
}

bool ObjectReader::swept(const std::string& key) const {
  if (layout_ == nullptr) return false;
  const std::string path = path_of(key);
  for (auto it = layout_->swept.lower_bound(path); it != layout_->swept.end(); ++it) {
    if (it->first.compare(0, path.size(), path) != 0) break;
    if (it->first.size() == path.size() || it->first[path.size()] == '.' || it->first[path.size()] == '[') return true;
  }
  return false;
}

const std::vector<double>* ObjectReader::sweep_values(const std::string& key) {
  if (layout_ == nullptr) return nullptr;
  const std::string path = path_of(key);
  const auto it = layout_->swept.find(path);
  if (it == layout_->swept.end()) return nullptr;
  layout_->swept_used.insert(path);
  return it->second;
}

ObjectReader ObjectReader::object(const std::string& key, bool required) {
  known_.insert(key);
  if (!has(key)) {
    if (required) throw ConfigError(path_of(key), "an object", "nothing (the key is required)");
    (*resolved_)[key] = json::object();
    ObjectReader child(empty_, path_of(key), (*resolved_)[key]);
    child.layout_ = layout_;
    return child;
  }
  (*resolved_)[key] = json::object();
  ObjectReader child(value_at(key), path_of(key), (*resolved_)[key]);
  child.layout_ = layout_;
  return child;
}

std::vector<ObjectReader> ObjectReader::objects(const std::string& key) {
  known_.insert(key);
  std::vector<ObjectReader> out;
  (*resolved_)[key] = json::array();
  if (!has(key)) return out;
  const json& value = value_at(key);
  if (!value.is_array()) throw ConfigError(path_of(key), "an array of objects", describe(value));
  json& target = (*resolved_)[key];
  for (std::size_t k = 0; k < value.size(); ++k) target.push_back(json::object());
  for (std::size_t k = 0; k < value.size(); ++k) {
    out.emplace_back(value[k], path_of(key) + "[" + std::to_string(k) + "]", target[k]);
    out.back().layout_ = layout_;
  }
  return out;
}

void ObjectReader::finish() const {
  for (const auto& [key, value] : object_->items()) {
    if (known_.count(key)) continue;
    const std::string hint = closest_match(key, known_);
    throw ConfigError(path_of(key),
                      hint.empty() ? "one of the known keys" : "a known key (did you mean \"" + hint + "\"?)",
                      "unknown key \"" + key + "\"");
  }
}

json load_json_file(const std::string& file) {
  // A directory opens as an empty stream: say what it is rather than "invalid JSON".
  if (std::filesystem::is_directory(file)) throw ConfigError(file, "is a directory, not a JSON config file", 0);
  std::ifstream in(file, std::ios::binary);
  if (!in)
    throw ConfigError(file, std::string("cannot open the file for reading (") + std::strerror(errno) + ")", 0);
  std::stringstream text;
  text << in.rdbuf();
  return parse_json_text(text.str(), file);
}

std::string checked_run_name(const json& value, const std::string& path) {
  const std::string expected =
      "a non-empty name of at most 200 characters without '/', '\\', \"..\", control characters or a leading "
      "dot (it names the folder spinnet-out/<name>)";
  if (!value.is_string()) throw ConfigError(path, expected, describe(value));
  const std::string name = value.get<std::string>();
  bool bad = name.empty() || name.size() > 200 || name[0] == '.' || name.find("..") != std::string::npos;
  for (unsigned char c : name) bad = bad || c < 0x20 || c == 0x7f || c == '/' || c == '\\';
  if (bad) throw ConfigError(path, expected, describe(value));
  return name;
}

namespace {

/// The SAX handler of parse_json_text: nlohmann's own DOM builder (what json::parse uses), plus the
/// keys seen in each open object and where the parser is, for the message of a duplicate key.
/// Not json::parse's callback: after every object inside an array, nlohmann 3.11's callback parser
/// scans the whole array for discarded values, so an array of n objects (an edge list, a fuzzed
/// config) took O(n^2) time.
class DuplicateKeyCheck {
 public:
  using number_integer_t = json::number_integer_t;
  using number_unsigned_t = json::number_unsigned_t;
  using number_float_t = json::number_float_t;
  using string_t = json::string_t;
  using binary_t = json::binary_t;

  DuplicateKeyCheck(json& result, std::string source) : dom_(result), source_(std::move(source)) {}

  bool null() {
    begin_element();
    return dom_.null();
  }
  bool boolean(bool v) {
    begin_element();
    return dom_.boolean(v);
  }
  bool number_integer(number_integer_t v) {
    begin_element();
    return dom_.number_integer(v);
  }
  bool number_unsigned(number_unsigned_t v) {
    begin_element();
    return dom_.number_unsigned(v);
  }
  bool number_float(number_float_t v, const string_t& s) {
    begin_element();
    return dom_.number_float(v, s);
  }
  bool string(string_t& v) {
    begin_element();
    return dom_.string(v);
  }
  bool binary(binary_t& v) {
    begin_element();
    return dom_.binary(v);
  }
  bool start_object(std::size_t n) {
    begin_element();
    frames_.push_back(Frame{false, 0, {}, {}});
    return dom_.start_object(n);
  }
  bool start_array(std::size_t n) {
    begin_element();
    frames_.push_back(Frame{true, 0, {}, {}});
    return dom_.start_array(n);
  }
  bool end_object() {
    frames_.pop_back();
    return dom_.end_object();
  }
  bool end_array() {
    frames_.pop_back();
    return dom_.end_array();
  }
  bool key(string_t& k) {
    Frame& top = frames_.back();
    top.key = k;
    if (!top.keys.insert(k).second)
      throw ConfigError(source_ + ": " + path(), "each key once in an object (JSON keeps only one of them)",
                        "\"" + k + "\" a second time");
    return dom_.key(k);
  }
  template <class Exception>
  bool parse_error(std::size_t position, const std::string& token, const Exception& e) {
    return dom_.parse_error(position, token, e);  // throws e
  }

 private:
  struct Frame {
    bool array;
    std::size_t next;  // arrays: index of the next element
    std::set<std::string> keys;
    std::string key;
  };

  /// Counts an array element as it begins.
  void begin_element() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().next;
  }

  std::string path() const {
    std::string out;
    for (const Frame& f : frames_) {
      if (f.array) out += "[" + std::to_string(f.next == 0 ? 0 : f.next - 1) + "]";
      else out += (out.empty() ? "" : ".") + f.key;
    }
    return out;
  }

  nlohmann::detail::json_sax_dom_parser<json> dom_;
  std::string source_;
  std::vector<Frame> frames_;
};

}  // namespace

json parse_json_text(const std::string& text, const std::string& source) {
  try {
    json result;
    DuplicateKeyCheck handler(result, source);
    json::sax_parse(text, &handler);
    return result;
  } catch (const json::exception& e) {  // syntax (parse_error) and number overflow (out_of_range 406)
    std::string what = e.what();
    auto cut = what.find("parse error");
    if (cut == std::string::npos) cut = what.find("number overflow");
    throw ConfigError(source, "invalid JSON: " + (cut == std::string::npos ? what : what.substr(cut)), 0);
  }
}

}  // namespace spinnet
