// Reading a run config of any model: common sections, model-specific device sections, sweep
// expansion (one batch holds every sweep point) and measurements.
#include "spinnet/config/run_config.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "study/line_shape_measurement.hpp"
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

constexpr double mT_to_A_per_m = 1e-3 / constants::mu0;  // mu0 H in mT -> H in A/m

/// Appends n entries of one tone set read from `tones` (per-device columns) to `out`.
void append_tone(std::vector<ToneInput>& out, std::size_t k, ToneInput&& tone) {
  if (out.size() <= k) {
    out.push_back(std::move(tone));
    return;
  }
  ToneInput& into = out[k];
  auto append = [](std::vector<double>& a, const std::vector<double>& b) { a.insert(a.end(), b.begin(), b.end()); };
  append(into.amplitude_x, tone.amplitude_x);
  append(into.amplitude_y, tone.amplitude_y);
  append(into.amplitude_z, tone.amplitude_z);
  append(into.frequency, tone.frequency);
  append(into.phase, tone.phase);
}

/// RF current tones and the DC-current schedule, common to every model.
void read_current_inputs(ObjectReader& devices, std::size_t n, DriveInput& drive) {
  std::size_t k = 0;
  for (auto& tone : devices.objects("rf_current")) {
    const auto amplitude = tone.column("amplitude_mA", 0.0, n);
    const auto frequency = tone.column("frequency_GHz", 0.0, n, Bound::non_negative);
    const auto phase = tone.column("phase_rad", 0.0, n);
    tone.finish();
    ToneInput t;
    for (std::size_t i = 0; i < n; ++i) {
      t.amplitude_x.push_back(amplitude[i] * 1e-3);
      t.frequency.push_back(frequency[i] * 1e9);
      t.phase.push_back(phase[i]);
    }
    append_tone(drive.current_tones, k++, std::move(t));
  }
  ObjectReader schedule = devices.object("current_schedule");
  const std::string kind = schedule.choice("kind", std::string("none"), {"none", "held", "linear"});
  if (kind != "none") {
    const double interval_ns = schedule.number("interval_ns", std::nullopt, Bound::positive);
    const json* samples = schedule.raw("samples_mA");
    const std::string path = schedule.path_of("samples_mA");
    const std::string expected =
        "an array of currents (the same for every device), or {\"values\": [[...], ...]} with one array per device";
    if (samples == nullptr) throw ConfigError(path, expected, "nothing (the key is required)");
    // Samples per device of the section ([device][sample]), then expanded over the layout.
    const DeviceLayout& layout = *devices.layout();
    const std::size_t per = layout.per_instance;
    std::vector<std::vector<double>> per_device;
    auto numbers = [&](const json& list, const std::string& at) {
      if (!list.is_array() || list.empty()) throw ConfigError(at, "a non-empty array of numbers", describe(list));
      std::vector<double> out;
      for (std::size_t s = 0; s < list.size(); ++s) {
        if (!list[s].is_number()) throw ConfigError(at + "[" + std::to_string(s) + "]", "a number", describe(list[s]));
        out.push_back(list[s].get<double>() * 1e-3);
      }
      return out;
    };
    if (samples->is_array()) {
      per_device.assign(per, numbers(*samples, path));
    } else if (samples->is_object() && samples->contains("values") && samples->size() == 1) {
      const json& values = samples->at("values");
      if (!values.is_array() || values.size() != per)
        throw ConfigError(path + ".values", "an array of " + std::to_string(per) + " arrays (one per device)",
                          describe(values));
      for (std::size_t i = 0; i < per; ++i)
        per_device.push_back(numbers(values[i], path + ".values[" + std::to_string(i) + "]"));
      for (std::size_t i = 1; i < per; ++i)
        if (per_device[i].size() != per_device[0].size())
          throw ConfigError(path + ".values[" + std::to_string(i) + "]",
                            "as many samples as device 0 (" + std::to_string(per_device[0].size()) + ")",
                            std::to_string(per_device[i].size()) + " samples");
    } else {
      throw ConfigError(path, expected, describe(*samples));
    }
    schedule.record("samples_mA", *samples);
    const std::size_t count = per_device[0].size();
    drive.schedule.kind = kind == "held" ? ScheduleKind::held : ScheduleKind::linear;
    drive.schedule.interval = interval_ns * 1e-9;
    drive.schedule.values.assign(count, std::vector<double>(n));
    for (std::size_t s = 0; s < count; ++s) {
      std::vector<double>& column = drive.schedule.values[s];
      // A sweep axis on "devices.current_schedule.samples_mA[s]" replaces sample s at each point.
      const std::vector<double>* swept = schedule.sweep_values("samples_mA[" + std::to_string(s) + "]");
      for (std::size_t i = 0; i < n; ++i)
        column[i] = swept ? (*swept)[i / layout.per_point()] * 1e-3 : per_device[i % per][s];
      if (layout.varied && std::any_of(column.begin(), column.end(), [&](double v) { return v != column[0]; })) {
        std::vector<double>& recorded = (*layout.varied)[path + "[" + std::to_string(s) + "]"];
        for (const double v : column) recorded.push_back(v * 1e3);
      }
    }
  }
  schedule.finish();
}

