// RF spintronic network: config, file format, chip variability, the synaptic-matrix kernels and
// the forward/backward passes (see rf_network.hpp and docs/rfnet.md).
#include "spinnet/rfnet/rf_network.hpp"

#include <algorithm>
#include <cmath>
#include <random>

#include <omp.h>

#include "spinnet/core/random.hpp"

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
  return static_cast<int>(reader.integer(key, fallback ? std::optional<std::uint64_t>(*fallback) : std::nullopt, 1));
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
  for (std::size_t l = 0; l < layer_readers.size(); ++l) {
    ObjectReader& reader = layer_readers[l];
    const bool last = l + 1 == layer_readers.size();
    RfChainLayer layer;
    const int chains = read_count(reader, "chains", last ? std::optional<int>(output_count) : std::nullopt);
    if (last && chains != output_count)
      throw ConfigError(reader.path_of("chains"), std::to_string(output_count) + " (one output chain per class)",
                        std::to_string(chains));
    const int junctions = read_count(reader, "junctions", inputs);
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

// ---------------------------------------------------------------------------------------------
// Chip variability

namespace {

enum class DeviationKind : std::uint64_t { resonance = 1, alpha = 2, neuron_power = 3, input_power = 4, calibration = 5 };

double deviation(std::uint64_t seed, std::uint64_t chip, DeviationKind kind, std::uint64_t layer, std::uint64_t index,
                 double spread) {
  if (spread <= 0) return 1.0;
  double n0, n1;
  const std::uint64_t counter = (static_cast<std::uint64_t>(kind) << 56) | (layer << 48) | index;
  normal2<double>(seed, static_cast<std::uint32_t>(chip), counter, RandomStream::variability, n0, n1);
  return std::max(0.0, 1.0 + spread * n0);
}

}  // namespace

ChipDeviation draw_chip(const RfNetworkSpec& spec, const ChipSpread& spread, std::uint64_t seed, std::uint64_t chip_id) {
  ChipDeviation chip;
  for (std::size_t l = 0; l < spec.layers.size(); ++l) {
    const auto& L = spec.layers[l];
    RowMatrix<double> r(L.chains(), L.junctions()), a(L.chains(), L.junctions());
    for (int j = 0; j < L.chains(); ++j)
      for (int k = 0; k < L.junctions(); ++k) {
        const std::uint64_t index = static_cast<std::uint64_t>(j) * L.junctions() + k;
        r(j, k) = deviation(seed, chip_id, DeviationKind::resonance, l, index, spread.resonance);
        a(j, k) = deviation(seed, chip_id, DeviationKind::alpha, l, index, spread.alpha);
      }
    chip.resonance.push_back(std::move(r));
    chip.alpha.push_back(std::move(a));
    if (l + 1 < spec.layers.size()) {
      std::vector<double> p(L.chains());
      for (int j = 0; j < L.chains(); ++j) p[j] = deviation(seed, chip_id, DeviationKind::neuron_power, l, j, spread.power);
      chip.neuron_power.push_back(std::move(p));
    }
  }
  chip.input_power.resize(spec.input_count());
  for (int i = 0; i < spec.input_count(); ++i)
    chip.input_power[i] = deviation(seed, chip_id, DeviationKind::input_power, 0, i, spread.power);
  return chip;
}

ChipDeviation calibrate_chip(const ChipDeviation& chip, double precision, std::uint64_t seed, std::uint64_t chip_id) {
  ChipDeviation out = chip;
  for (std::size_t l = 0; l < out.resonance.size(); ++l)
    for (Eigen::Index i = 0; i < out.resonance[l].size(); ++i) {
      const double measured = deviation(seed, chip_id, DeviationKind::calibration, l, static_cast<std::uint64_t>(i), precision);
      out.resonance[l].data()[i] = 1.0 / std::max(measured, 1e-6);
    }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Kernels

namespace {

/// Smallest work (Lorentzian evaluations, or multiply-adds of a product) worth an OpenMP region:
/// about 0.6 ms on one core (13 G Lorentzians/s measured by BM_ChainWeights; products run faster).
/// Below it a region costs more than it shares: threads are woken and joined at every optimizer
/// step, and on a busy machine a descheduled partner stalls the other for a time slice. The 8x8
/// digits network (64 x 128 x 64 Lorentzians, batch 32) stays on one thread; the MNIST reference
/// layer (784 x 128 x 256) is split.
constexpr long min_parallel_work = 8000000;

}  // namespace

template <class T>
void compute_chain_weights(const T* input_frequency, int inputs, const T* base_resonance, const int* orientation,
                           const T* shift, const T* resonance_multiplier, const T* alpha, T K_SD, int chains,
                           int junctions, T* W) {
#pragma omp parallel for schedule(static) if (static_cast<long>(chains) * junctions * inputs >= min_parallel_work)
  for (int j = 0; j < chains; ++j) {
    T* row = W + static_cast<std::size_t>(j) * inputs;
    for (int i = 0; i < inputs; ++i) row[i] = T(0);
    for (int k = 0; k < junctions; ++k) {
      const ChainJunction<T> c =
          chain_junction(base_resonance, orientation, shift, resonance_multiplier, alpha, K_SD, junctions, j, k);
#pragma omp simd
      for (int i = 0; i < inputs; ++i) row[i] += spin_diode_response(input_frequency[i], c.f_r, c.alpha, c.K);
    }
  }
}

template <class T>
void chain_shift_gradient(const T* input_frequency, int inputs, const T* base_resonance, const int* orientation,
                          const T* shift, const T* resonance_multiplier, const T* alpha, T K_SD, int chains,
                          int junctions, const T* dL_dW, T* dL_dshift) {
#pragma omp parallel for schedule(static) if (static_cast<long>(chains) * junctions * inputs >= min_parallel_work)
  for (int j = 0; j < chains; ++j) {
    const T* g = dL_dW + static_cast<std::size_t>(j) * inputs;
    for (int k = 0; k < junctions; ++k) {
      const ChainJunction<T> c =
          chain_junction(base_resonance, orientation, shift, resonance_multiplier, alpha, K_SD, junctions, j, k);
      T sum = 0;
#pragma omp simd reduction(+ : sum)
      for (int i = 0; i < inputs; ++i) sum += g[i] * spin_diode_response_dfr(input_frequency[i], c.f_r, c.alpha, c.K);
      dL_dshift[static_cast<std::size_t>(j) * junctions + k] = sum * c.m;  // df_r/dDelta = m
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Matrix products split into one coarse block per OpenMP thread (Eigen never threads itself:
// EIGEN_DONT_PARALLELIZE, CMakeLists.txt). Eigen's own threaded GEMM synchronizes its threads many
// times per product with spin waits; on a shared, oversubscribed CPU a descheduled partner stalls
// the other (measured 6x slower MNIST training than these independent blocks).

namespace {

std::pair<Eigen::Index, Eigen::Index> block_of(Eigen::Index n, int part, int parts) {
  const Eigen::Index begin = n * part / parts, end = n * (part + 1) / parts;
  return {begin, end - begin};
}

bool worth_threads(Eigen::Index a, Eigen::Index b, Eigen::Index c) { return a * b * c >= min_parallel_work; }

/// out = in * W^T (+ nothing), split over the columns of out (rows of W).
template <class T>
void product_input_weights(const RowMatrix<T>& in, const RowMatrix<T>& W, RowMatrix<T>& out) {
  out.resize(in.rows(), W.rows());
#pragma omp parallel if (worth_threads(in.rows(), in.cols(), W.rows()))
  {
    const auto [j0, nj] = block_of(W.rows(), omp_get_thread_num(), omp_get_num_threads());
    if (nj > 0) out.middleCols(j0, nj).noalias() = in * W.middleRows(j0, nj).transpose();
  }
}

/// gW = dV^T * in, split over the rows of gW.
template <class T>
void product_weight_gradient(const RowMatrix<T>& dV, const RowMatrix<T>& in, RowMatrix<T>& gW) {
  gW.resize(dV.cols(), in.cols());
#pragma omp parallel if (worth_threads(dV.rows(), dV.cols(), in.cols()))
  {
    const auto [j0, nj] = block_of(dV.cols(), omp_get_thread_num(), omp_get_num_threads());
    if (nj > 0) gW.middleRows(j0, nj).noalias() = dV.middleCols(j0, nj).transpose() * in;
  }
}

/// dP = dV * W, split over the columns of dP.
template <class T>
void product_input_gradient(const RowMatrix<T>& dV, const RowMatrix<T>& W, RowMatrix<T>& dP) {
  dP.resize(dV.rows(), W.cols());
#pragma omp parallel if (worth_threads(dV.rows(), dV.cols(), W.cols()))
  {
    const auto [i0, ni] = block_of(W.cols(), omp_get_thread_num(), omp_get_num_threads());
    if (ni > 0) dP.middleCols(i0, ni).noalias() = dV * W.middleCols(i0, ni);
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Model

template <class T>
RfNetworkModel<T>::RfNetworkModel(const RfNetworkSpec& spec)
    : inputs_(spec.input_count()),
      max_power_(static_cast<T>(spec.encoding.max_power_W)),
      readout_scale_(static_cast<T>(spec.readout_scale_V)),
      train_gain_(spec.train_gain),
      train_bias_voltage_(spec.train_bias_voltage) {
  spec.validate(spec.name.empty() ? "network" : spec.name);
  for (const auto& L : spec.layers) {
    Layer layer;
    layer.input_frequency = Eigen::Map<const Eigen::VectorXd>(L.input_frequency_Hz.data(), L.inputs()).cast<T>();
    layer.base_resonance = Eigen::Map<const Eigen::VectorXd>(L.base_resonance_Hz.data(), L.junctions()).cast<T>();
    layer.orientation = L.orientation;
    layer.shift = L.shift_Hz.cast<T>();
    layer.shift_grad = RowMatrix<T>::Zero(L.chains(), L.junctions());
    layer.bias = Eigen::Map<const Eigen::VectorXd>(L.bias_V.data(), L.chains()).cast<T>();
    layer.bias_grad = Eigen::Matrix<T, Eigen::Dynamic, 1>::Zero(L.chains());
    layer.alpha0 = static_cast<T>(L.alpha);
    layer.K_SD = static_cast<T>(L.K_SD_V_per_W);
    layer.shift_scale = static_cast<T>(L.alpha * layer.base_resonance.template cast<double>().mean());
    layer.alpha = RowMatrix<T>::Constant(L.chains(), L.junctions(), layer.alpha0);
    layer.W.resize(L.chains(), L.inputs());
    layers_.push_back(std::move(layer));
  }
  for (const auto& n : spec.neurons) {
    Neurons neurons;
    const int count = static_cast<int>(n.gain_A_per_V.size());
    neurons.gain = Eigen::Map<const Eigen::VectorXd>(n.gain_A_per_V.data(), count).cast<T>();
    neurons.bias_voltage = Eigen::Map<const Eigen::VectorXd>(n.bias_voltage_V.data(), count).cast<T>();
    neurons.gain_grad = Eigen::Matrix<T, Eigen::Dynamic, 1>::Zero(count);
    neurons.bias_voltage_grad = Eigen::Matrix<T, Eigen::Dynamic, 1>::Zero(count);
    neurons.power_multiplier = Eigen::Matrix<T, Eigen::Dynamic, 1>::Ones(count);
    neurons.stno = {static_cast<T>(n.stno.I_th), static_cast<T>(n.stno.Q), static_cast<T>(n.stno.R),
                    static_cast<T>(n.stno.A), static_cast<T>(n.stno.I_max)};
    neurons_.push_back(std::move(neurons));
  }
  input_power_multiplier_ = Eigen::Matrix<T, Eigen::Dynamic, 1>::Ones(inputs_);
  prepare();
}

template <class T>
void RfNetworkModel<T>::set_chip(const ChipDeviation& chip) {
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    layers_[l].resonance_multiplier = chip.resonance[l].cast<T>();
    layers_[l].alpha = (chip.alpha[l] * static_cast<double>(layers_[l].alpha0)).cast<T>();
  }
  for (std::size_t l = 0; l < neurons_.size(); ++l)
    neurons_[l].power_multiplier =
        Eigen::Map<const Eigen::VectorXd>(chip.neuron_power[l].data(), neurons_[l].gain.size()).cast<T>();
  input_power_multiplier_ = Eigen::Map<const Eigen::VectorXd>(chip.input_power.data(), inputs_).cast<T>();
  chip_nominal_ = false;
}

template <class T>
void RfNetworkModel<T>::nominal_chip() {
  for (auto& L : layers_) {
    L.resonance_multiplier.resize(0, 0);
    L.alpha.setConstant(L.alpha0);
  }
  for (auto& n : neurons_) n.power_multiplier.setOnes();
  input_power_multiplier_.setOnes();
  chip_nominal_ = true;
}

template <class T>
void RfNetworkModel<T>::prepare() {
  for (auto& L : layers_)
    compute_chain_weights<T>(L.input_frequency.data(), static_cast<int>(L.input_frequency.size()), L.base_resonance.data(),
                             L.orientation.data(), L.shift.data(),
                             L.resonance_multiplier.size() ? L.resonance_multiplier.data() : nullptr, L.alpha.data(),
                             L.K_SD, static_cast<int>(L.shift.rows()), static_cast<int>(L.shift.cols()), L.W.data());
}

template <class T>
void RfNetworkModel<T>::forward(const RowMatrix<T>& inputs, RowMatrix<T>& logits) {
  const Eigen::Index batch = inputs.rows();
  layers_[0].input = inputs * max_power_;
  if (!chip_nominal_) layers_[0].input = layers_[0].input * input_power_multiplier_.asDiagonal();
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    Layer& L = layers_[l];
    product_input_weights(L.input, L.W, L.output);
    L.output.rowwise() += L.bias.transpose();
    if (l + 1 == layers_.size()) break;
    Neurons& n = neurons_[l];
    const Eigen::Index count = L.output.cols();
    n.current.resize(batch, count);
    RowMatrix<T>& next = layers_[l + 1].input;
    next.resize(batch, count);
    for (Eigen::Index b = 0; b < batch; ++b)
      for (Eigen::Index j = 0; j < count; ++j) {
        const T I = n.gain[j] * (L.output(b, j) + n.bias_voltage[j]);
        n.current(b, j) = I;
        next(b, j) = stno_power(I, n.stno) * n.power_multiplier[j];
      }
  }
  logits = layers_.back().output / readout_scale_;
}

template <class T>
void RfNetworkModel<T>::backward(const RowMatrix<T>& dlogits) {
  RowMatrix<T> dV = dlogits / readout_scale_;
  for (std::size_t l = layers_.size(); l-- > 0;) {
    Layer& L = layers_[l];
    product_weight_gradient(dV, L.input, L.W_grad);
    L.bias_grad = dV.colwise().sum().transpose();
    chain_shift_gradient<T>(L.input_frequency.data(), static_cast<int>(L.input_frequency.size()), L.base_resonance.data(),
                            L.orientation.data(), L.shift.data(),
                            L.resonance_multiplier.size() ? L.resonance_multiplier.data() : nullptr, L.alpha.data(),
                            L.K_SD, static_cast<int>(L.shift.rows()), static_cast<int>(L.shift.cols()), L.W_grad.data(),
                            L.shift_grad.data());
    if (l == 0) break;
    RowMatrix<T> dP;  // dL/d(input powers of layer l)
    product_input_gradient(dV, L.W, dP);
    Neurons& n = neurons_[l - 1];
    const Layer& prev = layers_[l - 1];
    dV.resize(dP.rows(), dP.cols());
    n.gain_grad.setZero();
    n.bias_voltage_grad.setZero();
    for (Eigen::Index b = 0; b < dP.rows(); ++b)
      for (Eigen::Index j = 0; j < dP.cols(); ++j) {
        const T dI = dP(b, j) * n.power_multiplier[j] * stno_power_dI(n.current(b, j), n.stno);
        n.gain_grad[j] += dI * (prev.output(b, j) + n.bias_voltage[j]);
        n.bias_voltage_grad[j] += dI * n.gain[j];
        dV(b, j) = dI * n.gain[j];
      }
  }
}

template <class T>
std::vector<ParameterBlock<T>> RfNetworkModel<T>::parameters() {
  return rf_parameter_blocks<T>(layers_, neurons_, train_gain_, train_bias_voltage_, readout_scale_);
}

template <class T>
RfNetworkSpec RfNetworkModel<T>::to_spec(const RfNetworkSpec& base) const {
  return rf_spec_with_values(base, layers_, neurons_);
}

void initialize_neurons_from_data(RfNetworkSpec& spec, const RowMatrix<float>& x, double center_over_I_th,
                                  double spread_over_I_th) {
  const Eigen::Index batch = x.rows();
  if (batch < 2 || spec.neurons.empty()) return;
  RowMatrix<double> input = x.cast<double>() * spec.encoding.max_power_W;  // tone powers
  for (std::size_t l = 0; l + 1 < spec.layers.size(); ++l) {
    const RfChainLayer& layer = spec.layers[l];
    const int chains = layer.chains(), junctions = layer.junctions();
    std::vector<double> alpha(static_cast<std::size_t>(chains) * junctions, layer.alpha);
    RowMatrix<double> shift = layer.shift_Hz, W(chains, layer.inputs());
    compute_chain_weights<double>(layer.input_frequency_Hz.data(), layer.inputs(), layer.base_resonance_Hz.data(),
                                  layer.orientation.data(), shift.data(), nullptr, alpha.data(), layer.K_SD_V_per_W,
                                  chains, junctions, W.data());
    RowMatrix<double> V = input * W.transpose();
    RfNeuronLayer& neurons = spec.neurons[l];
    const double I_th = neurons.stno.I_th;
    RowMatrix<double> power(batch, chains);
    for (int j = 0; j < chains; ++j) {
      V.col(j).array() += layer.bias_V[j];
      const double mean = V.col(j).mean();
      const double sigma = std::sqrt((V.col(j).array() - mean).square().mean());
      if (sigma > 1e-12 * std::max(1.0, std::abs(mean))) neurons.gain_A_per_V[j] = spread_over_I_th * I_th / sigma;
      neurons.bias_voltage_V[j] = center_over_I_th * I_th / neurons.gain_A_per_V[j] - mean;
      for (Eigen::Index b = 0; b < batch; ++b)
        power(b, j) = stno_power(neurons.gain_A_per_V[j] * (V(b, j) + neurons.bias_voltage_V[j]), neurons.stno);
    }
    input = std::move(power);
  }
}

template class RfNetworkModel<float>;
template class RfNetworkModel<double>;
template void compute_chain_weights<float>(const float*, int, const float*, const int*, const float*, const float*,
                                           const float*, float, int, int, float*);
template void compute_chain_weights<double>(const double*, int, const double*, const int*, const double*,
                                            const double*, const double*, double, int, int, double*);
template void chain_shift_gradient<float>(const float*, int, const float*, const int*, const float*, const float*,
                                          const float*, float, int, int, const float*, float*);
template void chain_shift_gradient<double>(const double*, int, const double*, const int*, const double*,
                                           const double*, const double*, double, int, int, const double*, double*);

}  // namespace spinnet
