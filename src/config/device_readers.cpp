// The device section of a run config, one reader per model: every key is a per-device column
// (a number, a list or a distribution, config.hpp), converted to SI here, plus the RF tones and the
// current schedule common to every model. A new model adds its reader here (ARCHITECTURE.md).
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "config/run_config_sections.hpp"
#include "spinnet/core/constants.hpp"

namespace spinnet {

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
  // The in-plane component of the polarizer: 0 (off, the default), a number, or "from_field",
  // sqrt(1 - p_z^2) of the tilted polarizer (vortex.hpp: its force locks vortices to RF currents).
  Column p_ip;
  const json* given_ip = devices.has("polarizer_in_plane") ? &config_value(devices, "polarizer_in_plane") : nullptr;
  if ((given_ip != nullptr && !given_ip->is_string()) || devices.swept("polarizer_in_plane") || given_ip == nullptr) {
    p_ip = devices.column("polarizer_in_plane", 0.0, n);
    for (std::size_t i = 0; i < n; ++i)
      if (std::abs(p_ip[i]) > 1)
        throw ConfigError(devices.path_of("polarizer_in_plane"), "a number in [-1, 1]", describe(json(p_ip[i])));
  } else {
    devices.raw("polarizer_in_plane");
    if (*given_ip != "from_field")
      throw ConfigError(devices.path_of("polarizer_in_plane"), "a number in [-1, 1], or \"from_field\"", describe(*given_ip));
    devices.record("polarizer_in_plane", "from_field");
    std::vector<double> from_tilt(n);
    for (std::size_t i = 0; i < n; ++i) from_tilt[i] = std::sqrt(std::max(0.0, 1 - p_z[i] * p_z[i]));
    p_ip = Column(std::move(from_tilt));
  }
  const auto current = devices.column("current_mA", 7.0, n);
  const auto temperature = devices.column("temperature_K", 300.0, n, Bound::non_negative);
  const auto scale = devices.column("signal_scale_mV", 1000.0, n);
  const auto core0 = devices.vector_column("core0", {0.1, 0, 0}, n);
  // The magnetoresistive voltage R(t) I that electrical coupling carries (network/; vortex.hpp).
  const auto resistance = devices.column("resistance_Ohm", 40.0, n, Bound::positive);
  const auto magnetoresistance = devices.column("magnetoresistance_Ohm", 40.0, n, Bound::non_negative);
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
    p.p_in_plane = p_ip[i];
    p.current = current[i] * 1e-3;
    p.temperature = temperature[i];
    p.signal_scale = scale[i] * 1e-3;
    p.x0 = core0[i][0];
    p.y0 = core0[i][1];
    p.chirality = chirality[i];
    p.resistance = resistance[i];
    p.magnetoresistance = magnetoresistance[i];
    out.vortex.push_back(p);
  }
  read_current_inputs(devices, n, out.drive);
}

}  // namespace

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

}  // namespace spinnet
