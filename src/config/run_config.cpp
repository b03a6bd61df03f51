// Reading a run config of any model: the root and common sections (name, model, seed, sweep,
// integration, observables), then the device section (device_readers.cpp), the coupling
// (coupling_config.cpp) and the measurements (measure_config.cpp).
#include "spinnet/config/run_config.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <filesystem>
#include <optional>

#include "config/run_config_sections.hpp"
#include "spinnet/config/config_schema.hpp"
#include "spinnet/core/constants.hpp"

namespace spinnet {

std::string to_string(ModelKind kind) {
  switch (kind) {
    case ModelKind::macrospin: return "macrospin";
    case ModelKind::auto_oscillator: return "auto_oscillator";
    case ModelKind::vortex: return "vortex";
  }
  return "?";
}

double SweepPlan::value(std::size_t point, std::size_t axis) const {
  std::size_t stride = 1;
  for (std::size_t a = axes.size(); a-- > axis + 1;) stride *= axes[a].values.size();
  return axes[axis].values[(point / stride) % axes[axis].values.size()];
}

std::size_t RunConfig::device_count() const {
  switch (model) {
    case ModelKind::macrospin: return macrospin.size();
    case ModelKind::auto_oscillator: return auto_oscillator.size();
    case ModelKind::vortex: return vortex.size();
  }
  return 0;
}

namespace {

std::uint64_t physical_memory() {
  return static_cast<std::uint64_t>(::sysconf(_SC_PHYS_PAGES)) * static_cast<std::uint64_t>(::sysconf(_SC_PAGE_SIZE));
}

/// Refuses `devices` devices (a lower bound of the study's size) when their parameters, held twice
/// over (config and batch), cannot fit in memory; checked before anything that size is allocated.
void check_fits_in_memory(const std::string& path, double devices, const std::string& what) {
  const double needed = devices * 2 * static_cast<double>(sizeof(MacrospinParameters<double>));
  const std::uint64_t physical = physical_memory();
  if (needed > static_cast<double>(physical))
    throw ConfigError(path, "a study that fits in this machine's memory (" + std::to_string(physical >> 20) + " MiB)",
                      what + ", whose parameters need at least " +
                          std::to_string(static_cast<std::uint64_t>(needed) >> 20) + " MiB");
}

SweepPlan read_sweep(ObjectReader& root) {
  SweepPlan plan;
  ObjectReader sweep = root.object("sweep");
  for (auto& axis : sweep.objects("axes")) {
    SweepAxis a;
    const json* path = axis.raw("path");
    if (path == nullptr || !path->is_string() ||
        (path->get<std::string>().rfind("devices.", 0) != 0 && path->get<std::string>().rfind("network.", 0) != 0))
      throw ConfigError(axis.path_of("path"),
                        "a config path inside \"devices\" or \"network\" such as \"devices.current_mA\"",
                        path ? describe(*path) : "nothing (the key is required)");
    a.path = path->get<std::string>();
    axis.record("path", a.path);
    const int forms = axis.has("values") + axis.has("linear") + axis.has("log");
    if (forms != 1)
      throw ConfigError(axis.path(), "exactly one of \"values\", \"linear\", \"log\"", std::to_string(forms) + " of them");
    if (const json* values = axis.raw("values")) {
      if (!values->is_array() || values->empty())
        throw ConfigError(axis.path_of("values"), "a non-empty array of numbers", describe(*values));
      for (std::size_t k = 0; k < values->size(); ++k) {
        if (!(*values)[k].is_number())
          throw ConfigError(axis.path_of("values") + "[" + std::to_string(k) + "]", "a number", describe((*values)[k]));
        a.values.push_back((*values)[k].get<double>());
      }
      axis.record("values", *values);
    } else {
      const bool logarithmic = axis.has("log");
      ObjectReader range = axis.object(logarithmic ? "log" : "linear", true);
      const double start = range.number("start", std::nullopt, logarithmic ? Bound::positive : Bound::any);
      const double stop = range.number("stop", std::nullopt, logarithmic ? Bound::positive : Bound::any);
      const std::size_t count = range.integer("count", std::nullopt, 1);
      range.finish();
      // Checked before the values are generated (a count of 3e9 must not allocate 24 GB first).
      if (static_cast<double>(count) * static_cast<double>(plan.points) >
          static_cast<double>(std::numeric_limits<std::uint32_t>::max()))
        throw ConfigError(range.path_of("count"), "at most 4294967295 sweep points in all axes together",
                          std::to_string(count) + " values (x " + std::to_string(plan.points) + " points of the axes before)");
      check_fits_in_memory(range.path_of("count"), static_cast<double>(count) * static_cast<double>(plan.points),
                           std::to_string(count) + " x " + std::to_string(plan.points) + " sweep points");
      for (std::size_t k = 0; k < count; ++k) {
        const double t = count == 1 ? 0.0 : static_cast<double>(k) / static_cast<double>(count - 1);
        a.values.push_back(logarithmic ? start * std::pow(stop / start, t) : start + (stop - start) * t);
      }
    }
    axis.finish();
    if (static_cast<double>(plan.points) * static_cast<double>(a.values.size()) >
        static_cast<double>(std::numeric_limits<std::uint32_t>::max()))
      throw ConfigError(axis.path(), "at most 4294967295 sweep points in all axes together",
                        std::to_string(a.values.size()) + " values (x " + std::to_string(plan.points) +
                            " points of the axes before)");
    plan.points *= a.values.size();
    plan.axes.push_back(std::move(a));
  }
  sweep.finish();
  return plan;
}

RunConfig read_unprefixed(const json& config, const std::string& source_dir) {
  RunConfig out;
  json& resolved = out.resolved;
  ObjectReader root(config, "", resolved);
  out.name = "run";
  if (const json* name = root.raw("name")) out.name = checked_run_name(*name, "name");
  root.record("name", out.name);
  const std::string model =
      root.choice("model", std::string("macrospin"), {"macrospin", "auto_oscillator", "vortex"});
  out.model = model == "macrospin" ? ModelKind::macrospin
              : model == "vortex"  ? ModelKind::vortex
                                   : ModelKind::auto_oscillator;
  RunControl& control = out.control;
  control.seed = root.integer("seed", 1);
  control.precision = root.choice("precision", std::string("float32"), {"float32", "float64"}) == "float32"
                          ? Precision::float32
                          : Precision::float64;

  // The devices section is read once, for every sweep point and instance; sweep axes replace the
  // numbers they name, point by point.
  out.sweep = read_sweep(root);
  const std::size_t instances = root.integer("instances", 1, 1);
  if (!config.contains("devices")) throw ConfigError("devices", "an object", "nothing (the key is required)");
  root.raw("devices");
  if (out.sweep.points > std::numeric_limits<std::uint32_t>::max())
    throw ConfigError("sweep.axes", "at most 4294967295 sweep points", std::to_string(out.sweep.points));
  if (static_cast<double>(out.sweep.points) * static_cast<double>(instances) >
      static_cast<double>(std::numeric_limits<std::uint32_t>::max()))
    throw ConfigError("instances", "at most 4294967295 devices in all sweep points and instances",
                      std::to_string(instances) + " instances x " + std::to_string(out.sweep.points) + " sweep points");
  // devices.count >= 1, so points x instances bounds the study from below: refuse it before
  // expanding anything when it cannot fit.
  check_fits_in_memory("instances", static_cast<double>(out.sweep.points) * static_cast<double>(instances),
                       std::to_string(out.sweep.points) + " sweep points x " + std::to_string(instances) + " instances");
  DeviceLayout layout;
  layout.instances = instances;
  layout.points = out.sweep.points;
  layout.seed = control.seed;
  layout.varied = &out.varied_parameters;
  std::vector<std::vector<double>> point_values(out.sweep.axes.size());
  for (std::size_t a = 0; a < out.sweep.axes.size(); ++a) {
    const SweepAxis& axis = out.sweep.axes[a];
    point_values[a].resize(out.sweep.points);
    for (std::size_t p = 0; p < out.sweep.points; ++p) point_values[a][p] = out.sweep.value(p, a);
    if (!layout.swept.emplace(axis.path, &point_values[a]).second)
      throw ConfigError("sweep.axes[" + std::to_string(a) + "].path", "a path no other axis sweeps",
                        "\"" + axis.path + "\" again");
  }
  const SweepPlan& plan = out.sweep;
  layout.describe_point = [&plan](std::size_t point) {
    std::string at = " (at sweep point " + std::to_string(point) + ":";
    for (std::size_t a = 0; a < plan.axes.size(); ++a)
      at += " " + plan.axes[a].path + " = " + describe(json(plan.value(point, a)));
    return at + ")";
  };
  read_devices(config.at("devices"), out, layout, resolved["devices"]);
  const std::size_t n = out.device_count();

  ObjectReader integration = root.object("integration", true);
  const double dt_ps = integration.number("dt_ps", std::nullopt, Bound::positive);
  const double duration_ns = integration.number("duration_ns", std::nullopt, Bound::positive);
  const double transient_ns = integration.number("transient_ns", 0.0, Bound::non_negative);
  control.drift_limit = integration.number("norm_drift_limit", 1e-3, Bound::positive);
  integration.finish();
  control.dt = dt_ps * 1e-12;
  const double steps = std::round(duration_ns * 1e3 / dt_ps);
  if (steps < 1 || steps > 1e15)
    throw ConfigError(integration.path_of("duration_ns"), "between 1 and 1e15 time steps of dt_ps",
                      describe(json(duration_ns)) + " ns (" + std::to_string(steps) + " steps)");
  control.steps = static_cast<std::uint64_t>(steps);
  control.transient_steps = static_cast<std::uint64_t>(std::round(transient_ns * 1e3 / dt_ps));
  if (control.transient_steps >= control.steps)
    throw ConfigError(integration.path_of("transient_ns"), "less than duration_ns (" + describe(json(duration_ns)) + ")",
                      describe(json(transient_ns)));
  auto steps_of = [&](ObjectReader& reader, const std::string& key, double ps) {
    return whole_steps(reader, key, ps, dt_ps);
  };

  // Networks of coupled oscillators: their per-network numbers may be swept too.
  read_network(root, out, layout, dt_ps, duration_ns, transient_ns, source_dir);
  layout.describe_point = nullptr;
  for (std::size_t a = 0; a < out.sweep.axes.size(); ++a)
    if (!layout.swept_used.count(out.sweep.axes[a].path))
      throw ConfigError("sweep.axes[" + std::to_string(a) + "].path",
                        "a per-device number of this model's devices section, e.g. \"devices.current_mA\", "
                        "\"devices.field_mT[2]\", \"devices.rf_drive[0].frequency_GHz\" (the tone must exist), "
                        "a distribution parameter \"devices.Ms_kA_per_m.normal.relative_std\", or a number of the "
                        "network section such as \"network.coupling[0].strength_per_ns\"",
                        "\"" + out.sweep.axes[a].path + "\"");

  ObjectReader observables = root.object("observables");
  const auto axis = observables.vector3("frequency_axis", std::array<double, 3>{0, 0, 1}, true);
  control.axis = {axis[0], axis[1], axis[2]};
  ObjectReader trace = observables.object("trace");
  const double every_ps = trace.number("every_ps", 0.0, Bound::non_negative);
  if (every_ps > 0) control.trace_every = steps_of(trace, "every_ps", every_ps);
  if (const json* listed = trace.raw("devices")) {
    const json& list = *listed;
    const std::string path = trace.path_of("devices");
    if (!list.is_array()) throw ConfigError(path, "an array of device indices", describe(list));
    for (std::size_t k = 0; k < list.size(); ++k) {
      if (!list[k].is_number_unsigned() || list[k].get<std::uint64_t>() >= n)
        throw ConfigError(path + "[" + std::to_string(k) + "]", "a device index in [0, " + std::to_string(n - 1) + "]",
                          describe(list[k]));
      control.trace_devices.push_back(list[k].get<std::uint32_t>());
    }
  } else {
    for (std::size_t i = 0; i < std::min<std::size_t>(n, 8); ++i)
      control.trace_devices.push_back(static_cast<std::uint32_t>(i));
  }
  trace.record("devices", control.trace_devices);
  trace.finish();
  observables.finish();

  read_coupling(root, out);
  if (out.network.enabled && out.network.lock_tolerance == 0)
    out.network.lock_tolerance = 1e9 / (duration_ns - transient_ns);  // one frequency bin of the window

  read_measurements(root, out, dt_ps, duration_ns, transient_ns);
  root.finish();
  return out;
}

}  // namespace

RunConfig read_run_config(const json& config, const std::string& source) {
  try {
    // The schema (src/config/spinnet.schema.json) checks keys, types and bounds; the reader then
    // checks what the schema cannot say (cross-key rules, sampled values, sweep paths).
    const std::vector<SchemaProblem> problems = schema_problems(config, config_schema());
    if (!problems.empty()) throw ConfigError(problems[0].path, problems[0].expected, problems[0].given);
    std::string source_dir;
    if (!source.empty()) source_dir = std::filesystem::path(source).parent_path().string();
    return read_unprefixed(config, source_dir);
  } catch (const ConfigError& e) {
    // Paths read as "file.json: devices.alpha".
    throw e.prefixed(source);
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
