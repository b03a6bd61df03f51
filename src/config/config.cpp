#include "spinnet/config/config.hpp"

#include "spinnet/config/run_config.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include <unistd.h>

#include "spinnet/core/constants.hpp"
#include "spinnet/config/variability.hpp"

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

namespace {

/// " (at sweep point p: axis = value ...)" when the layout has a sweep, else "".
std::string point_text(const DeviceLayout& layout, std::size_t point) {
  return layout.describe_point ? layout.describe_point(point) : "";
}

/// "device 7" or "device 7 (sweep point 1, instance 0, device 3 of devices.count)".
std::string device_text(const DeviceLayout& layout, std::size_t d) {
  std::string text = "device " + std::to_string(d);
  if (layout.points > 1 || layout.instances > 1)
    text += " (sweep point " + std::to_string(d / layout.per_point()) + ", instance " +
            std::to_string(d / layout.per_instance % layout.instances) + ", device " +
            std::to_string(d % layout.per_instance) + " of devices.count)";
  return text;
}

const std::vector<std::string> distribution_kinds = {"normal", "truncated_normal", "lognormal", "uniform"};

/// A number of a distribution: one value, or one per sweep point when a sweep axis targets it.
/// Absent and not swept: `fallback` (nullopt: none, the caller decides).
std::optional<std::vector<double>> point_number(ObjectReader& reader, const std::string& key,
                                                std::optional<double> fallback, Bound bound, bool required) {
  if (const std::vector<double>* values = reader.sweep_values(key)) {
    reader.raw(key);
    const DeviceLayout& layout = *reader.layout();
    for (std::size_t p = 0; p < values->size(); ++p)
      if (!within((*values)[p], bound))
        throw ConfigError(reader.path_of(key), bound_text(bound), describe(json((*values)[p])) + point_text(layout, p));
    return *values;
  }
  if (!reader.has(key) && !fallback && !required) {
    reader.raw(key);
    return std::nullopt;
  }
  return std::vector<double>{reader.number(key, fallback, bound)};
}

/// Reads {"normal": {...}} (or another kind) at `path`: the distribution at every sweep point
/// (one entry when none of its parameters is swept).
std::vector<Distribution> read_distribution(const json& value, const std::string& path, DeviceLayout& layout,
                                            json& resolved) {
  ObjectReader outer(value, path, resolved);
  outer.set_layout(&layout);
  std::string kind;
  for (const auto& k : distribution_kinds)
    if (outer.has(k)) kind = kind.empty() ? k : "several";
  if (kind.empty() || kind == "several" || value.size() != 1)
    throw ConfigError(path, "exactly one of \"values\", \"normal\", \"truncated_normal\", \"lognormal\", \"uniform\"",
                      describe(value));
  ObjectReader params = outer.object(kind, true);
  const std::string at = params.path();
  auto one_of = [&](const std::string& a, const std::string& b, Bound bound) {
    const bool has_a = params.has(a) || params.swept(a), has_b = params.has(b) || params.swept(b);
    if (has_a == has_b)
      throw ConfigError(at, "exactly one of \"" + a + "\" and \"" + b + "\"", has_a ? "both" : "neither");
    auto values = point_number(params, has_a ? a : b, std::nullopt, bound, true);
    params.raw(has_a ? b : a);
    return std::pair{has_a, *values};
  };
  std::vector<std::vector<double>> columns;  // parameter values, each 1 or `points` long
  auto at_point = [](const std::vector<double>& v, std::size_t p) { return v.size() == 1 ? v[0] : v[p]; };
  std::vector<Distribution> out;
  std::size_t points = 1;
  auto note = [&](const std::vector<double>& v) { points = std::max(points, v.size()); };

  if (kind == "normal" || kind == "truncated_normal") {
    const auto mean = *point_number(params, "mean", std::nullopt, Bound::any, true);
    const auto [absolute, spread] = one_of("std", "relative_std", Bound::non_negative);
    std::optional<std::vector<double>> min, max;
    if (kind == "truncated_normal") {
      min = point_number(params, "min", std::nullopt, Bound::any, false);
      max = point_number(params, "max", std::nullopt, Bound::any, false);
      if (!min && !max) throw ConfigError(at, "at least one of \"min\" and \"max\"", "neither");
      if (min) note(*min);
      if (max) note(*max);
    }
    note(mean);
    note(spread);
    for (std::size_t p = 0; p < points; ++p) {
      Distribution d;
      d.kind = kind == "normal" ? DistributionKind::normal : DistributionKind::truncated_normal;
      d.mean = at_point(mean, p);
      d.std = absolute ? at_point(spread, p) : at_point(spread, p) * std::abs(d.mean);
      if (min) d.min = at_point(*min, p);
      if (max) d.max = at_point(*max, p);
      if (kind == "truncated_normal") {
        const std::string where = points > 1 ? point_text(layout, p) : "";
        if (!(d.min < d.max))
          throw ConfigError(at + ".max", "a number > min (" + describe(json(d.min)) + ")", describe(json(d.max)) + where);
        const double mass = d.std > 0 ? truncated_normal_mass((d.min - d.mean) / d.std, (d.max - d.mean) / d.std)
                                      : (d.mean >= d.min && d.mean <= d.max ? 1.0 : 0.0);
        if (!(mass > 1e-300))
          throw ConfigError(at, "bounds [min, max] that hold some probability of the normal (mean, std)",
                            "[" + describe(json(d.min)) + ", " + describe(json(d.max)) + "], " + std::to_string(
                                d.std > 0 ? std::fmin(std::abs(d.min - d.mean), std::abs(d.max - d.mean)) / d.std : 0.0) +
                                " std away from mean " + describe(json(d.mean)) + where);
      }
      out.push_back(d);
    }
  } else if (kind == "lognormal") {
    const auto [by_median, center] = one_of("median", "mean", Bound::positive);
    const auto sigma = *point_number(params, "sigma", std::nullopt, Bound::non_negative, true);
    note(center);
    note(sigma);
    for (std::size_t p = 0; p < points; ++p) {
      Distribution d;
      d.kind = DistributionKind::lognormal;
      d.sigma = at_point(sigma, p);
      // median = e^mu; mean = e^(mu + sigma^2 / 2).
      d.mu = std::log(at_point(center, p)) - (by_median ? 0.0 : 0.5 * d.sigma * d.sigma);
      out.push_back(d);
    }
  } else {
    const auto min = *point_number(params, "min", std::nullopt, Bound::any, true);
    const auto max = *point_number(params, "max", std::nullopt, Bound::any, true);
    note(min);
    note(max);
    for (std::size_t p = 0; p < points; ++p) {
      Distribution d;
      d.kind = DistributionKind::uniform;
      d.min = at_point(min, p);
      d.max = at_point(max, p);
      if (!(d.min <= d.max))
        throw ConfigError(at + ".max", "a number >= min (" + describe(json(d.min)) + ")",
                          describe(json(d.max)) + (points > 1 ? point_text(layout, p) : ""));
      out.push_back(d);
    }
  }
  params.finish();
  outer.finish();
  return out;
}

/// Fills one per-device scalar (length layout.total()) from its config value `given` (null:
/// absent, `fallback`), or from the sweep axis on `path`; records the resolved form. Returns
/// whether the values differ between devices.
Column fill_scalar(const json* given, const std::string& path, double fallback, Bound bound, DeviceLayout& layout,
                   json& resolved) {
  const std::size_t total = layout.total(), per = layout.per_instance, per_point = layout.per_point();
  const auto swept = layout.swept.find(path);
  const std::vector<double>* axis = swept == layout.swept.end() ? nullptr : swept->second;
  if (axis) layout.swept_used.insert(path);
  std::vector<double> list;
  std::vector<Distribution> distributions;
  double constant = fallback;
  if (given == nullptr) {
    resolved = fallback;
  } else if (given->is_number()) {
    constant = checked_number(*given, path, bound);
    resolved = constant;
  } else if (given->is_object() && given->contains("values")) {
    const std::string expected = "an array of " + std::to_string(per) + " numbers (one per device)";
    if (given->size() != 1) {
      for (const auto& [k, v] : given->items())
        if (k != "values")
          throw ConfigError(path + "." + k, "no other key next to \"values\"", "unknown key \"" + k + "\"");
    }
    const json& values = given->at("values");
    if (!values.is_array() || values.size() != per) throw ConfigError(path + ".values", expected, describe(values));
    list.resize(per);
    for (std::size_t i = 0; i < per; ++i)
      list[i] = checked_number(values[i], path + ".values[" + std::to_string(i) + "]", bound);
    resolved = json{{"values", list}};
  } else if (given->is_object()) {
    distributions = read_distribution(*given, path, layout, resolved);
  } else {
    throw ConfigError(path,
                      bound_text(bound) + ", {\"values\": [...]} with " + std::to_string(per) +
                          " numbers (one per device), or a distribution such as {\"normal\": {\"mean\": ..., \"std\": ...}}",
                      describe(*given));
  }

  std::vector<double> out;
  if (axis) {
    // The swept number replaces the given form at every point.
    for (std::size_t p = 0; p < layout.points; ++p)
      if (!within((*axis)[p], bound))
        throw ConfigError(path, bound_text(bound), describe(json((*axis)[p])) + point_text(layout, p));
    if (std::all_of(axis->begin(), axis->end(), [&](double v) { return v == (*axis)[0]; }))
      return Column((*axis)[0], total);
    out.resize(total);
    for (std::size_t p = 0; p < layout.points; ++p)
      std::fill(out.begin() + static_cast<std::ptrdiff_t>(p * per_point),
                out.begin() + static_cast<std::ptrdiff_t>((p + 1) * per_point), (*axis)[p]);
  } else if (!list.empty()) {
    out.resize(total);
    for (std::size_t d = 0; d < total; ++d) out[d] = list[d % per];
  } else if (!distributions.empty()) {
    out.resize(total);
    const std::uint64_t identity = parameter_identity(path);
    const std::int64_t count = static_cast<std::int64_t>(total);
    // Each draw is a pure function of (seed, d, path): threads change nothing but the speed.
#pragma omp parallel for schedule(static) if (total > 65536)
    for (std::int64_t k = 0; k < count; ++k) {
      const std::size_t d = static_cast<std::size_t>(k);
      const Distribution& dist = distributions.size() == 1 ? distributions[0] : distributions[d / per_point];
      out[d] = sample_parameter(dist, layout.seed, static_cast<std::uint32_t>(d), identity);
    }
    for (std::size_t d = 0; d < total; ++d)
      if (!within(out[d], bound))
        throw ConfigError(path, bound_text(bound) + " (choose a distribution inside the allowed range, e.g. truncated_normal)",
                          describe(json(out[d])) + " sampled for " + device_text(layout, d));
  } else {
    return Column(constant, total);
  }
  if (std::all_of(out.begin(), out.end(), [&](double v) { return v == out[0]; })) return Column(out[0], total);
  if (layout.varied != nullptr) (*layout.varied)[path] = out;
  return Column(std::move(out));
}

}  // namespace

