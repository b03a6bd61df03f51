// An RF network's specification: frequency plans, reading the `network` config section, checks, and
// the network.json file format (see rf_network.hpp and docs/rfnet.md).
#include "spinnet/rfnet/rf_network.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <random>

#include <unistd.h>

namespace spinnet {

// ---------------------------------------------------------------------------------------------
// Frequency plans and config

std::vector<double> FrequencyPlan::frequencies(int count) const {
  std::vector<double> f(static_cast<std::size_t>(count));
  if (count == 1) {
    f[0] = f_min_Hz;
    return f;
  }
  if (kind == Kind::linear) {
    for (int i = 0; i < count; ++i) f[i] = f_min_Hz + (f_max_Hz - f_min_Hz) * i / (count - 1);
  } else {
    const double r = std::pow(f_max_Hz / f_min_Hz, 1.0 / (count - 1));
    for (int i = 0; i < count; ++i) f[i] = f_min_Hz * std::pow(r, i);
  }
  return f;
}

namespace {

FrequencyPlan read_plan(ObjectReader reader, const FrequencyPlan& fallback) {
  FrequencyPlan plan;
  const std::string kind = reader.choice("plan", fallback.kind == FrequencyPlan::Kind::linear ? "linear" : "geometric",
                                         {"linear", "geometric"});
  plan.kind = kind == "linear" ? FrequencyPlan::Kind::linear : FrequencyPlan::Kind::geometric;
  plan.f_min_Hz = reader.number("f_min_GHz", fallback.f_min_Hz * 1e-9, Bound::positive) * 1e9;
  plan.f_max_Hz = reader.number("f_max_GHz", fallback.f_max_Hz * 1e-9, Bound::positive) * 1e9;
  if (!(plan.f_max_Hz > plan.f_min_Hz))
    throw ConfigError(reader.path_of("f_max_GHz"), "a frequency above f_min_GHz = " + std::to_string(plan.f_min_Hz * 1e-9),
                      std::to_string(plan.f_max_Hz * 1e-9));
  reader.finish();
  return plan;
}

int read_count(ObjectReader& reader, const std::string& key, std::optional<int> fallback) {
  const std::uint64_t count = reader.integer(key, fallback ? std::optional<std::uint64_t>(*fallback) : std::nullopt, 1);
  if (count > static_cast<std::uint64_t>(std::numeric_limits<int>::max()))
    throw ConfigError(reader.path_of(key), "an integer in [1, 2147483647]", std::to_string(count));
  return static_cast<int>(count);
}

/// Physical memory (bytes) of this machine.
double physical_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? static_cast<double>(pages) * static_cast<double>(page) : 16.0 * (1u << 30);
}

/// Bytes per synapse (chain x junction, and chain x input tone) of a network in training: the
/// spec's shift (double) and the model's float
/// copies (shift, W, dW/dP terms, gradient, two Adam moments, chip multipliers), rounded up.
constexpr double bytes_per_synapse = 64;

/// ConfigError at `path` when the layers so far (`synapses` in all) cannot fit in memory: refused
/// before the layer is allocated (a 1e9-chain layer otherwise ends in std::bad_alloc).
void check_network_memory(const std::string& path, double synapses, const std::string& layer) {
  const double needed = synapses * bytes_per_synapse, physical = physical_memory_bytes();
  if (needed > physical)
    throw ConfigError(path, "a network that fits in this machine's memory (" +
                                std::to_string(static_cast<std::uint64_t>(physical) >> 20) + " MiB)",
                      layer + ", which with the layers before needs at least " +
                          std::to_string(static_cast<std::uint64_t>(needed) >> 20) + " MiB");
}

}  // namespace

