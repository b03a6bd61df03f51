// Physics in the loop: a trained chain layer evaluated with every synapse a time-domain macrospin
// junction (the physics is macrospin.hpp's heun_step and resistance; this file only organizes the
// loop so that the junctions of one sample share one current waveform).
#include "spinnet/rfnet/physics_in_the_loop.hpp"

#include <Eigen/Dense>
#include <nlohmann/json.hpp>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <utility>
#include <fstream>
#include <limits>
#include <numeric>
#include <random>
#include <sstream>

#include "spinnet/core/errors.hpp"
#include "spinnet/core/fast_math.hpp"
#include "spinnet/core/random.hpp"
#include "spinnet/core/soa.hpp"

namespace spinnet {

using nlohmann::json;

// ---------------------------------------------------------------------------------------------
// Network file

namespace {

const json& member(const json& object, const std::string& key, const std::string& path, const std::string& file) {
  if (!object.is_object() || !object.contains(key))
    throw ConfigError(file + ": " + path + "." + key, "a value", "nothing (missing key)");
  return object.at(key);
}

double number(const json& value, const std::string& path, const std::string& file) {
  if (!value.is_number()) throw ConfigError(file + ": " + path, "a number", value.dump());
  return value.get<double>();
}

std::vector<double> numbers(const json& value, const std::string& path, const std::string& file, double scale) {
  if (!value.is_array()) throw ConfigError(file + ": " + path, "an array of numbers", value.dump().substr(0, 80));
  std::vector<double> out;
  for (std::size_t i = 0; i < value.size(); ++i)
    out.push_back(number(value[i], path + "[" + std::to_string(i) + "]", file) * scale);
  return out;
}

}  // namespace

SpinDiodeNetwork load_spin_diode_network(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path, "cannot open the network file", 0);
  json root;
  try {
    root = json::parse(in);
  } catch (const json::parse_error& e) {
    throw ConfigError(path, std::string("not valid JSON: ") + e.what(), 0);
  }
  const std::string at = path + ": ";
  if (!root.is_object() || root.value("format", std::string()) != "spinnet-rf-network")
    throw ConfigError(at + "format", "\"spinnet-rf-network\"", root.is_object() && root.contains("format") ? root["format"].dump() : "nothing");
  SpinDiodeNetwork net;
  const json& encoding = member(root, "encoding", "", path);
  net.max_power = number(member(encoding, "max_power_W", "encoding", path), "encoding.max_power_W", path);
  net.offset = numbers(member(encoding, "offset", "encoding", path), "encoding.offset", path, 1);
  net.scale = numbers(member(encoding, "scale", "encoding", path), "encoding.scale", path, 1);
  if (root.contains("readout_scale_V")) net.readout_scale = number(root["readout_scale_V"], "readout_scale_V", path);
  const json& layers = member(root, "layers", "", path);
  if (!layers.is_array() || layers.size() != 1)
    throw ConfigError(at + "layers", "exactly one chain layer (physics in the loop evaluates single-layer networks)",
                      std::to_string(layers.is_array() ? layers.size() : 0) + " layers");
  if (root.contains("neurons") && root["neurons"].is_array() && !root["neurons"].empty())
    throw ConfigError(at + "neurons", "no neuron layers (single-layer network)", std::to_string(root["neurons"].size()));
  const json& layer = layers[0];
  const std::string lp = "layers[0]";
  net.input_frequency = numbers(member(layer, "input_frequency_Hz", lp, path), lp + ".input_frequency_Hz", path, 1);
  const std::vector<double> base = numbers(member(layer, "base_resonance_Hz", lp, path), lp + ".base_resonance_Hz", path, 1);
  const json& shift = member(layer, "shift_Hz", lp, path);
  if (!shift.is_array() || shift.empty())
    throw ConfigError(at + lp + ".shift_Hz", "an array of chains (arrays of Hz)", shift.dump().substr(0, 80));
  for (std::size_t j = 0; j < shift.size(); ++j) {
    const std::string where = lp + ".shift_Hz[" + std::to_string(j) + "]";
    std::vector<double> row = numbers(shift[j], where, path, 1);
    if (row.size() != base.size())
      throw ConfigError(at + where, std::to_string(base.size()) + " junctions (as base_resonance_Hz)", std::to_string(row.size()));
    for (std::size_t k = 0; k < row.size(); ++k) row[k] += base[k];
    net.resonance.push_back(row);
  }
  if (layer.contains("orientation")) {
    for (double s : numbers(layer.at("orientation"), lp + ".orientation", path, 1)) {
      if (s != 1 && s != -1) throw ConfigError(at + lp + ".orientation", "+1 or -1 per junction", std::to_string(s));
      net.orientation.push_back(static_cast<int>(s));
    }
    if (net.orientation.size() != base.size())
      throw ConfigError(at + lp + ".orientation", std::to_string(base.size()) + " entries (one per junction)",
                        std::to_string(net.orientation.size()));
  }
  net.bias = layer.contains("bias_V") ? numbers(layer.at("bias_V"), lp + ".bias_V", path, 1)
                                      : std::vector<double>(net.resonance.size(), 0.0);
  if (net.bias.size() != net.resonance.size())
    throw ConfigError(at + lp + ".bias_V", std::to_string(net.resonance.size()) + " entries (one per chain)",
                      std::to_string(net.bias.size()));
  net.alpha = number(member(layer, "alpha", lp, path), lp + ".alpha", path);
  net.K_SD = number(member(layer, "K_SD_V_per_W", lp, path), lp + ".K_SD_V_per_W", path);
  if (!(net.alpha > 0)) throw ConfigError(at + lp + ".alpha", "a positive damping", std::to_string(net.alpha));
  if (net.input_frequency.empty()) throw ConfigError(at + lp + ".input_frequency_Hz", "at least one tone", "[]");
  if (!net.offset.empty() && (net.offset.size() != net.input_frequency.size() || net.scale.size() != net.offset.size()))
    throw ConfigError(at + "encoding.offset", std::to_string(net.input_frequency.size()) + " offsets and scales (one per input)",
                      std::to_string(net.offset.size()) + " and " + std::to_string(net.scale.size()));
  return net;
}