Column ObjectReader::column(const std::string& key, double fallback, std::size_t count, Bound bound) {
  known_.insert(key);
  DeviceLayout local = DeviceLayout::single(count);
  DeviceLayout& layout = layout_ ? *layout_ : local;
  return fill_scalar(has(key) ? &value_at(key) : nullptr, path_of(key), fallback, bound, layout, (*resolved_)[key]);
}

VectorColumn ObjectReader::vector_column(const std::string& key, std::array<double, 3> fallback, std::size_t count,
                                         bool nonzero) {
  known_.insert(key);
  DeviceLayout local = DeviceLayout::single(count);
  DeviceLayout& layout = layout_ ? *layout_ : local;
  const std::size_t total = layout.total(), per = layout.per_instance;
  const std::string path = path_of(key);
  const std::string expected_vector = nonzero ? "a non-zero vector [x, y, z]" : "a vector [x, y, z]";
  VectorColumn out;
  json& resolved = (*resolved_)[key];
  const json* given = has(key) ? &value_at(key) : nullptr;
  if (given != nullptr && given->is_object()) {
    // {"values": [[x, y, z], ...]}, one vector per device of the section.
    const std::string expected =
        "a vector [x, y, z], or {\"values\": [[x, y, z], ...]} with " + std::to_string(per) + " vectors";
    if (!given->contains("values") || given->size() != 1) {
      for (const auto& [k, v] : given->items())
        if (k != "values") {
          const std::string hint = closest_match(k, {"values"});
          throw ConfigError(path + "." + k, hint.empty() ? "only the key \"values\"" : "a known key (did you mean \"values\"?)",
                            "unknown key \"" + k + "\"");
        }
      throw ConfigError(path + ".values", expected, "nothing (the key is required)");
    }
    const json& values = given->at("values");
    if (!values.is_array() || values.size() != per)
      throw ConfigError(path + ".values", "an array of " + std::to_string(per) + " vectors (one per device)",
                        describe(values));
    std::vector<std::array<double, 3>> list(per);
    for (std::size_t i = 0; i < per; ++i)
      list[i] = checked_vector(values[i], path + ".values[" + std::to_string(i) + "]", nonzero);
    resolved = json{{"values", list}};
    for (std::size_t k = 0; k < 3; ++k) {
      const std::string component = path + "[" + std::to_string(k) + "]";
      json ignored;
      // A sweep axis on one component ("devices.field_mT[2]") replaces that component.
      if (layout.swept.count(component)) {
        out.components[k] = fill_scalar(nullptr, component, 0.0, Bound::any, layout, ignored);
        continue;
      }
      json per_device = json::array();
      for (std::size_t i = 0; i < per; ++i) per_device.push_back(list[i][k]);
      const json given_component = json{{"values", std::move(per_device)}};
      out.components[k] = fill_scalar(&given_component, component, 0.0, Bound::any, layout, ignored);
    }
  } else {
    if (given != nullptr && (!given->is_array() || given->size() != 3))
      throw ConfigError(path, expected_vector + " (each component a number or a distribution), or {\"values\": [[x, y, z], ...]}",
                        describe(*given));
    resolved = json::array();
    for (std::size_t k = 0; k < 3; ++k) {
      const std::string component = path + "[" + std::to_string(k) + "]";
      const json* value = given ? &(*given)[k] : nullptr;
      if (value != nullptr && !value->is_number() && !value->is_object())
        throw ConfigError(component, "a number or a distribution", describe(*value));
      if (value != nullptr && value->is_object() && value->contains("values"))
        throw ConfigError(component, "a number or a distribution (per-device lists take the whole vector: {\"values\": [[x, y, z], ...]})",
                          describe(*value));
      json resolved_component;
      out.components[k] = fill_scalar(value, component, fallback[k], Bound::any, layout, resolved_component);
      resolved.push_back(resolved_component);
    }
  }
  if (nonzero)
    for (std::size_t d = 0; d < total; ++d) {
      const auto v = out[d];
      if (v[0] == 0 && v[1] == 0 && v[2] == 0)
        throw ConfigError(path, expected_vector, describe(json(v)) + " for " + device_text(layout, d));
      if (out.components[0].uniform() && out.components[1].uniform() && out.components[2].uniform()) break;
    }
  return out;
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

json parse_json_text(const std::string& text, const std::string& source) {
  try {
    return json::parse(text);
  } catch (const json::exception& e) {  // syntax (parse_error) and number overflow (out_of_range 406)
    std::string what = e.what();
    auto cut = what.find("parse error");
    if (cut == std::string::npos) cut = what.find("number overflow");
    throw ConfigError(source, "invalid JSON: " + (cut == std::string::npos ? what : what.substr(cut)), 0);
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