RfNetworkSpec read_rf_network_config(ObjectReader& network, int input_count, int output_count, std::uint64_t seed) {
  RfNetworkSpec spec;
  ObjectReader input = network.object("input");
  FrequencyPlan input_plan = read_plan(input.object("tones"), FrequencyPlan{});
  spec.encoding.max_power_W = input.number("max_power_uW", 1.0, Bound::positive) * 1e-6;
  input.finish();

  const double alpha = network.number("alpha", 0.01, Bound::positive);
  const double K_SD = network.number("K_SD_V_per_W", std::tan(M_PI / 4) / (8 * std::sqrt(2.0)) / 10e-6, Bound::positive);
  spec.readout_scale_V = network.number("readout_scale_mV", 1.0, Bound::positive) * 1e-3;
  const double shift_std = network.number("init_shift_std_linewidths", 0.2, Bound::non_negative);
  const double bias_std_V = network.number("init_bias_std_mV", 1.0, Bound::non_negative) * 1e-3;

  ObjectReader neurons = network.object("neurons");
  RfNeuronLayer neuron_template;
  const double gain = neurons.number("gain_uA_per_mV", 3.388, Bound::positive) * 1e-3;
  const double bias_voltage = neurons.number("bias_mV", 11.08, Bound::any) * 1e-3;
  auto& stno = neuron_template.stno;
  stno.I_th = neurons.number("I_th_uA", 10, Bound::positive) * 1e-6;
  stno.Q = neurons.number("Q", 2, Bound::non_negative);
  stno.R = neurons.number("R_ohm", 1000, Bound::positive);
  stno.A = neurons.number("A", 1.25, Bound::positive);
  const double limit = neurons.number("I_max_over_I_th", 4, Bound::positive);
  if (!(limit > 1)) throw ConfigError(neurons.path_of("I_max_over_I_th"), "a number above 1", std::to_string(limit));
  stno.I_max = limit * stno.I_th;
  spec.train_gain = neurons.raw("train_gain") ? neurons.raw("train_gain")->get<bool>() : false;
  spec.train_bias_voltage = neurons.raw("train_bias_voltage") ? neurons.raw("train_bias_voltage")->get<bool>() : false;
  neurons.record("train_gain", spec.train_gain);
  neurons.record("train_bias_voltage", spec.train_bias_voltage);
  const std::string init = neurons.choice("init", "config", {"config", "data"});
  spec.neuron_init.from_data = init == "data";
  spec.neuron_init.current_over_I_th = neurons.number("init_current_over_I_th", 2.5, Bound::positive);
  spec.neuron_init.spread_over_I_th = neurons.number("init_spread_over_I_th", 0.75, Bound::positive);
  if (!(spec.neuron_init.current_over_I_th > 1 && spec.neuron_init.current_over_I_th < limit))
    throw ConfigError(neurons.path_of("init_current_over_I_th"),
                      "a current between threshold (1) and the limit (I_max_over_I_th = " + std::to_string(limit) + ")",
                      std::to_string(spec.neuron_init.current_over_I_th));
  neurons.finish();

  std::vector<ObjectReader> layer_readers = network.objects("layers");
  if (layer_readers.empty())
    throw ConfigError(network.path_of("layers"), "an array of at least one chain layer object", "nothing");

  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  int inputs = input_count;
  std::vector<double> tones = input_plan.frequencies(inputs);
  FrequencyPlan previous_plan = input_plan;
  double synapses = 0;
  for (std::size_t l = 0; l < layer_readers.size(); ++l) {
    ObjectReader& reader = layer_readers[l];
    const bool last = l + 1 == layer_readers.size();
    RfChainLayer layer;
    const int chains = read_count(reader, "chains", last ? std::optional<int>(output_count) : std::nullopt);
    if (last && chains != output_count)
      throw ConfigError(reader.path_of("chains"), std::to_string(output_count) + " (one output chain per class)",
                        std::to_string(chains));
    const int junctions = read_count(reader, "junctions", inputs);
    synapses += static_cast<double>(chains) * (static_cast<double>(junctions) + static_cast<double>(inputs));
    check_network_memory(reader.path_of("chains"), synapses,
                         std::to_string(chains) + " chains x " + std::to_string(junctions) + " junctions");
    FrequencyPlan resonance_plan = read_plan(reader.object("resonances"), previous_plan);
    if (l > 0) {
      // Hidden STNOs emit the tones of this layer; by default on this layer's resonance plan.
      FrequencyPlan tone_plan = read_plan(reader.object("input_tones"), resonance_plan);
      tones = tone_plan.frequencies(inputs);
    }
    reader.finish();
    layer.input_frequency_Hz = tones;
    layer.base_resonance_Hz = resonance_plan.frequencies(junctions);
    layer.orientation.resize(junctions);
    for (int k = 0; k < junctions; ++k) layer.orientation[k] = junction_orientation(k);
    layer.alpha = alpha;
    layer.K_SD_V_per_W = K_SD;
    double mean_f = 0;
    for (double f : layer.base_resonance_Hz) mean_f += f / junctions;
    layer.shift_Hz.resize(chains, junctions);
    for (int j = 0; j < chains; ++j)
      for (int k = 0; k < junctions; ++k) layer.shift_Hz(j, k) = shift_std * alpha * mean_f * normal(rng);
    layer.bias_V.resize(chains);
    for (double& b : layer.bias_V) b = bias_std_V * normal(rng);
    spec.layers.push_back(std::move(layer));
    if (!last) {
      RfNeuronLayer n = neuron_template;
      n.gain_A_per_V.assign(chains, gain);
      n.bias_voltage_V.assign(chains, bias_voltage);
      spec.neurons.push_back(std::move(n));
    }
    inputs = chains;
    previous_plan = resonance_plan;
  }
  return spec;
}

