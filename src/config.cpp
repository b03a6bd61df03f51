#include "spinnet/config.hpp"

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

namespace {

constexpr double mT_to_A_per_m = 1e-3 / constants::mu0;  // mu0 H in mT -> H in A/m

}  // namespace

namespace {
MacrospinRunConfig read_macrospin_config_unprefixed(const json& config);
}  // namespace

MacrospinRunConfig read_macrospin_config(const json& config, const std::string& source) {
  MacrospinRunConfig out;
  try {
    out = read_macrospin_config_unprefixed(config);
  } catch (const ConfigError& e) {
    // Paths read as "file.json: devices.alpha".
    throw ConfigError(source.empty() ? e.path() : source + ": " + e.path(), e.expected(), e.given());
  }
  return out;
}

namespace {
MacrospinRunConfig read_macrospin_config_unprefixed(const json& config) {
  MacrospinRunConfig out;
  json& resolved = out.resolved;
  ObjectReader root(config, "", resolved);

  out.name = "run";
  if (const json* name = root.raw("name")) {
    if (!name->is_string() || name->get<std::string>().empty())
      throw ConfigError("name", "a non-empty string", describe(*name));
    out.name = name->get<std::string>();
  }
  root.record("name", out.name);
  root.choice("model", std::string("macrospin"), {"macrospin"});
  MacrospinProblem& problem = out.problem;
  problem.seed = root.integer("seed", 1);
  problem.precision = root.choice("precision", std::string("float32"), {"float32", "float64"}) == "float32"
                          ? Precision::float32
                          : Precision::float64;

  ObjectReader devices = root.object("devices", true);
  const std::size_t n = devices.integer("count", 1, 1);
  if (n > std::numeric_limits<std::uint32_t>::max())
    throw ConfigError(devices.path_of("count"), "at most 4294967295 devices (32-bit device ids)", std::to_string(n));
  {
    // Refuse a batch whose parameters cannot fit in physical memory before allocating them (the
    // allocation would throw bad_alloc or, with overcommit, get the process killed): reading holds
    // each device's parameters and, meanwhile, about as many bytes of per-key columns.
    // run_macrospin checks the whole run against available memory later.
    const std::uint64_t physical =
        static_cast<std::uint64_t>(::sysconf(_SC_PHYS_PAGES)) * static_cast<std::uint64_t>(::sysconf(_SC_PAGE_SIZE));
    const std::uint64_t needed = static_cast<std::uint64_t>(n) * 2 * sizeof(MacrospinParameters<double>);
    if (needed > physical)
      throw ConfigError(devices.path_of("count"),
                        "a batch that fits in this machine's memory (" + std::to_string(physical >> 20) + " MiB)",
                        std::to_string(n) + " devices, whose parameters need " + std::to_string(needed >> 20) +
                            " MiB");
  }
  problem.devices.resize(n);
  const auto alpha = devices.column("alpha", 0.01, n, Bound::positive);
  const auto gamma = devices.column("gamma_rad_per_s_T", constants::gyromagnetic_ratio, n, Bound::positive);
  const auto Ms = devices.column("Ms_kA_per_m", 1000.0, n, Bound::positive);
  const bool explicit_volume = devices.has("volume_nm3");
  std::vector<double> volume;
  if (explicit_volume) {
    for (const char* key : {"length_nm", "width_nm", "thickness_nm"})
      if (devices.has(key))
        throw ConfigError(devices.path_of(key), "either volume_nm3 or length_nm/width_nm/thickness_nm",
                          "both (volume_nm3 is also given)");
    volume = devices.column("volume_nm3", 0.0, n, Bound::positive);
  } else {
    const auto length = devices.column("length_nm", 100.0, n, Bound::positive);
    const auto width = devices.column("width_nm", 100.0, n, Bound::positive);
    const auto thickness = devices.column("thickness_nm", 2.0, n, Bound::positive);
    volume.resize(n);
    // Elliptical pillar: V = pi/4 L W t.
    for (std::size_t i = 0; i < n; ++i) volume[i] = constants::pi / 4 * length[i] * width[i] * thickness[i];
  }
  const auto Hk = devices.column("anisotropy_field_mT", 0.0, n, Bound::non_negative);
  const auto axis = devices.vector_column("anisotropy_axis", {0, 0, 1}, n, true);
  const auto demag = devices.vector_column("demagnetizing_factors", {0, 0, 1}, n);
  const auto field = devices.vector_column("field_mT", {0, 0, 0}, n);
  const auto polarizer = devices.vector_column("polarizer", {0, 0, 1}, n, true);
  const auto polarization = devices.column("spin_polarization", 0.5, n, Bound::unit_interval);
  const auto lambda = devices.column("slonczewski_lambda", 0.0, n);
  const auto beta = devices.column("field_like_ratio", 0.0, n);
  const auto current = devices.column("current_mA", 0.0, n);
  const auto temperature = devices.column("temperature_K", 0.0, n, Bound::non_negative);
  const auto R_P = devices.column("resistance_parallel_Ohm", 1000.0, n, Bound::positive);
  const auto R_AP = devices.column("resistance_antiparallel_Ohm", 2000.0, n, Bound::positive);
  const auto m0 = devices.vector_column("m0", {0, 0, 1}, n, true);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t k = 0; k < 3; ++k) {
      if (demag[i][k] < 0 || demag[i][k] > 1)
        throw ConfigError(devices.path_of("demagnetizing_factors"), "factors in [0, 1]",
                          describe(json(demag[i])) + " for device " + std::to_string(i));
    }
    MacrospinParameters<double>& p = problem.devices[i];
    p.alpha = alpha[i];
    p.gamma = gamma[i];
    p.Ms = Ms[i] * 1e3;
    p.volume = volume[i] * 1e-27;
    p.Hk = Hk[i] * mT_to_A_per_m;
    p.ux = axis[i][0], p.uy = axis[i][1], p.uz = axis[i][2];
    p.Nx = demag[i][0], p.Ny = demag[i][1], p.Nz = demag[i][2];
    p.Hx = field[i][0] * mT_to_A_per_m, p.Hy = field[i][1] * mT_to_A_per_m, p.Hz = field[i][2] * mT_to_A_per_m;
    p.px = polarizer[i][0], p.py = polarizer[i][1], p.pz = polarizer[i][2];
    p.polarization = polarization[i];
    p.lambda = lambda[i];
    p.beta = beta[i];
    p.current = current[i] * 1e-3;
    p.temperature = temperature[i];
    p.R_P = R_P[i];
    p.R_AP = R_AP[i];
    p.m0x = m0[i][0], p.m0y = m0[i][1], p.m0z = m0[i][2];
    const double denominator_floor = 1.0 - std::abs(p.lambda);
    if (denominator_floor <= 0)
      throw ConfigError(devices.path_of("slonczewski_lambda"), "|lambda| < 1 (eta = P / (1 + lambda m.p) stays finite)",
                        describe(json(p.lambda)));
  }
  for (auto& tone : devices.objects("rf_field")) {
    const auto amplitude = tone.vector_column("amplitude_mT", {0, 0, 0}, n);
    const auto frequency = tone.column("frequency_GHz", 0.0, n, Bound::non_negative);
    const auto phase = tone.column("phase_rad", 0.0, n);
    tone.finish();
    FieldTone t;
    for (std::size_t i = 0; i < n; ++i) {
      t.amplitude_x.push_back(amplitude[i][0] * mT_to_A_per_m);
      t.amplitude_y.push_back(amplitude[i][1] * mT_to_A_per_m);
      t.amplitude_z.push_back(amplitude[i][2] * mT_to_A_per_m);
      t.frequency.push_back(frequency[i] * 1e9);
      t.phase.push_back(phase[i]);
    }
    problem.field_tones.push_back(std::move(t));
  }
  for (auto& tone : devices.objects("rf_current")) {
    const auto amplitude = tone.column("amplitude_mA", 0.0, n);
    const auto frequency = tone.column("frequency_GHz", 0.0, n, Bound::non_negative);
    const auto phase = tone.column("phase_rad", 0.0, n);
    tone.finish();
    CurrentTone t;
    for (std::size_t i = 0; i < n; ++i) {
      t.amplitude.push_back(amplitude[i] * 1e-3);
      t.frequency.push_back(frequency[i] * 1e9);
      t.phase.push_back(phase[i]);
    }
    problem.current_tones.push_back(std::move(t));
  }
  devices.finish();

  ObjectReader integration = root.object("integration", true);
  const double dt_ps = integration.number("dt_ps", std::nullopt, Bound::positive);
  const double duration_ns = integration.number("duration_ns", std::nullopt, Bound::positive);
  const double transient_ns = integration.number("transient_ns", 0.0, Bound::non_negative);
  problem.drift_limit = integration.number("norm_drift_limit", 1e-3, Bound::positive);
  integration.finish();
  problem.dt = dt_ps * 1e-12;
  const double steps = std::round(duration_ns * 1e3 / dt_ps);
  if (steps < 1 || steps > 1e15)
    throw ConfigError(integration.path_of("duration_ns"), "between 1 and 1e15 time steps of dt_ps",
                      describe(json(duration_ns)) + " ns (" + std::to_string(steps) + " steps)");
  problem.steps = static_cast<std::uint64_t>(steps);
  problem.transient_steps = static_cast<std::uint64_t>(std::round(transient_ns * 1e3 / dt_ps));
  if (problem.transient_steps >= problem.steps)
    throw ConfigError(integration.path_of("transient_ns"), "less than duration_ns (" + describe(json(duration_ns)) + ")",
                      describe(json(transient_ns)));

  ObjectReader observables = root.object("observables");
  const auto frequency_axis = observables.vector3("frequency_axis", std::array<double, 3>{0, 0, 1}, true);
  problem.frequency_axis = {frequency_axis[0], frequency_axis[1], frequency_axis[2]};
  ObjectReader trace = observables.object("trace");
  const double every_ps = trace.number("every_ps", 0.0, Bound::non_negative);
  if (every_ps > 0) {
    const double every_steps = std::round(every_ps / dt_ps);
    if (every_steps < 1 || std::abs(every_steps * dt_ps - every_ps) > 1e-9 * every_ps)
      throw ConfigError(trace.path_of("every_ps"), "a whole multiple of integration.dt_ps (" + describe(json(dt_ps)) + ")",
                        describe(json(every_ps)));
    problem.trace_every = static_cast<std::uint64_t>(every_steps);
  }
  std::vector<std::uint32_t> default_traced;
  for (std::size_t i = 0; i < std::min<std::size_t>(n, 8); ++i) default_traced.push_back(static_cast<std::uint32_t>(i));
  if (const json* listed = trace.raw("devices")) {
    const json& list = *listed;
    const std::string path = trace.path_of("devices");
    if (!list.is_array()) throw ConfigError(path, "an array of device indices", describe(list));
    problem.trace_devices.clear();
    for (std::size_t k = 0; k < list.size(); ++k) {
      if (!list[k].is_number_unsigned() || list[k].get<std::uint64_t>() >= n)
        throw ConfigError(path + "[" + std::to_string(k) + "]", "a device index in [0, " + std::to_string(n - 1) + "]",
                          describe(list[k]));
      problem.trace_devices.push_back(list[k].get<std::uint32_t>());
    }
  } else {
    problem.trace_devices = default_traced;
  }
  trace.record("devices", problem.trace_devices);
  trace.finish();
  observables.finish();
  root.finish();
  return out;
}
}  // namespace

}  // namespace spinnet