void save_spin_diode_network(const SpinDiodeNetwork& net, const std::string& path) {
  json root;
  root["format"] = "spinnet-rf-network";
  root["version"] = 1;
  root["encoding"] = {{"max_power_W", net.max_power}, {"offset", net.offset}, {"scale", net.scale}};
  root["readout_scale_V"] = net.readout_scale;
  const std::size_t K = net.resonance.front().size();
  std::vector<double> base(K, 0.0);  // f0_k = resonance of chain 0; shifts relative to it
  for (std::size_t k = 0; k < K; ++k) base[k] = net.resonance[0][k];
  json shift = json::array();
  for (const auto& chain : net.resonance) {
    std::vector<double> row(K);
    for (std::size_t k = 0; k < K; ++k) row[k] = chain[k] - base[k];
    shift.push_back(row);
  }
  std::vector<int> orientation = net.orientation;
  if (orientation.empty())
    for (std::size_t k = 0; k < K; ++k) orientation.push_back(k % 2 == 0 ? 1 : -1);
  root["layers"] = json::array({json{{"alpha", net.alpha},
                                     {"K_SD_V_per_W", net.K_SD},
                                     {"input_frequency_Hz", net.input_frequency},
                                     {"base_resonance_Hz", base},
                                     {"orientation", orientation},
                                     {"shift_Hz", shift},
                                     {"bias_V", net.bias}}});
  root["neurons"] = json::array();
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary);
    if (!out) throw RunError(path + ": cannot write the network file");
    out << root.dump(2) << "\n";
    if (!out) throw RunError(path + ": write failed");
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) throw RunError(path + ": cannot rename " + temporary);
}

