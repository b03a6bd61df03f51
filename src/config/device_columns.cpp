// Per-device columns of a config (ObjectReader::column, vector_column): a number shared by every
// device, a {"values": [...]} list, or a distribution sampled per device from (seed, global device
// id, parameter path) on the variability stream; sweep axes replace the numbers they name, point by
// point (docs/config.md, "Variability").
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "config/checked_values.hpp"
#include "spinnet/config/config.hpp"
#include "spinnet/config/variability.hpp"

namespace spinnet {

using detail::bound_text;
using detail::checked_number;
using detail::checked_vector;
using detail::within;

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

const std::vector<std::string> distribution_kinds = {"normal", "truncated_normal", "lognormal", "uniform", "lorentzian"};

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
    throw ConfigError(path, "exactly one of \"values\", \"normal\", \"truncated_normal\", \"lognormal\", \"uniform\", \"lorentzian\"",
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
  } else if (kind == "lorentzian") {
    const auto center = *point_number(params, "center", std::nullopt, Bound::any, true);
    const auto width = *point_number(params, "half_width", std::nullopt, Bound::positive, true);
    const auto min = *point_number(params, "min", std::nullopt, Bound::any, true);
    const auto max = *point_number(params, "max", std::nullopt, Bound::any, true);
    for (const auto* v : {&center, &width, &min, &max}) note(*v);
    for (std::size_t p = 0; p < points; ++p) {
      Distribution d;
      d.kind = DistributionKind::lorentzian;
      d.mean = at_point(center, p);
      d.std = at_point(width, p);
      d.min = at_point(min, p);
      d.max = at_point(max, p);
      if (!(d.min < d.max))
        throw ConfigError(at + ".max", "a number > min (" + describe(json(d.min)) + ")",
                          describe(json(d.max)) + (points > 1 ? point_text(layout, p) : ""));
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

}  // namespace spinnet