void RfNetworkSpec::validate(const std::string& source) const {
  if (layers.empty()) throw ConfigError(source + ": layers", "at least one chain layer", "none");
  if (neurons.size() + 1 != layers.size())
    throw ConfigError(source + ": neurons", std::to_string(layers.size() - 1) + " neuron layers (one per hidden layer)",
                      std::to_string(neurons.size()));
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const auto& L = layers[l];
    const std::string at = source + ": layers[" + std::to_string(l) + "]";
    if (L.inputs() < 1 || L.junctions() < 1 || L.chains() < 1)
      throw ConfigError(at, "at least one input tone, junction and chain", "an empty array");
    if (static_cast<int>(L.orientation.size()) != L.junctions() || L.shift_Hz.cols() != L.junctions())
      throw ConfigError(at + ".orientation/shift_Hz", std::to_string(L.junctions()) + " junctions per chain",
                        std::to_string(L.orientation.size()) + " orientations, " + std::to_string(L.shift_Hz.cols()) +
                            " shifts per chain");
    if (static_cast<int>(L.bias_V.size()) != L.chains())
      throw ConfigError(at + ".bias_V", std::to_string(L.chains()) + " biases", std::to_string(L.bias_V.size()));
    if (l > 0 && L.inputs() != layers[l - 1].chains())
      throw ConfigError(at + ".input_frequency_Hz", std::to_string(layers[l - 1].chains()) + " tones (one per STNO)",
                        std::to_string(L.inputs()));
    if (l + 1 < layers.size()) {
      const auto& n = neurons[l];
      if (static_cast<int>(n.gain_A_per_V.size()) != L.chains() || static_cast<int>(n.bias_voltage_V.size()) != L.chains())
        throw ConfigError(source + ": neurons[" + std::to_string(l) + "]", std::to_string(L.chains()) + " gains and bias voltages",
                          std::to_string(n.gain_A_per_V.size()) + " and " + std::to_string(n.bias_voltage_V.size()));
    }
  }
  if (!encoding.offset.empty() && static_cast<int>(encoding.offset.size()) != input_count())
    throw ConfigError(source + ": encoding.offset", std::to_string(input_count()) + " values (one per input tone)",
                      std::to_string(encoding.offset.size()));
  if (encoding.offset.size() != encoding.scale.size())
    throw ConfigError(source + ": encoding.scale", std::to_string(encoding.offset.size()) + " values (as offset)",
                      std::to_string(encoding.scale.size()));
}

// ---------------------------------------------------------------------------------------------
// File format

json rf_network_to_json(const RfNetworkSpec& spec) {
  json out = json::object();
  out["format"] = "spinnet-rf-network";
  out["version"] = 1;
  out["name"] = spec.name;
  out["encoding"] = {{"max_power_W", spec.encoding.max_power_W}, {"offset", spec.encoding.offset},
                     {"scale", spec.encoding.scale}};
  out["readout_scale_V"] = spec.readout_scale_V;
  out["train_gain"] = spec.train_gain;
  out["train_bias_voltage"] = spec.train_bias_voltage;
  json layers = json::array();
  for (const auto& L : spec.layers) {
    json shift = json::array();
    for (int j = 0; j < L.chains(); ++j) {
      std::vector<double> row(L.shift_Hz.row(j).data(), L.shift_Hz.row(j).data() + L.junctions());
      shift.push_back(row);
    }
    layers.push_back({{"alpha", L.alpha},
                      {"K_SD_V_per_W", L.K_SD_V_per_W},
                      {"input_frequency_Hz", L.input_frequency_Hz},
                      {"base_resonance_Hz", L.base_resonance_Hz},
                      {"orientation", L.orientation},
                      {"shift_Hz", shift},
                      {"bias_V", L.bias_V}});
  }
  out["layers"] = layers;
  json neurons = json::array();
  for (const auto& n : spec.neurons)
    neurons.push_back({{"I_th_A", n.stno.I_th},
                       {"Q", n.stno.Q},
                       {"R_ohm", n.stno.R},
                       {"A", n.stno.A},
                       {"I_max_A", n.stno.I_max},
                       {"gain_A_per_V", n.gain_A_per_V},
                       {"bias_voltage_V", n.bias_voltage_V}});
  out["neurons"] = neurons;
  return out;
}