/// The raw value of a key the reader holds (the key must exist).
const json& config_value(ObjectReader& reader, const std::string& key) { return *reader.raw(key); }

void read_macrospin_devices(ObjectReader& devices, std::size_t n, RunConfig& out) {
  out.macrospin.reserve(n);
  const auto alpha = devices.column("alpha", 0.01, n, Bound::positive);
  const auto gamma = devices.column("gamma_rad_per_s_T", constants::gyromagnetic_ratio, n, Bound::positive);
  const auto Ms = devices.column("Ms_kA_per_m", 1000.0, n, Bound::positive);
  Column volume;
  if (devices.has("volume_nm3")) {
    for (const char* key : {"length_nm", "width_nm", "thickness_nm"})
      if (devices.has(key))
        throw ConfigError(devices.path_of(key), "either volume_nm3 or length_nm/width_nm/thickness_nm",
                          "both (volume_nm3 is also given)");
    volume = devices.column("volume_nm3", 0.0, n, Bound::positive);
  } else {
    const auto length = devices.column("length_nm", 100.0, n, Bound::positive);
    const auto width = devices.column("width_nm", 100.0, n, Bound::positive);
    const auto thickness = devices.column("thickness_nm", 2.0, n, Bound::positive);
    // Elliptical pillar: V = pi/4 L W t.
    if (length.uniform() && width.uniform() && thickness.uniform()) {
      volume = Column(constants::pi / 4 * length[0] * width[0] * thickness[0], n);
    } else {
      std::vector<double> v(n);
      for (std::size_t i = 0; i < n; ++i) v[i] = constants::pi / 4 * length[i] * width[i] * thickness[i];
      volume = Column(std::move(v));
    }
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
  // The magnetoresistance reference defaults to the polarizer (per device).
  VectorColumn reference = polarizer;
  const json* given_reference = devices.has("readout_reference") ? &config_value(devices, "readout_reference") : nullptr;
  if ((given_reference != nullptr && !(given_reference->is_string() && *given_reference == "polarizer")) ||
      devices.swept("readout_reference")) {
    reference = devices.vector_column("readout_reference", {0, 0, 1}, n, true);
  } else {
    devices.raw("readout_reference");
    devices.record("readout_reference", "polarizer");
  }
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t k = 0; k < 3; ++k) {
      if (demag[i][k] < 0 || demag[i][k] > 1)
        throw ConfigError(devices.path_of("demagnetizing_factors"), "factors in [0, 1]",
                          describe(json(demag[i])) + " for device " + std::to_string(i));
    }
    MacrospinParameters<double> p;
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
    p.rx = reference[i][0], p.ry = reference[i][1], p.rz = reference[i][2];
    if (std::abs(p.lambda) >= 1)
      throw ConfigError(devices.path_of("slonczewski_lambda"), "|lambda| < 1 (eta = P / (1 + lambda m.p) stays finite)",
                        describe(json(p.lambda)));
    out.macrospin.push_back(p);
  }
  std::size_t k = 0;
  for (auto& tone : devices.objects("rf_field")) {
    const auto amplitude = tone.vector_column("amplitude_mT", {0, 0, 0}, n);
    const auto frequency = tone.column("frequency_GHz", 0.0, n, Bound::non_negative);
    const auto phase = tone.column("phase_rad", 0.0, n);
    tone.finish();
    ToneInput t;
    for (std::size_t i = 0; i < n; ++i) {
      t.amplitude_x.push_back(amplitude[i][0] * mT_to_A_per_m);
      t.amplitude_y.push_back(amplitude[i][1] * mT_to_A_per_m);
      t.amplitude_z.push_back(amplitude[i][2] * mT_to_A_per_m);
      t.frequency.push_back(frequency[i] * 1e9);
      t.phase.push_back(phase[i]);
    }
    append_tone(out.drive.vector_tones, k++, std::move(t));
  }
  read_current_inputs(devices, n, out.drive);
}

