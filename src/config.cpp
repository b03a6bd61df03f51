#include "spinnet/config.hpp"

#include "spinnet/run_config.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include <unistd.h>

#include "spinnet/constants.hpp"

namespace spinnet {

const json ObjectReader::empty_ = json::object();

std::string describe(const json& value) {
  std::string dumped = value.dump();
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

}  // namespace

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
  return best_distance <= limit ? best : "";
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
    v = checked_number(value_at(key), path_of(key), bound);
  } else if (fallback) {
    v = *fallback;
  } else {
    throw ConfigError(path_of(key), bound_text(bound), "nothing (the key is required)");
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
    v = checked_vector(value_at(key), path_of(key), nonzero);
  } else if (fallback) {
    v = *fallback;
  } else {
    throw ConfigError(path_of(key), "a vector [x, y, z]", "nothing (the key is required)");
  }
  (*resolved_)[key] = v;
  return v;
}

std::vector<double> ObjectReader::column(const std::string& key, double fallback, std::size_t count, Bound bound) {
  known_.insert(key);
  if (!has(key)) {
    (*resolved_)[key] = fallback;
    return std::vector<double>(count, fallback);
  }
  const json& value = value_at(key);
  const std::string path = path_of(key);
  if (value.is_number()) {
    const double v = checked_number(value, path, bound);
    (*resolved_)[key] = v;
    return std::vector<double>(count, v);
  }
  const std::string expected = bound_text(bound) + ", or {\"values\": [...]} with " + std::to_string(count) +
                               " numbers (one per device)";
  if (!value.is_object()) throw ConfigError(path, expected, describe(value));
  json resolved_column;
  ObjectReader spec(value, path, resolved_column);
  spec.known_.insert("values");
  if (!spec.has("values")) throw ConfigError(path + ".values", "an array of " + std::to_string(count) + " numbers",
                                             "nothing (the key is required)");
  spec.finish();
  const json& values = value.at("values");
  if (!values.is_array() || values.size() != count)
    throw ConfigError(path + ".values", "an array of " + std::to_string(count) + " numbers (one per device)",
                      describe(values));
  std::vector<double> out(count);
  for (std::size_t i = 0; i < count; ++i)
    out[i] = checked_number(values[i], path + ".values[" + std::to_string(i) + "]", bound);
  (*resolved_)[key] = json{{"values", out}};
  return out;
}

std::vector<std::array<double, 3>> ObjectReader::vector_column(const std::string& key, std::array<double, 3> fallback,
                                                               std::size_t count, bool nonzero) {
  known_.insert(key);
  if (!has(key)) {
    (*resolved_)[key] = fallback;
    return std::vector<std::array<double, 3>>(count, fallback);
  }
  const json& value = value_at(key);
  const std::string path = path_of(key);
  if (value.is_array()) {
    const auto v = checked_vector(value, path, nonzero);
    (*resolved_)[key] = v;
    return std::vector<std::array<double, 3>>(count, v);
  }
  const std::string expected =
      "a vector [x, y, z], or {\"values\": [[x, y, z], ...]} with " + std::to_string(count) + " vectors";
  if (!value.is_object()) throw ConfigError(path, expected, describe(value));
  json resolved_column;
  ObjectReader spec(value, path, resolved_column);
  spec.known_.insert("values");
  spec.finish();
  if (!spec.has("values")) throw ConfigError(path + ".values", expected, "nothing (the key is required)");
  const json& values = value.at("values");
  if (!values.is_array() || values.size() != count)
    throw ConfigError(path + ".values", "an array of " + std::to_string(count) + " vectors (one per device)",
                      describe(values));
  std::vector<std::array<double, 3>> out(count);
  for (std::size_t i = 0; i < count; ++i)
    out[i] = checked_vector(values[i], path + ".values[" + std::to_string(i) + "]", nonzero);
  (*resolved_)[key] = json{{"values", out}};
  return out;
}

ObjectReader ObjectReader::object(const std::string& key, bool required) {
  known_.insert(key);
  if (!has(key)) {
    if (required) throw ConfigError(path_of(key), "an object", "nothing (the key is required)");
    (*resolved_)[key] = json::object();
    return ObjectReader(empty_, path_of(key), (*resolved_)[key]);
  }
  (*resolved_)[key] = json::object();
  return ObjectReader(value_at(key), path_of(key), (*resolved_)[key]);
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
  for (std::size_t k = 0; k < value.size(); ++k)
    out.emplace_back(value[k], path_of(key) + "[" + std::to_string(k) + "]", target[k]);
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
  try {
    return json::parse(text.str());
  } catch (const json::parse_error& e) {
    std::string what = e.what();
    const auto cut = what.find("parse error");
    throw ConfigError(file, "invalid JSON: " + (cut == std::string::npos ? what : what.substr(cut)), 0);
  }
}

MacrospinRunConfig read_macrospin_config(const json& config, const std::string& source) {
  const RunConfig run = read_run_config(config, source);
  if (run.model != ModelKind::macrospin)
    throw ConfigError((source.empty() ? "" : source + ": ") + std::string("model"), "\"macrospin\"",
                      "\"" + to_string(run.model) + "\"");
  MacrospinRunConfig out;
  out.name = run.name;
  out.resolved = run.resolved;
  MacrospinProblem& p = out.problem;
  p.devices = run.macrospin;
  for (const ToneInput& t : run.drive.vector_tones)
    p.field_tones.push_back({t.amplitude_x, t.amplitude_y, t.amplitude_z, t.frequency, t.phase});
  for (const ToneInput& t : run.drive.current_tones) p.current_tones.push_back({t.amplitude_x, t.frequency, t.phase});
  p.current_schedule = run.drive.schedule;
  p.dt = run.control.dt;
  p.steps = run.control.steps;
  p.transient_steps = run.control.transient_steps;
  p.seed = run.control.seed;
  p.frequency_axis = run.control.axis;
  p.drift_limit = run.control.drift_limit;
  p.trace_every = run.control.trace_every;
  p.trace_devices = run.control.trace_devices;
  p.precision = run.control.precision;
  return out;
}

}  // namespace spinnet