namespace {

const json& field(const json& object, const std::string& key, const std::string& path) {
  if (!object.is_object() || !object.contains(key)) throw ConfigError(path + "." + key, "a value", "nothing");
  return object.at(key);
}

double number_field(const json& object, const std::string& key, const std::string& path) {
  const json& v = field(object, key, path);
  if (!v.is_number() || !std::isfinite(v.get<double>())) throw ConfigError(path + "." + key, "a finite number", describe(v));
  return v.get<double>();
}

template <class V>
std::vector<V> array_field(const json& object, const std::string& key, const std::string& path) {
  const json& v = field(object, key, path);
  if (!v.is_array()) throw ConfigError(path + "." + key, "an array of numbers", describe(v));
  std::vector<V> out;
  out.reserve(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_number()) throw ConfigError(path + "." + key + "[" + std::to_string(i) + "]", "a number", describe(v[i]));
    out.push_back(v[i].get<V>());
  }
  return out;
}

}  // namespace

RfNetworkSpec rf_network_from_json(const json& document, const std::string& source) {
  if (!document.is_object() || document.value("format", "") != "spinnet-rf-network")
    throw ConfigError(source + ": format", "\"spinnet-rf-network\" (a trained RF network file)",
                      document.is_object() && document.contains("format") ? describe(document["format"]) : "nothing");
  RfNetworkSpec spec;
  spec.name = document.value("name", "");
  const std::string p = source + ": ";
  const json& enc = field(document, "encoding", source);
  spec.encoding.max_power_W = number_field(enc, "max_power_W", p + "encoding");
  spec.encoding.offset = array_field<double>(enc, "offset", p + "encoding");
  spec.encoding.scale = array_field<double>(enc, "scale", p + "encoding");
  spec.readout_scale_V = number_field(document, "readout_scale_V", source);
  spec.train_gain = document.value("train_gain", false);
  spec.train_bias_voltage = document.value("train_bias_voltage", false);
  const json& layers = field(document, "layers", source);
  if (!layers.is_array()) throw ConfigError(p + "layers", "an array", describe(layers));
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const std::string at = p + "layers[" + std::to_string(l) + "]";
    RfChainLayer L;
    L.alpha = number_field(layers[l], "alpha", at);
    L.K_SD_V_per_W = number_field(layers[l], "K_SD_V_per_W", at);
    L.input_frequency_Hz = array_field<double>(layers[l], "input_frequency_Hz", at);
    L.base_resonance_Hz = array_field<double>(layers[l], "base_resonance_Hz", at);
    L.orientation = array_field<int>(layers[l], "orientation", at);
    L.bias_V = array_field<double>(layers[l], "bias_V", at);
    const json& shift = field(layers[l], "shift_Hz", at);
    if (!shift.is_array() || shift.size() != L.bias_V.size())
      throw ConfigError(at + ".shift_Hz", std::to_string(L.bias_V.size()) + " rows (one per chain)", describe(shift));
    L.shift_Hz.resize(static_cast<Eigen::Index>(shift.size()), L.junctions());
    for (std::size_t j = 0; j < shift.size(); ++j) {
      const json row = json{{"r", shift[j]}};
      const auto values = array_field<double>(row, "r", at + ".shift_Hz[" + std::to_string(j) + "]");
      if (static_cast<int>(values.size()) != L.junctions())
        throw ConfigError(at + ".shift_Hz[" + std::to_string(j) + "]", std::to_string(L.junctions()) + " shifts",
                          std::to_string(values.size()));
      for (int k = 0; k < L.junctions(); ++k) L.shift_Hz(j, k) = values[k];
    }
    spec.layers.push_back(std::move(L));
  }
  const json& neurons = field(document, "neurons", source);
  if (!neurons.is_array()) throw ConfigError(p + "neurons", "an array", describe(neurons));
  for (std::size_t l = 0; l < neurons.size(); ++l) {
    const std::string at = p + "neurons[" + std::to_string(l) + "]";
    RfNeuronLayer n;
    n.stno.I_th = number_field(neurons[l], "I_th_A", at);
    n.stno.Q = number_field(neurons[l], "Q", at);
    n.stno.R = number_field(neurons[l], "R_ohm", at);
    n.stno.A = number_field(neurons[l], "A", at);
    n.stno.I_max = number_field(neurons[l], "I_max_A", at);
    n.gain_A_per_V = array_field<double>(neurons[l], "gain_A_per_V", at);
    n.bias_voltage_V = array_field<double>(neurons[l], "bias_voltage_V", at);
    spec.neurons.push_back(std::move(n));
  }
  spec.validate(source);
  return spec;
}

}  // namespace spinnet