std::vector<double> input_powers(const SpinDiodeNetwork& net, const std::vector<double>& features) {
  if (features.size() != net.input_frequency.size())
    throw RunError("physics in the loop: a sample has " + std::to_string(features.size()) +
                   " features, the network has " + std::to_string(net.input_frequency.size()) + " input tones");
  std::vector<double> p(features.size());
  for (std::size_t i = 0; i < p.size(); ++i) {
    const double x = net.offset.empty() ? features[i] : (features[i] - net.offset[i]) * net.scale[i];
    p[i] = net.max_power * x;
  }
  return p;
}

namespace {
int orientation_of(const SpinDiodeNetwork& L, std::size_t k) {
  return L.orientation.empty() ? (k % 2 == 0 ? 1 : -1) : L.orientation[k];
}
}  // namespace

std::vector<double> compact_outputs(const SpinDiodeNetwork& net, const std::vector<double>& features) {
  const SpinDiodeNetwork& L = net;
  const std::vector<double> P = input_powers(net, features);
  std::vector<double> out(L.resonance.size());
  for (std::size_t j = 0; j < L.resonance.size(); ++j) {
    double v = L.bias[j];
    for (std::size_t k = 0; k < L.resonance[j].size(); ++k) {
      const double fr = L.resonance[j][k], a = L.alpha * fr;
      for (std::size_t i = 0; i < P.size(); ++i) {
        const double d = L.input_frequency[i] - fr;
        v += orientation_of(L, k) * P[i] * L.K_SD * 2 * a * d / (a * a + d * d);
      }
    }
    out[j] = v;
  }
  return out;
}

double top_one_accuracy(const std::vector<std::vector<double>>& outputs, const std::vector<int>& labels) {
  if (outputs.empty()) return 0;
  std::size_t right = 0;
  for (std::size_t s = 0; s < outputs.size(); ++s) {
    const auto best = std::max_element(outputs[s].begin(), outputs[s].end()) - outputs[s].begin();
    right += static_cast<int>(best) == labels[s];
  }
  return static_cast<double>(right) / static_cast<double>(outputs.size());
}

// ---------------------------------------------------------------------------------------------
// Time-domain evaluation

namespace {

constexpr int lanes = 16;  // float32 junctions per block (one AVX-512 register)

/// Advances one block of `lanes` junctions of one sample over all steps with the macrospin model's
/// own step function (noise keyed by device id and step as in the engine); returns per lane
/// sum (R - R0) I after the transient and the first failure status. As in src/engine/batch_cpu.hpp, the
/// coefficients are built inside the omp simd loop by aggregate initialization from plain values
/// and everything goes in and out by value, so the loop vectorizes across the 16 lanes. The
/// junction's own applied field H_z enters as the z component of the drive field (the shared
/// coefficients hold H_z = 0): H_eff is the same sum.
template <bool Thermal, std::size_t... kc>
void run_block(const float* coefficient, const float* Hz, const float* field_per_ampere, const float* wave,
               std::uint64_t steps, const StepContext<float> context, float R0, double* sums, std::uint32_t* failed,
               std::index_sequence<kc...>) {
  alignas(64) float mx[lanes], my[lanes], mz[lanes], hz[lanes], b[lanes];
  alignas(64) double acc[lanes];
  alignas(64) std::uint32_t status[lanes];
  alignas(64) std::uint64_t failed_step[lanes];
  for (int l = 0; l < lanes; ++l) {
    mx[l] = 0, my[l] = 0, mz[l] = 1, hz[l] = Hz[l], b[l] = field_per_ampere[l], acc[l] = 0;
    status[l] = status_ok, failed_step[l] = 0;
  }
  for (std::uint64_t step = 0; step < steps; ++step) {
    const float I_now = wave[step], I_next = wave[step + 1];
    const float carrier = step >= context.transient_steps ? R0 * I_next : 0.0f;
#pragma omp simd
    for (int l = 0; l < lanes; ++l) {
      const auto out = MacrospinModel::step<float, Thermal>(
          context, static_cast<std::size_t>(l), MacrospinCoefficients<float>{coefficient[kc]...},
          MacrospinState<float>{mx[l], my[l], mz[l]}, status[l], failed_step[l], step,
          DriveSample<float>{b[l] * I_now, 0.0f, hz[l], 0.0f, I_now},
          DriveSample<float>{b[l] * I_next, 0.0f, hz[l], 0.0f, I_next});
      mx[l] = out.state.mx, my[l] = out.state.my, mz[l] = out.state.mz;
      status[l] = out.status;
      failed_step[l] = out.failed_step;
      acc[l] += static_cast<double>(out.sample.power - (out.status == status_ok ? carrier : 0.0f));
    }
  }
  for (int l = 0; l < lanes; ++l) sums[l] = acc[l], failed[l] = status[l];
}

}  // namespace