void read_auto_oscillator_devices(ObjectReader& devices, std::size_t n, RunConfig& out) {
  out.auto_oscillator.reserve(n);
  const auto frequency = devices.column("frequency_GHz", 5.0, n, Bound::positive);
  const auto shift = devices.column("nonlinear_shift_GHz", 0.0, n);
  const auto damping = devices.column("damping_rate_per_ns", 0.1, n, Bound::positive);
  const auto Q = devices.column("nonlinear_damping_Q", 0.0, n, Bound::non_negative);
  const auto threshold = devices.column("threshold_current_mA", 1.0, n, Bound::positive);
  const auto current = devices.column("current_mA", 0.0, n);
  const auto temperature = devices.column("temperature_K", 0.0, n, Bound::non_negative);
  const auto energy = devices.column("energy_aJ", 10.0, n, Bound::positive);
  const auto scale = devices.column("signal_scale_mV", 1.0, n);
  const auto c0 = devices.vector_column("c0", {0.01, 0, 0}, n);
  for (std::size_t i = 0; i < n; ++i) {
    AutoOscillatorParameters p;
    p.frequency = frequency[i] * 1e9;
    p.nonlinear_shift = shift[i] * 1e9;
    p.damping_rate = damping[i] * 1e9;
    p.nonlinear_damping = Q[i];
    p.threshold_current = threshold[i] * 1e-3;
    p.current = current[i] * 1e-3;
    p.temperature = temperature[i];
    p.energy = energy[i] * 1e-18;
    p.signal_scale = scale[i] * 1e-3;
    p.c0_re = c0[i][0];
    p.c0_im = c0[i][1];
    out.auto_oscillator.push_back(p);
  }
  std::size_t k = 0;
  for (auto& tone : devices.objects("rf_drive")) {
    const auto amplitude = tone.column("amplitude_per_ns", 0.0, n, Bound::non_negative);
    const auto tone_frequency = tone.column("frequency_GHz", 0.0, n, Bound::non_negative);
    const auto phase = tone.column("phase_rad", 0.0, n);
    tone.finish();
    ToneInput t;
    for (std::size_t i = 0; i < n; ++i) {
      t.amplitude_x.push_back(amplitude[i] * 1e9);
      t.frequency.push_back(tone_frequency[i] * 1e9);
      t.phase.push_back(phase[i]);
    }
    append_tone(out.drive.vector_tones, k++, std::move(t));
  }
  read_current_inputs(devices, n, out.drive);
}

