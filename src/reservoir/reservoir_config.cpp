// Reading a reservoir config (reservoir_config.hpp).
#include "spinnet/reservoir/reservoir_config.hpp"

#include <cmath>
#include <filesystem>
#include <set>

#include "spinnet/core/errors.hpp"

namespace spinnet {
namespace {

std::string string_value(ObjectReader& reader, const std::string& key, const std::string& fallback) {
  const json* value = reader.raw(key);
  if (value && !value->is_string()) throw ConfigError(reader.path_of(key), "a string", describe(*value));
  const std::string v = value ? value->get<std::string>() : fallback;
  reader.record(key, v);
  return v;
}

bool boolean_value(ObjectReader& reader, const std::string& key, bool fallback) {
  const json* value = reader.raw(key);
  if (value && !value->is_boolean()) throw ConfigError(reader.path_of(key), "true or false", describe(*value));
  const bool v = value ? value->get<bool>() : fallback;
  reader.record(key, v);
  return v;
}

std::vector<double> number_list(ObjectReader& reader, const std::string& key, Bound bound) {
  const json* value = reader.raw(key);
  std::vector<double> out;
  if (!value) {
    reader.record(key, json::array());
    return out;
  }
  if (!value->is_array()) throw ConfigError(reader.path_of(key), "an array of numbers", describe(*value));
  for (std::size_t k = 0; k < value->size(); ++k) {
    const json& v = (*value)[k];
    const std::string path = reader.path_of(key) + "[" + std::to_string(k) + "]";
    if (!v.is_number() || (bound == Bound::positive && !(v.get<double>() > 0)) ||
        (bound == Bound::non_negative && !(v.get<double>() >= 0)))
      throw ConfigError(path, bound == Bound::positive ? "a positive number" : "a non-negative number", describe(v));
    out.push_back(v.get<double>());
  }
  reader.record(key, *value);
  return out;
}

/// A part of the split: take numbers ("5-9", [5, 6, 7]), speakers (["theo"]) or file names (an
/// array of names, or the path of a list file), as `by` says.
Selection read_selection(ObjectReader& split, const std::string& key, const std::string& by) {
  Selection s;
  const json* value = split.raw(key);
  const std::string path = split.path_of(key);
  if (!value || value->is_null()) {  // absent (resolved configs record it as null)
    split.record(key, nullptr);
    return s;
  }
  if (by == "take") {
    if (value->is_string()) {
      try {
        s.takes = parse_take_ranges(value->get<std::string>(), path);
      } catch (const DataError&) {
        throw ConfigError(path, "take numbers such as \"5-9\" or [5, 6, 7]", describe(*value));
      }
    } else if (value->is_array()) {
      for (const json& t : *value) {
        if (!t.is_number_integer() || t.get<long long>() < 0)
          throw ConfigError(path, "take numbers such as \"5-9\" or [5, 6, 7]", describe(*value));
        s.takes.push_back(t.get<int>());
      }
    } else {
      throw ConfigError(path, "take numbers such as \"5-9\" or [5, 6, 7]", describe(*value));
    }
    s.description = path + " (takes " + (value->is_string() ? value->get<std::string>() : value->dump()) + ")";
  } else if (by == "speaker") {
    if (value->is_string()) s.speakers.push_back(value->get<std::string>());
    else if (value->is_array()) {
      for (const json& t : *value) {
        if (!t.is_string()) throw ConfigError(path, "speaker names", describe(*value));
        s.speakers.push_back(t.get<std::string>());
      }
    } else {
      throw ConfigError(path, "a speaker name or an array of them", describe(*value));
    }
    s.description = path + " (speakers " + value->dump() + ")";
  } else {
    if (value->is_string()) {
      s.files = read_file_list(value->get<std::string>());
      s.description = path + " (the files listed in " + value->get<std::string>() + ")";
    } else if (value->is_array()) {
      for (const json& t : *value) {
        if (!t.is_string()) throw ConfigError(path, "file names", describe(*value));
        s.files.push_back(std::filesystem::path(t.get<std::string>()).filename().string());
      }
      s.description = path + " (" + std::to_string(s.files.size()) + " files)";
    } else {
      throw ConfigError(path, "a file-list path or an array of file names", describe(*value));
    }
  }
  if (!s.given()) throw ConfigError(path, "at least one take, speaker or file", describe(*value));
  split.record(key, *value);
  return s;
}

FeatureOptions read_preprocessing(ObjectReader& p) {
  FeatureOptions f;
  const std::string kind = p.choice("kind", std::nullopt, {"mfcc", "mel", "cochlear"});
  f.kind = kind == "mfcc" ? FeatureKind::mfcc : kind == "mel" ? FeatureKind::mel : FeatureKind::cochlear;
  const double hop = p.number("hop_ms", 20.0, Bound::positive);
  if (f.kind == FeatureKind::cochlear) {
    f.cochlea.hop_ms = hop;
    f.cochlea.ear_q = p.number("ear_q", 8.0, Bound::positive);
    f.cochlea.step_factor = p.number("step_factor", f.cochlea.ear_q / 32, Bound::positive);
    f.cochlea.tau_factor = p.number("tau_factor", 3.0, Bound::positive);
    f.cochlea.agc = boolean_value(p, "agc", true);
    f.cochlea.differ = boolean_value(p, "differ", true);
    if (f.cochlea.ear_q <= 0.5) throw ConfigError(p.path_of("ear_q"), "a number > 0.5", std::to_string(f.cochlea.ear_q));
  } else {
    f.spectrogram.hop_ms = hop;
    f.spectrogram.window_ms = p.number("window_ms", 25.0, Bound::positive);
    f.spectrogram.pre_emphasis = p.number("pre_emphasis", 0.97, Bound::unit_interval);
    f.spectrogram.fft_size = static_cast<int>(p.integer("fft_size", 0));
    f.mel.bands = static_cast<int>(p.integer("mel_bands", kind == "mfcc" ? 40 : 24, 1));
    f.mel.f_min_Hz = p.number("f_min_Hz", 0.0, Bound::non_negative);
    f.mel.f_max_Hz = p.number("f_max_Hz", 0.0, Bound::non_negative);
    if (f.kind == FeatureKind::mfcc) {
      f.coefficients = static_cast<int>(p.integer("coefficients", 13, 1));
      if (f.coefficients > f.mel.bands)
        throw ConfigError(p.path_of("coefficients"), "at most mel_bands (" + std::to_string(f.mel.bands) + ")",
                          std::to_string(f.coefficients));
    }
  }
  f.context_frames = static_cast<int>(p.integer("context_frames", 1));
  f.trim_silence_dB = p.number("trim_silence_dB", 0.0, Bound::non_negative);
  p.finish();
  return f;
}

RecordingOptions read_recordings(ObjectReader& data) {
  RecordingOptions r;
  const std::string folder = string_value(data, "folder", "fsdd/recordings");
  r.folder = resolve_data_folder(folder);
  r.pattern = string_value(data, "pattern", r.pattern);
  r.format.sample_rate = data.number("sample_rate_Hz", 8000.0, Bound::positive);
  r.format.resample = boolean_value(data, "resample", false);
  ObjectReader split = data.object("split");
  const std::string by = split.choice("by", "take", {"take", "speaker", "files"});
  r.split.validation = read_selection(split, "validation", by);
  r.split.test = read_selection(split, "test", by);
  r.split.train = read_selection(split, "train", by);
  split.finish();
  if (!r.split.validation.given())
    throw ConfigError(data.path_of("split.validation"), "the validation part (e.g. \"5-9\")", "nothing");
  r.leave_one_speaker_out = boolean_value(data, "leave_one_speaker_out", false);
  data.finish();
  return r;
}

}  // namespace

std::string to_string(ReservoirTask task) {
  switch (task) {
    case ReservoirTask::spoken_digits: return "spoken_digits";
    case ReservoirTask::sine_square: return "sine_square";
    case ReservoirTask::memory: return "memory";
  }
  return "?";
}

bool is_reservoir_config(const json& document) {
  if (!document.is_object()) return false;
  const auto it = document.find("experiment");
  return it != document.end() && it->is_string() && it->get<std::string>() == "reservoir";
}

std::string resolve_data_folder(const std::string& folder) {
  std::error_code ec;
  const std::filesystem::path given(folder);
  if (given.is_absolute() || std::filesystem::exists(given, ec)) return folder;
  const std::string shared = default_data_directory();
  if (!shared.empty() && std::filesystem::exists(std::filesystem::path(shared) / given, ec))
    return (std::filesystem::path(shared) / given).string();
  return folder;
}

ReservoirExperiment read_reservoir_experiment(const json& config, const std::string& source) {
  try {
    // Top-level typos first (the sections are read in order, and a missing section's error would
    // otherwise hide an unknown key's "did you mean").
    if (config.is_object()) {
      const std::set<std::string> known{"name", "experiment", "task", "seed", "data", "preprocessing",
                                        "input", "oscillator", "readout", "baselines", "sweeps", "outputs",
                                        "waveform", "memory"};
      for (const auto& [key, value] : config.items()) {
        if (known.count(key)) continue;
        const std::string hint = closest_match(key, known);
        throw ConfigError(key, hint.empty() ? "one of the known keys" : "a known key (did you mean \"" + hint + "\"?)",
                          "unknown key \"" + key + "\"");
      }
    }
    ReservoirExperiment e;
    e.source = source;
    e.resolved = json::object();
    ObjectReader top(config, "", e.resolved);
    e.name = string_value(top, "name", std::filesystem::path(source).stem().string());
    if (e.name.empty()) throw ConfigError("name", "a non-empty string", "\"\"");
    // "experiment": "reservoir": the key that brought the config here.
    top.choice("experiment", "reservoir", {"reservoir"});
    const std::string task = top.choice("task", "spoken_digits", {"spoken_digits", "sine_square", "memory"});
    e.task = task == "spoken_digits" ? ReservoirTask::spoken_digits
             : task == "sine_square" ? ReservoirTask::sine_square
                                     : ReservoirTask::memory;
    e.seed = top.integer("seed", 1);

    if (e.task == ReservoirTask::spoken_digits) {
      ObjectReader data = top.object("data");
      e.data = read_recordings(data);
      const json* pre = top.raw("preprocessing");
      if (pre && pre->is_object()) {
        json wrapped = json::array({*pre});
        json resolved_list = json::array({json::object()});
        ObjectReader p(wrapped[0], "preprocessing", resolved_list[0]);
        e.preprocessing.push_back(read_preprocessing(p));
        top.record("preprocessing", resolved_list[0]);
      } else {
        std::vector<ObjectReader> list = top.objects("preprocessing");
        for (auto& p : list) e.preprocessing.push_back(read_preprocessing(p));
        if (e.preprocessing.empty()) {
          json defaults = json::array({json{{"kind", "mfcc"}}, json{{"kind", "mel"}}, json{{"kind", "cochlear"}}});
          json resolved_list = json::array({json::object(), json::object(), json::object()});
          for (std::size_t k = 0; k < 3; ++k) {
            ObjectReader p(defaults[k], "preprocessing[" + std::to_string(k) + "]", resolved_list[k]);
            e.preprocessing.push_back(read_preprocessing(p));
          }
          top.record("preprocessing", resolved_list);
        }
      }
    }

    ObjectReader input = top.object("input");
    e.nodes = static_cast<int>(input.integer("nodes", e.task == ReservoirTask::spoken_digits ? 400 : 20, 1));
    const std::string mask = input.choice("mask", "binary", {"binary", "uniform", "normal"});
    e.mask = mask == "binary" ? MaskKind::binary : mask == "uniform" ? MaskKind::uniform : MaskKind::normal;
    e.mask_seed = input.integer("mask_seed", e.seed);
    e.vortex.node_duration = input.number("theta_ns", 20.0, Bound::positive) * 1e-9;
    e.vortex.current_per_input = input.number("delta_current_mA", 0.3, Bound::non_negative) * 1e-3;
    e.vortex.input_clip = input.number("clip", 3.0, Bound::positive);
    e.vortex.warmup = input.number("warmup_ns", 500.0, Bound::non_negative) * 1e-9;
    input.finish();

    ObjectReader oscillator = top.object("oscillator");
    oscillator.choice("model", "vortex", {"vortex"});
    const double current = oscillator.number("current_mA", 7.0, Bound::positive) * 1e-3;
    const double field = oscillator.number("perpendicular_field_mT", 430.0) * 1e-3;
    e.vortex.device = feb_vortex_parameters(current, field);
    e.vortex.device.temperature = oscillator.number("temperature_K", 300.0, Bound::non_negative);
    e.vortex.device.alpha = oscillator.number("alpha", e.vortex.device.alpha, Bound::positive);
    e.vortex.device.polarization = oscillator.number("spin_polarization", e.vortex.device.polarization, Bound::unit_interval);
    e.vortex.dt = oscillator.number("dt_ps", 50.0, Bound::positive) * 1e-12;
    e.vortex.precision = oscillator.choice("precision", "float32", {"float32", "float64"}) == "float32"
                             ? Precision::float32
                             : Precision::float64;
    e.vortex.batch_devices = oscillator.integer("batch_devices", 128, 1);
    e.vortex.samples_per_node = static_cast<int>(oscillator.integer("envelope_samples_per_node", 1, 1));
    e.vortex.seed = e.seed;
    oscillator.finish();
    {
      const double steps = e.vortex.node_duration / e.vortex.dt;
      if (std::abs(steps - std::round(steps)) > 1e-6 * steps || std::round(steps) < 1)
        throw ConfigError("input.theta_ns", "a whole number of oscillator.dt_ps steps",
                          std::to_string(e.vortex.node_duration * 1e9) + " ns at dt " + std::to_string(e.vortex.dt * 1e12) + " ps");
    }

    ObjectReader readout = top.object("readout");
    e.readout.fit = readout.choice("fit", "utterance", {"utterance", "frames"}) == "utterance" ? ReadoutFit::utterance
                                                                                                : ReadoutFit::frames;
    e.readout.cross_validation.folds = static_cast<int>(readout.integer("folds", 5, 2));
    e.readout.cross_validation.seed = e.seed;
    const std::vector<double> lambdas = number_list(readout, "relative_lambdas", Bound::positive);
    if (!lambdas.empty()) e.readout.cross_validation.relative_lambdas = lambdas;
    else readout.record("relative_lambdas", e.readout.cross_validation.relative_lambdas);
    readout.finish();

    if (e.task == ReservoirTask::spoken_digits) {
      ObjectReader baselines = top.object("baselines");
      e.baselines.preprocessing_only = boolean_value(baselines, "preprocessing_only", true);
      e.baselines.linear = boolean_value(baselines, "linear_reservoir", true);
      e.baselines.linear_clipped = boolean_value(baselines, "linear_reservoir_clipped", false);
      const json* esn = baselines.raw("echo_state_network");
      e.baselines.esn = !(esn && esn->is_boolean() && !esn->get<bool>());
      json esn_resolved = json::object();
      if (e.baselines.esn) {
        const json empty = json::object();
        if (esn && !esn->is_object() && !esn->is_boolean())
          throw ConfigError(baselines.path_of("echo_state_network"), "an object or false", describe(*esn));
        ObjectReader r(esn && esn->is_object() ? *esn : empty, baselines.path_of("echo_state_network"), esn_resolved);
        EchoStateOptions& o = e.baselines.esn_options;
        o.units = static_cast<int>(r.integer("units", static_cast<std::uint64_t>(e.nodes), 1));
        o.spectral_radius = r.number("spectral_radius", 0.9, Bound::positive);
        o.input_scale = r.number("input_scale", 0.5, Bound::positive);
        o.leak = r.number("leak", 1.0, Bound::unit_interval);
        o.density = r.number("density", 0.1, Bound::unit_interval);
        o.bias = r.number("bias", 0.1, Bound::non_negative);
        o.seed = r.integer("seed", e.seed);
        r.finish();
        baselines.record("echo_state_network", esn_resolved);
      } else {
        baselines.record("echo_state_network", false);
      }
      baselines.finish();

      ObjectReader sweeps = top.object("sweeps");
      for (double n : number_list(sweeps, "nodes", Bound::positive)) {
        if (n != std::floor(n)) throw ConfigError("sweeps.nodes", "positive integers", std::to_string(n));
        e.sweeps.nodes.push_back(static_cast<int>(n));
      }
      for (double t : number_list(sweeps, "theta_ns", Bound::positive)) {
        const double steps = t * 1e-9 / e.vortex.dt;
        if (std::abs(steps - std::round(steps)) > 1e-6 * steps || std::round(steps) < 1)
          throw ConfigError("sweeps.theta_ns", "whole numbers of oscillator.dt_ps steps", std::to_string(t) + " ns");
        e.sweeps.theta.push_back(t * 1e-9);
      }
      e.sweeps.temperature = number_list(sweeps, "temperature_K", Bound::non_negative);
      sweeps.finish();

      ObjectReader outputs = top.object("outputs");
      e.example_recording = string_value(outputs, "example_recording", "");
      e.save_trained = boolean_value(outputs, "save_trained", true);
      outputs.finish();
    } else if (e.task == ReservoirTask::sine_square) {
      ObjectReader w = top.object("waveform");
      e.waveform.points_per_period = static_cast<int>(w.integer("points_per_period", 8, 2));
      e.waveform.train_periods = static_cast<int>(w.integer("train_periods", 150, 10));
      e.waveform.test_periods = static_cast<int>(w.integer("test_periods", 150, 10));
      e.waveform.temperatures = number_list(w, "temperatures_K", Bound::non_negative);
      w.finish();
    } else {
      ObjectReader m = top.object("memory");
      e.memory.samples = static_cast<int>(m.integer("samples", 3000, 100));
      e.memory.washout = static_cast<int>(m.integer("washout", 200));
      e.memory.train_fraction = m.number("train_fraction", 0.6, Bound::unit_interval);
      e.memory.max_delay = static_cast<int>(m.integer("max_delay", 40, 1));
      for (double t : number_list(m, "theta_ns", Bound::positive)) e.memory.theta.push_back(t * 1e-9);
      for (double c : number_list(m, "current_mA", Bound::positive)) e.memory.current.push_back(c * 1e-3);
      if (e.memory.theta.empty()) {
        e.memory.theta = {e.vortex.node_duration};
        m.record("theta_ns", json::array({e.vortex.node_duration * 1e9}));
      }
      e.memory.temperature = number_list(m, "temperatures_K", Bound::non_negative);
      if (e.memory.temperature.empty()) {
        e.memory.temperature = {e.vortex.device.temperature};
        m.record("temperatures_K", json::array({e.vortex.device.temperature}));
      }
      if (e.memory.current.empty()) {
        e.memory.current = {e.vortex.device.current};
        m.record("current_mA", json::array({e.vortex.device.current * 1e3}));
      }
      if (e.memory.washout + 2 * e.memory.max_delay + 20 > e.memory.samples)
        throw ConfigError("memory.samples", "more than washout + 2 max_delay + 20 samples", std::to_string(e.memory.samples));
      for (double t : e.memory.theta) {
        const double steps = t / e.vortex.dt;
        if (std::abs(steps - std::round(steps)) > 1e-6 * steps || std::round(steps) < 1)
          throw ConfigError("memory.theta_ns", "whole numbers of oscillator.dt_ps steps", std::to_string(t * 1e9) + " ns");
      }
      m.finish();
    }
    top.finish();
    return e;
  } catch (const ConfigError& error) {
    if (source.empty()) throw;
    throw ConfigError(source, error.what(), 0);
  }
}

}  // namespace spinnet