PhysicsInTheLoopResult evaluate_physics_in_the_loop(const SpinDiodeNetwork& net,
                                                    const std::vector<std::vector<double>>& features,
                                                    const PhysicsInTheLoopOptions& options) {
  const SpinDiodeNetwork& L = net;
  const std::size_t N = L.input_frequency.size(), M = L.resonance.size(), K = L.resonance.front().size();
  const std::size_t J = M * K, blocks = (J + lanes - 1) / lanes, padded = blocks * lanes;
  if (features.empty()) throw RunError("physics in the loop: no samples");
  if (static_cast<double>(features.size()) * static_cast<double>(padded) > 4e9)
    throw RunError("physics in the loop: more than 2^32 junctions (32-bit device ids); evaluate fewer samples per call");
  PhysicsInTheLoopResult result;

  // Junctions: the template with the network's damping, each synapse's resonance.
  SpinDiodeJunction base = options.junction;
  base.alpha = L.alpha;
  base.temperature = options.temperature;
  double f_min = std::numeric_limits<double>::infinity(), f_sum = 0;
  for (const auto& chain : L.resonance)
    for (double f : chain) f_min = std::min(f_min, f), f_sum += f;
  const double f_ref = f_sum / static_cast<double>(J);
  SpinDiodeJunction reference = base;
  reference.resonance = f_ref;

  // Scales: a tone of the largest network power drives the reference junction to options.peak_cone.
  const double gamma_ll = constants::mu0 * base.gamma / (1 + base.alpha * base.alpha);
  const double torque = spin_diode_torque_per_ampere(base);
  const double drive_per_ampere =
      gamma_ll * torque *
      std::hypot(base.damping_like_efficiency + base.alpha * base.field_like_efficiency,
                 base.field_like_efficiency - base.alpha * base.damping_like_efficiency);
  const double I_max = options.peak_cone * 2 * base.alpha * constants::two_pi * f_ref / drive_per_ampere;
  const double R0 = spin_diode_resistance(base);
  const double P_max = std::max(std::abs(net.max_power), 1e-300);
  result.power_scale = I_max * I_max * R0 / 2 / P_max;
  result.voltage_scale = L.K_SD / (spin_diode_sensitivity(reference) * result.power_scale);

  // Time step, transient (8 decay times of the slowest junction) and window (whole beat periods).
  const double dt = options.dt;
  const double decay = 1.0 / (constants::two_pi * L.alpha * f_min);
  std::vector<double> sorted = L.input_frequency;
  std::sort(sorted.begin(), sorted.end());
  double spacing = std::numeric_limits<double>::infinity();
  for (std::size_t i = 1; i < N; ++i) spacing = std::min(spacing, sorted[i] - sorted[i - 1]);
  // The tone grid: the largest g = spacing / n (n <= 1000) of which every f_i is a whole multiple.
  // A grid whose period 1/g exceeds 8 decay times would force a needlessly long window: then the
  // tones count as off the grid and the result reports the beat bound instead.
  double grid = 0;
  for (int n = 1; n <= 1000 && N > 1 && spacing > 0 && grid == 0 && n / spacing <= 8 * (1.0 / (constants::two_pi * L.alpha * f_min)); ++n) {
    const double g = spacing / n;
    bool whole = true;
    for (std::size_t i = 0; i < N && whole; ++i) whole = std::abs(sorted[i] / g - std::round(sorted[i] / g)) < 1e-6;
    if (whole) grid = g;
  }
  const double transient = options.transient > 0 ? options.transient : 8 * decay;
  double window = options.window;
  const double period = grid > 0 ? 1 / grid : (N > 1 && spacing > 0 ? 1 / spacing : 0);  // whole beats
  if (!(window > 0)) window = period > 0 ? std::ceil(4 * decay / period) * period : 4 * decay;
  const std::uint64_t transient_steps = static_cast<std::uint64_t>(std::llround(transient / dt));
  const std::uint64_t window_steps = static_cast<std::uint64_t>(std::llround(window / dt));
  const std::uint64_t steps = transient_steps + window_steps;
  result.transient = transient_steps * dt;
  result.window = window_steps * dt;
  result.dt = dt;
  const double whole_beats = grid * result.window;
  result.beat_bound = (grid > 0 && std::abs(whole_beats - std::round(whole_beats)) < 1e-6)
                          ? 0.0
                          : (N > 1 ? 1.0 / (constants::pi * spacing * result.window) : 0.0);

  // Per-junction coefficients: shared ones from the reference, the field H_z and the field-like
  // torque per ampere (equalized: proportional to f_r) per synapse. Padding lanes copy the last one.
  MacrospinParameters<double> shared_device = spin_diode_device(reference, dt);
  shared_device.Hz = 0;  // per junction, through the drive field (run_block)
  const MacrospinCoefficients<float> shared = make_coefficients<float>(shared_device, dt);
  alignas(64) float coefficient[member_count<MacrospinCoefficients<float>, float>];
  std::memcpy(coefficient, &shared, sizeof shared);
  std::vector<float> Hz(padded), field_per_ampere(padded);
  for (std::size_t n = 0; n < padded; ++n) {
    const std::size_t jk = std::min(n, J - 1);
    SpinDiodeJunction junction = base;
    junction.resonance = L.resonance[jk / K][jk % K];
    if (options.equalize_sensitivity) junction.field_like_efficiency *= junction.resonance / f_ref;
    Hz[n] = static_cast<float>(spin_diode_applied_field(junction, dt));
    field_per_ampere[n] = static_cast<float>(torque * junction.field_like_efficiency);
  }

  // Tone phases: one draw per tone from the seed (independent sources).
  std::mt19937_64 generator(options.seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::vector<double> phase_cycles(N);
  for (double& p : phase_cycles) p = uniform(generator);

  const std::size_t S = features.size();
  result.time_domain.assign(S, std::vector<double>(M, 0.0));
  result.compact.resize(S);
  for (std::size_t s = 0; s < S; ++s) result.compact[s] = compact_outputs(net, features[s]);
  std::vector<std::vector<double>> powers(S);
  for (std::size_t s = 0; s < S; ++s) powers[s] = input_powers(net, features[s]);

  const bool thermal = base.temperature > 0;
  const auto start = std::chrono::steady_clock::now();
  bool finite = true;
  const int threads = options.threads > 0 ? options.threads : omp_get_max_threads();
#pragma omp parallel num_threads(threads) reduction(&& : finite)
  {
    std::vector<float> wave(steps + 1);
    std::vector<double> amplitude(N), sums(padded);
    std::vector<std::uint32_t> failures(padded);
#pragma omp for schedule(dynamic, 1)
    for (std::size_t s = 0; s < S; ++s) {
      for (std::size_t i = 0; i < N; ++i)
        amplitude[i] = std::sqrt(2 * std::max(powers[s][i], 0.0) * result.power_scale / R0);
      // I(t) at every step, tones summed in double phase reduced to one cycle (as drive.hpp does).
      std::fill(wave.begin(), wave.end(), 0.0f);
      for (std::size_t i = 0; i < N; ++i) {
        const double cycles_per_step = L.input_frequency[i] * dt;
        const float I = static_cast<float>(amplitude[i]);
#pragma omp simd
        for (std::uint64_t n = 0; n <= steps; ++n) {
          double cycles = cycles_per_step * static_cast<double>(n) + phase_cycles[i];
          cycles -= std::floor(cycles);
          float sine, cosine;
          fast::sincos_two_pi(static_cast<float>(cycles), sine, cosine);
          wave[n] += I * cosine;
        }
      }
      for (std::size_t block = 0; block < blocks; ++block)
        {
          StepContext<float> context;
          context.seed = options.seed;
          context.first_device_id = static_cast<std::uint32_t>(s * padded + block * lanes);
          context.dt = static_cast<float>(dt);
          context.transient_steps = transient_steps;
          context.drift_limit = 1e-3f;
          context.axis = {0.0f, 0.0f, 1.0f};
          constexpr auto members =
              std::make_index_sequence<static_cast<std::size_t>(member_count<MacrospinCoefficients<float>, float>)>{};
          if (thermal)
            run_block<true>(coefficient, &Hz[block * lanes], &field_per_ampere[block * lanes], wave.data(), steps,
                            context, static_cast<float>(R0), &sums[block * lanes], &failures[block * lanes], members);
          else
            run_block<false>(coefficient, &Hz[block * lanes], &field_per_ampere[block * lanes], wave.data(), steps,
                             context, static_cast<float>(R0), &sums[block * lanes], &failures[block * lanes], members);
        }
      for (std::size_t jk = 0; jk < J; ++jk) {
        const double V = sums[jk] / static_cast<double>(window_steps);
        finite = finite && std::isfinite(V) && failures[jk] == status_ok;
        result.time_domain[s][jk / K] += orientation_of(L, jk % K) * V;
      }
      for (std::size_t j = 0; j < M; ++j)
        result.time_domain[s][j] = result.time_domain[s][j] * result.voltage_scale + L.bias[j];
    }
  }
  if (!finite)
    throw RunError("physics in the loop: a junction failed (|m| drifted more than 1e-3 in one step, or not finite): reduce dt or peak_cone");
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.junction_steps_per_second =
      static_cast<double>(S) * static_cast<double>(padded) * static_cast<double>(steps) / std::max(result.wall_seconds, 1e-12);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Reference trainer

SpinDiodeNetwork train_reference_network(const std::vector<std::vector<double>>& features,
                                         const std::vector<int>& labels, int classes,
                                         const ReferenceTrainingOptions& o, double* train_accuracy) {
  if (features.empty() || features.size() != labels.size())
    throw RunError("reference training: need as many labels as samples (" + std::to_string(features.size()) + " and " +
                   std::to_string(labels.size()) + ")");
  const int N = static_cast<int>(features.front().size()), M = classes, K = o.junctions;
  const int B = static_cast<int>(features.size());
  SpinDiodeNetwork net;
  net.max_power = o.max_power;
  net.alpha = o.alpha;
  net.K_SD = o.K_SD;
  net.readout_scale = o.readout_scale;
  auto plan = [](double lo, double hi, int n, int i) { return n > 1 ? lo + (hi - lo) * i / (n - 1) : 0.5 * (lo + hi); };
  for (int i = 0; i < N; ++i) net.input_frequency.push_back(plan(o.f_min, o.f_max, N, i));
  std::vector<double> base(K);
  for (int k = 0; k < K; ++k) base[k] = plan(o.f_min, o.f_max, K, k);
  const double unit = o.alpha * 0.5 * (o.f_min + o.f_max);  // shifts in half-widths
  std::mt19937_64 generator(o.seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  Eigen::MatrixXd shift(M, K), bias = Eigen::MatrixXd::Zero(M, 1);
  for (int j = 0; j < M; ++j)
    for (int k = 0; k < K; ++k) shift(j, k) = normal(generator);
  Eigen::MatrixXd P(B, N);
  for (int b = 0; b < B; ++b)
    for (int i = 0; i < N; ++i) P(b, i) = o.max_power * features[b][i];
  Eigen::MatrixXd m_shift = Eigen::MatrixXd::Zero(M, K), v_shift = m_shift, m_bias = bias, v_bias = bias;
  const double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;
  Eigen::MatrixXd W(M, N), G(M * K, N), dG(M * K, N);
  double accuracy_value = 0;
  for (int epoch = 0; epoch <= o.epochs; ++epoch) {
    for (int j = 0; j < M; ++j)
      for (int k = 0; k < K; ++k) {
        const double fr = base[k] + unit * shift(j, k), a = o.alpha * fr;
        for (int i = 0; i < N; ++i) {
          const double d = net.input_frequency[i] - fr, q = 1.0 / (a * a + d * d);
          G(j * K + k, i) = o.K_SD * 2 * a * d * q;
          dG(j * K + k, i) = 2 * o.K_SD * (d * d - a * a) * (o.alpha * d + a) * q * q;
        }
      }
    W.setZero();
    for (int j = 0; j < M; ++j)
      for (int k = 0; k < K; ++k) W.row(j) += (k % 2 == 0 ? 1.0 : -1.0) * G.row(j * K + k);
    Eigen::MatrixXd z = (P * W.transpose()).rowwise() + bias.col(0).transpose();
    z /= o.readout_scale;
    Eigen::MatrixXd dz(B, M);
    int right = 0;
    for (int b = 0; b < B; ++b) {
      Eigen::Index best;
      const double top = z.row(b).maxCoeff(&best);
      right += static_cast<int>(best) == labels[b];
      const Eigen::RowVectorXd e = (z.row(b).array() - top).exp().matrix();
      dz.row(b) = e / e.sum();
      dz(b, labels[b]) -= 1;
    }
    accuracy_value = static_cast<double>(right) / B;
    if (epoch == o.epochs) break;
    dz /= static_cast<double>(B);
    const Eigen::MatrixXd dV = dz / o.readout_scale;  // B x M
    const Eigen::MatrixXd dW = dV.transpose() * P;    // M x N
    Eigen::MatrixXd g_shift(M, K), g_bias = dV.colwise().sum().transpose();
    for (int j = 0; j < M; ++j)
      for (int k = 0; k < K; ++k)
        g_shift(j, k) = (k % 2 == 0 ? 1.0 : -1.0) * unit * dW.row(j).dot(dG.row(j * K + k));
    g_bias *= o.readout_scale;  // Adam on b / readout_scale
    const double t = epoch + 1, c1 = 1 - std::pow(beta1, t), c2 = 1 - std::pow(beta2, t);
    m_shift = beta1 * m_shift + (1 - beta1) * g_shift;
    v_shift = beta2 * v_shift + (1 - beta2) * g_shift.cwiseProduct(g_shift);
    m_bias = beta1 * m_bias + (1 - beta1) * g_bias;
    v_bias = beta2 * v_bias + (1 - beta2) * g_bias.cwiseProduct(g_bias);
    const double lr = o.learning_rate * 0.5 * (1 + std::cos(constants::pi * epoch / o.epochs));  // cosine schedule
    shift -= lr * ((m_shift / c1).array() / ((v_shift / c2).array().sqrt() + epsilon)).matrix();
    bias -= lr * o.readout_scale * ((m_bias / c1).array() / ((v_bias / c2).array().sqrt() + epsilon)).matrix();
  }
  for (int j = 0; j < M; ++j) {
    std::vector<double> row(K);
    for (int k = 0; k < K; ++k) row[k] = base[k] + unit * shift(j, k);
    net.resonance.push_back(row);
    net.bias.push_back(bias(j, 0));
  }
  if (train_accuracy) *train_accuracy = accuracy_value;
  return net;
}

}  // namespace spinnet