/// Vortex STNO (Thiele model): geometry and material in, stiffnesses and damping derived with the
/// formulas of include/spinnet/models/vortex.hpp. Defaults: the FeB junctions of Torrejon 2017.
void read_vortex_devices(ObjectReader& devices, std::size_t n, RunConfig& out) {
  out.vortex.reserve(n);
  const auto Ms = devices.column("Ms_kA_per_m", 1200.0, n, Bound::positive);
  const auto thickness = devices.column("thickness_nm", 6.0, n, Bound::positive);
  const auto diameter = devices.column("diameter_nm", 375.0, n, Bound::positive);
  const auto alpha = devices.column("alpha", 0.01, n, Bound::positive);
  const auto gamma = devices.column("gamma_rad_per_s_T", constants::gyromagnetic_ratio, n, Bound::positive);
  const auto exchange = devices.column("exchange_stiffness_pJ_per_m", 15.0, n, Bound::positive);
  const auto polarity = devices.column("core_polarity", 1.0, n);
  const auto chirality = devices.column("chirality", 1.0, n);
  const auto xi = devices.column("damping_nonlinearity_xi", vortex_xi, n);
  const auto zeta_ms = devices.column("confinement_nonlinearity_zeta_ms", vortex_zeta_ms, n);
  const auto zeta_Oe = devices.column("oersted_nonlinearity_zeta_Oe", vortex_zeta_Oe, n);
  const auto polarization = devices.column("spin_polarization", 0.6, n, Bound::unit_interval);
  // The in-plane polarizer tilts out of plane under the perpendicular field (p_z = B / B_sat, an
  // assumption documented in vortex.hpp), unless polarizer_z is given.
  const auto field = devices.column("perpendicular_field_mT", 430.0, n);
  const auto saturation = devices.column("polarizer_saturation_mT", 1500.0, n, Bound::positive);
  Column p_z;
  const json* given_p_z = devices.has("polarizer_z") ? &config_value(devices, "polarizer_z") : nullptr;
  if ((given_p_z != nullptr && !given_p_z->is_string()) || devices.swept("polarizer_z")) {
    p_z = devices.column("polarizer_z", 0.0, n);
    for (std::size_t i = 0; i < n; ++i)
      if (std::abs(p_z[i]) > 1)
        throw ConfigError(devices.path_of("polarizer_z"), "a number in [-1, 1]", describe(json(p_z[i])));
  } else {
    devices.raw("polarizer_z");
    if (given_p_z != nullptr && *given_p_z != "from_field")
      throw ConfigError(devices.path_of("polarizer_z"), "a number in [-1, 1], or \"from_field\"", describe(*given_p_z));
    devices.record("polarizer_z", "from_field");
    std::vector<double> from_field(n);
    for (std::size_t i = 0; i < n; ++i) from_field[i] = std::fmin(1.0, std::fmax(-1.0, field[i] / saturation[i]));
    p_z = Column(std::move(from_field));
  }
  const auto current = devices.column("current_mA", 7.0, n);
  const auto temperature = devices.column("temperature_K", 300.0, n, Bound::non_negative);
  const auto scale = devices.column("signal_scale_mV", 1000.0, n);
  const auto core0 = devices.vector_column("core0", {0.1, 0, 0}, n);
  for (std::size_t i = 0; i < n; ++i) {
    for (const auto& [key, value] : {std::pair{"core_polarity", polarity[i]}, std::pair{"chirality", chirality[i]}})
      if (value != 1.0 && value != -1.0) throw ConfigError(devices.path_of(key), "+1 or -1", describe(json(value)));
    if (core0[i][0] * core0[i][0] + core0[i][1] * core0[i][1] >= 1)
      throw ConfigError(devices.path_of("core0"), "a core position inside the disk (|core0| < 1, units of the radius)",
                        describe(json(core0[i])));
    const double radius = diameter[i] * 0.5e-9, L = thickness[i] * 1e-9, M = Ms[i] * 1e3;
    VortexParameters p{};
    p.Ms = M;
    p.thickness = L;
    p.radius = radius;
    p.alpha = alpha[i];
    p.gamma = gamma[i];
    p.polarity = polarity[i];
    p.eta = vortex_damping_eta(M, exchange[i] * 1e-12, radius);
    p.xi = xi[i];
    p.k_ms = vortex_magnetostatic_stiffness(M, L, radius);
    p.zeta_ms = zeta_ms[i];
    p.k_Oe_per_ampere = vortex_oersted_stiffness_per_ampere(M, L, radius, chirality[i]);
    p.zeta_Oe = zeta_Oe[i];
    p.polarization = polarization[i];
    p.p_z = p_z[i];
    p.current = current[i] * 1e-3;
    p.temperature = temperature[i];
    p.signal_scale = scale[i] * 1e-3;
    p.x0 = core0[i][0];
    p.y0 = core0[i][1];
    out.vortex.push_back(p);
  }
  read_current_inputs(devices, n, out.drive);
}

/// Reads the device section once, for every device of the layout (every sweep point and instance).
void read_devices(const json& section, RunConfig& out, DeviceLayout& layout, json& resolved) {
  ObjectReader devices(section, "devices", resolved);
  devices.set_layout(&layout);
  const std::size_t per = devices.integer("count", 1, 1);
  if (devices.swept("count"))
    throw ConfigError("sweep.axes", "axes over per-device numbers (devices.count is the same at every point)",
                      "an axis on devices.count");
  layout.per_instance = per;
  // Global device ids are 32-bit (the Philox counter word).
  const double total = static_cast<double>(layout.points) * static_cast<double>(layout.instances) * static_cast<double>(per);
  if (total > static_cast<double>(std::numeric_limits<std::uint32_t>::max()))
    throw ConfigError(devices.path_of("count"),
                      "at most 4294967295 devices in all sweep points and instances (32-bit device ids)",
                      std::to_string(per) + " devices x " + std::to_string(layout.instances) + " instances x " +
                          std::to_string(layout.points) + " sweep points");
  const std::size_t n = layout.total();
  const std::uint64_t physical =
      static_cast<std::uint64_t>(::sysconf(_SC_PHYS_PAGES)) * static_cast<std::uint64_t>(::sysconf(_SC_PAGE_SIZE));
  const std::uint64_t needed = static_cast<std::uint64_t>(n) * 2 * sizeof(MacrospinParameters<double>);
  if (needed > physical)
    throw ConfigError(devices.path_of("count"),
                      "a study that fits in this machine's memory (" + std::to_string(physical >> 20) + " MiB)",
                      std::to_string(n) + " devices in all, whose parameters need " + std::to_string(needed >> 20) + " MiB");
  switch (out.model) {
    case ModelKind::macrospin: read_macrospin_devices(devices, n, out); break;
    case ModelKind::auto_oscillator: read_auto_oscillator_devices(devices, n, out); break;
    case ModelKind::vortex: read_vortex_devices(devices, n, out); break;
  }
  devices.finish();
  out.sweep.devices_per_instance = per;
  out.sweep.instances = layout.instances;
  out.sweep.devices_per_point = layout.per_point();
}

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
    if (path == nullptr || !path->is_string() || path->get<std::string>().rfind("devices.", 0) != 0)
      throw ConfigError(axis.path_of("path"), "a config path inside \"devices\" such as \"devices.current_mA\"",
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

RunConfig read_unprefixed(const json& config) {
  RunConfig out;
  json& resolved = out.resolved;
  ObjectReader root(config, "", resolved);
  out.name = "run";
  if (const json* name = root.raw("name")) {
    if (!name->is_string() || name->get<std::string>().empty())
      throw ConfigError("name", "a non-empty string", describe(*name));
    out.name = name->get<std::string>();
  }
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
  layout.describe_point = nullptr;
  for (std::size_t a = 0; a < out.sweep.axes.size(); ++a)
    if (!layout.swept_used.count(out.sweep.axes[a].path))
      throw ConfigError("sweep.axes[" + std::to_string(a) + "].path",
                        "a per-device number of this model's devices section, e.g. \"devices.current_mA\", "
                        "\"devices.field_mT[2]\", \"devices.rf_drive[0].frequency_GHz\" (the tone must exist) or "
                        "a distribution parameter \"devices.Ms_kA_per_m.normal.relative_std\"",
                        "\"" + out.sweep.axes[a].path + "\"");
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
    const double count = std::round(ps / dt_ps);
    if (count < 1 || std::abs(count * dt_ps - ps) > 1e-9 * ps)
      throw ConfigError(reader.path_of(key), "a whole multiple of integration.dt_ps (" + describe(json(dt_ps)) + ")",
                        describe(json(ps)));
    return static_cast<std::uint64_t>(count);
  };

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

  ObjectReader coupling = root.object("coupling");
  const std::size_t group_size = coupling.integer("group_size", 1, 1);
  if (group_size > 1) {
    if (out.model != ModelKind::auto_oscillator)
      throw ConfigError(coupling.path_of("group_size"), "1 (coupling is implemented for model \"auto_oscillator\")",
                        std::to_string(group_size) + " for model \"" + to_string(out.model) + "\"");
    const std::size_t m = group_size;
    if (m > 4) throw ConfigError(coupling.path_of("group_size"), "2, 3 or 4 oscillators per network", std::to_string(m));
    out.coupling.group_size = static_cast<int>(m);
    if (out.sweep.devices_per_instance % m != 0)
      throw ConfigError(coupling.path_of("group_size"),
                        "a divisor of devices.count (" + std::to_string(out.sweep.devices_per_instance) + ")",
                        std::to_string(m));
    auto matrix = [&](const std::string& key, double fallback) {
      std::vector<double> values(m * m, fallback);
      const json* given = coupling.raw(key);
      if (given == nullptr) {
        coupling.record(key, fallback);
        return values;
      }
      if (given->is_number()) {
        values.assign(m * m, given->get<double>());
      } else {
        const std::string expected = "a number or a " + std::to_string(m) + " x " + std::to_string(m) + " matrix";
        if (!given->is_array() || given->size() != m) throw ConfigError(coupling.path_of(key), expected, describe(*given));
        for (std::size_t j = 0; j < m; ++j) {
          const json& row = (*given)[j];
          if (!row.is_array() || row.size() != m)
            throw ConfigError(coupling.path_of(key) + "[" + std::to_string(j) + "]", expected, describe(row));
          for (std::size_t k = 0; k < m; ++k) {
            if (!row[k].is_number())
              throw ConfigError(coupling.path_of(key) + "[" + std::to_string(j) + "][" + std::to_string(k) + "]",
                                "a number", describe(row[k]));
            values[j * m + k] = row[k].get<double>();
          }
        }
      }
      coupling.record(key, *given);
      return values;
    };
    const auto strength = matrix("strength_per_ns", 0.0);
    const auto phase = matrix("phase_rad", 0.0);
    for (std::size_t k = 0; k < m * m; ++k) {
      out.coupling.coupling_re.push_back(strength[k] * 1e9 * std::cos(phase[k]));
      out.coupling.coupling_im.push_back(strength[k] * 1e9 * std::sin(phase[k]));
    }
    // The oscillators of a network share their RF inputs and schedule (a series connection).
    auto same_in_groups = [&](const std::vector<double>& values, const std::string& what) {
      for (std::size_t d = 0; d < values.size(); ++d)
        if (values[d] != values[d - d % m])
          throw ConfigError("devices." + what, "the same value for every oscillator of a coupled network",
                            "different values in network " + std::to_string(d / m));
    };
    for (const ToneInput& t : out.drive.vector_tones) {
      same_in_groups(t.amplitude_x, "rf_drive.amplitude_per_ns");
      same_in_groups(t.frequency, "rf_drive.frequency_GHz");
      same_in_groups(t.phase, "rf_drive.phase_rad");
    }
    for (const ToneInput& t : out.drive.current_tones) {
      same_in_groups(t.amplitude_x, "rf_current.amplitude_mA");
      same_in_groups(t.frequency, "rf_current.frequency_GHz");
      same_in_groups(t.phase, "rf_current.phase_rad");
    }
    for (const auto& sample : out.drive.schedule.values) same_in_groups(sample, "current_schedule.samples_mA");
  } else {
    coupling.raw("strength_per_ns");
    coupling.raw("phase_rad");
  }
  coupling.finish();

  ObjectReader measure = root.object("measure");
  if (measure.has("spectrum")) {
    ObjectReader spectrum = measure.object("spectrum");
    out.spectrum.enabled = true;
    out.spectrum.sample_every = steps_of(spectrum, "sample_every_ps", spectrum.number("sample_every_ps", dt_ps, Bound::positive));
    out.spectrum.segment_samples = spectrum.integer("segment_samples", 4096, 8);
    out.spectrum.overlap = spectrum.number("overlap", 0.5, Bound::unit_interval);
    if (out.spectrum.overlap >= 1) throw ConfigError(spectrum.path_of("overlap"), "a number in [0, 1)", "1");
    out.spectrum.saved_spectra = spectrum.integer("saved_spectra", 16);
    spectrum.finish();
    const std::uint64_t recorded = (control.steps - control.transient_steps) / out.spectrum.sample_every;
    if (recorded < out.spectrum.segment_samples)
      throw ConfigError(spectrum.path_of("segment_samples"),
                        "at most the number of signal samples after the transient (" + std::to_string(recorded) + ")",
                        std::to_string(out.spectrum.segment_samples));
  }
  if (measure.has("locking")) {
    ObjectReader locking = measure.object("locking");
    out.locking.enabled = true;
    const double tolerance_MHz = locking.number("tolerance_MHz", 1e3 / (duration_ns - transient_ns), Bound::positive);
    out.locking.tolerance = tolerance_MHz * 1e6;
    locking.finish();
    if (out.drive.vector_tones.empty())
      throw ConfigError("measure.locking", "a config with an RF drive tone (devices.rf_drive or devices.rf_field)",
                        "no drive tone");
  }
  if (measure.has("line_shape")) {
    ObjectReader line_shape = measure.object("line_shape");
    out.line_shape.enabled = true;
    out.line_shape.frequency_axis = line_shape.integer("frequency_axis", 0);
    line_shape.finish();
    check_line_shape(out);  // spin_diode_experiment.cpp
  }
  measure.finish();
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
    return read_unprefixed(config);
  } catch (const ConfigError& e) {
    // Paths read as "file.json: devices.alpha".
    throw ConfigError(source.empty() ? e.path() : source + ": " + e.path(), e.expected(), e.given());
  }
}

}  // namespace spinnet
