// Spin-diode measurements on top of the macrospin engine: junction -> macrospin device, batched
// rectified-voltage sweeps, line-shape fit, K_SD calibration, series chains.
#include "spinnet/measure/spin_diode.hpp"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "spinnet/core/errors.hpp"

namespace spinnet {

MacrospinParameters<double> spin_diode_device(const SpinDiodeJunction& j, double dt) {
  MacrospinParameters<double> p{};
  p.alpha = j.alpha;
  p.gamma = j.gamma;
  p.Ms = j.Ms;
  p.volume = j.volume;
  p.Hk = j.Hk;
  p.ux = 0, p.uy = 0, p.uz = 1;
  p.Nx = 0, p.Ny = 0, p.Nz = 1;  // thin disc
  p.Hx = 0, p.Hy = 0, p.Hz = spin_diode_applied_field(j, dt);
  p.px = 1, p.py = 0, p.pz = 0;  // in-plane polarizer = reference layer
  p.polarization = j.damping_like_efficiency;
  p.lambda = 0;  // eta independent of angle: the drive is small-angle, m.p ~ 0
  p.beta = 0;    // the field-like torque enters as an RF field along p (spin_diode_problem)
  p.current = 0;
  p.temperature = j.temperature;
  p.R_P = j.R_P;
  p.R_AP = j.R_AP;
  p.rx = 0, p.ry = 0, p.rz = 0;  // readout against the polarizer
  p.m0x = 0, p.m0y = 0, p.m0z = 1;
  return p;
}

double window_grid_frequency(double f, double window) {
  if (!(window > 0)) throw std::invalid_argument("window_grid_frequency: window must be positive");
  return std::round(f * window) / window;
}

namespace {

std::uint64_t whole_steps(double duration, double dt, const char* what) {
  const double n = std::round(duration / dt);
  if (!(n >= 0) || n > 1e15)
    throw RunError(std::string("spin-diode measurement: ") + what + " of " + std::to_string(duration) +
                   " s is not a usable number of steps of " + std::to_string(dt) + " s");
  return static_cast<std::uint64_t>(n);
}

}  // namespace

std::vector<double> measure_rectified_voltage(const std::vector<SpinDiodeDevice>& devices,
                                              const SpinDiodeMeasurement& measurement) {
  if (devices.empty()) throw RunError("spin-diode measurement: no devices");
  const std::size_t tones = devices.front().tones.size();
  for (std::size_t i = 0; i < devices.size(); ++i)
    if (devices[i].tones.size() != tones)
      throw RunError("spin-diode measurement: device " + std::to_string(i) + " has " +
                     std::to_string(devices[i].tones.size()) + " tones, expected " + std::to_string(tones) +
                     " as device 0 (pad with zero-amplitude tones)");
  MacrospinProblem problem;
  const double dt = measurement.dt;
  problem.devices.reserve(devices.size());
  for (const SpinDiodeDevice& d : devices)
    problem.devices.push_back(spin_diode_device(d.junction, measurement.compensate_step ? dt : 0));
  problem.current_tones.resize(tones);
  problem.field_tones.resize(tones);
  for (std::size_t k = 0; k < tones; ++k) {
    CurrentTone& current = problem.current_tones[k];
    FieldTone& field = problem.field_tones[k];
    for (const SpinDiodeDevice& d : devices) {
      const RfTone& t = d.tones[k];
      current.amplitude.push_back(t.amplitude);
      current.frequency.push_back(t.frequency);
      current.phase.push_back(t.phase);
      // Field-like torque b_J = hbar eta_FL I / (2 e mu0 Ms V) along the polarizer (x), in phase with I.
      field.amplitude_x.push_back(spin_diode_torque_per_ampere(d.junction) * d.junction.field_like_efficiency *
                                  t.amplitude);
      field.amplitude_y.push_back(0);
      field.amplitude_z.push_back(0);
      field.frequency.push_back(t.frequency);
      field.phase.push_back(t.phase);
    }
  }
  problem.dt = dt;
  problem.transient_steps = whole_steps(measurement.transient, dt, "transient");
  problem.steps = problem.transient_steps + whole_steps(measurement.window, dt, "averaging window");
  problem.seed = measurement.seed;
  problem.frequency_axis = {0, 0, 1};
  problem.precision = measurement.precision;
  RunOptions options;
  options.backend = measurement.backend;
  const MacrospinResult result = run_macrospin(problem, options);
  std::vector<double> voltage(devices.size());
  for (std::size_t i = 0; i < devices.size(); ++i) voltage[i] = devices[i].orientation * result.rectified_voltage[i];
  return voltage;
}

namespace {

/// Amplitudes (V_S, V_A) of the best line at fixed (f_r, a) and its squared residual.
struct LinearSolution {
  double symmetric, antisymmetric, residual2;
};

LinearSolution solve_amplitudes(const std::vector<double>& f, const std::vector<double>& v, double f_r, double a) {
  double ss = 0, sa = 0, aa = 0, sy = 0, ay = 0;
  for (std::size_t i = 0; i < f.size(); ++i) {
    const double d = f[i] - f_r, q = 1.0 / (a * a + d * d);
    const double s = a * a * q, t = a * d * q;
    ss += s * s, sa += s * t, aa += t * t, sy += s * v[i], ay += t * v[i];
  }
  const double det = ss * aa - sa * sa;
  if (!(std::abs(det) > 0)) return {0, 0, std::numeric_limits<double>::infinity()};
  const double S = (sy * aa - ay * sa) / det, A = (ay * ss - sy * sa) / det;
  double r2 = 0;
  for (std::size_t i = 0; i < f.size(); ++i) {
    const double r = v[i] - lorentzian_line(f[i], f_r, a, S, A);
    r2 += r * r;
  }
  return {S, A, r2};
}

}  // namespace

LineShapeFit fit_line_shape(const std::vector<double>& frequency, const std::vector<double>& voltage) {
  const std::size_t n = frequency.size();
  if (n < 5 || voltage.size() != n)
    throw std::invalid_argument("fit_line_shape: need at least 5 (frequency, voltage) points of equal count, got " +
                                std::to_string(n) + " and " + std::to_string(voltage.size()));
  const auto [lo, hi] = std::minmax_element(frequency.begin(), frequency.end());
  const double span = *hi - *lo;
  double spacing = span;
  std::vector<double> sorted = frequency;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 1; i < n; ++i)
    if (sorted[i] > sorted[i - 1]) spacing = std::min(spacing, sorted[i] - sorted[i - 1]);

  // Start: (f_r, a) on a grid (every data frequency and midpoints x 40 widths from the spacing / 2
  // to the span), amplitudes by linear least squares; the smallest residual wins.
  LineShapeFit fit;
  double best = std::numeric_limits<double>::infinity();
  double f_r = sorted[n / 2], a = span / 4;
  for (std::size_t i = 0; i + 1 < 2 * n; ++i) {
    const double candidate = i % 2 == 0 ? sorted[i / 2] : 0.5 * (sorted[i / 2] + sorted[i / 2 + 1]);
    for (int w = 0; w < 40; ++w) {
      const double width = 0.5 * spacing * std::pow(2.0 * span / spacing, w / 39.0);
      const LinearSolution s = solve_amplitudes(frequency, voltage, candidate, width);
      if (s.residual2 < best) best = s.residual2, f_r = candidate, a = width;
    }
  }
  const LinearSolution start = solve_amplitudes(frequency, voltage, f_r, a);
  Eigen::Vector4d x(f_r, a, start.symmetric, start.antisymmetric);

  // Levenberg-Marquardt (Marquardt's scaling of the diagonal). Residual r_i = V_i - L(f_i; x).
  auto residuals = [&](const Eigen::Vector4d& p, Eigen::VectorXd& r, Eigen::MatrixXd* jacobian) {
    r.resize(static_cast<Eigen::Index>(n));
    if (jacobian) jacobian->resize(static_cast<Eigen::Index>(n), 4);
    for (std::size_t i = 0; i < n; ++i) {
      const double d = frequency[i] - p[0], w = p[1], q = 1.0 / (w * w + d * d);
      const double num = p[2] * w * w + p[3] * w * d;
      r[static_cast<Eigen::Index>(i)] = voltage[i] - num * q;
      if (jacobian) {
        // dL/df_r = -dL/dd;  dL/dd = (V_A w) q - num 2 d q^2;  dL/dw = (2 V_S w + V_A d) q - num 2 w q^2
        const double dL_dd = p[3] * w * q - num * 2.0 * d * q * q;
        const double dL_dw = (2.0 * p[2] * w + p[3] * d) * q - num * 2.0 * w * q * q;
        const Eigen::Index row = static_cast<Eigen::Index>(i);
        (*jacobian)(row, 0) = dL_dd;  // d r / d f_r = +dL/dd
        (*jacobian)(row, 1) = -dL_dw;
        (*jacobian)(row, 2) = -w * w * q;
        (*jacobian)(row, 3) = -w * d * q;
      }
    }
  };
  Eigen::VectorXd r;
  Eigen::MatrixXd J;
  residuals(x, r, &J);
  double cost = r.squaredNorm();
  double lambda = 1e-3;
  int iteration = 0;
  for (; iteration < 200; ++iteration) {
    const Eigen::Matrix4d JTJ = J.transpose() * J;
    const Eigen::Vector4d g = J.transpose() * r;
    Eigen::Matrix4d A = JTJ;
    for (int k = 0; k < 4; ++k) A(k, k) += lambda * std::max(JTJ(k, k), 1e-300);
    const Eigen::Vector4d step = A.ldlt().solve(-g);
    Eigen::Vector4d trial = x + step;
    if (trial[1] <= 0) trial[1] = 0.5 * x[1];
    Eigen::VectorXd r_trial;
    residuals(trial, r_trial, nullptr);
    const double trial_cost = r_trial.squaredNorm();
    if (trial_cost < cost) {
      const double relative = (cost - trial_cost) / std::max(cost, 1e-300);
      x = trial;
      residuals(x, r, &J);
      cost = trial_cost;
      lambda = std::max(lambda / 10, 1e-12);
      if (relative < 1e-14 || step.cwiseAbs().maxCoeff() <= 1e-13 * x.cwiseAbs().maxCoeff()) {
        fit.converged = true;
        break;
      }
    } else {
      lambda *= 10;
      if (lambda > 1e12) {
        fit.converged = true;  // no direction lowers the cost any more: a minimum to rounding
        break;
      }
    }
  }
  fit.resonance = x[0];
  fit.half_width = x[1];
  fit.symmetric = x[2];
  fit.antisymmetric = x[3];
  fit.rms_residual = std::sqrt(cost / static_cast<double>(n));
  fit.iterations = iteration;
  return fit;
}

double calibrate_sensitivity(const std::vector<double>& frequency, const std::vector<double>& voltage_per_watt,
                             double resonance, double alpha) {
  if (frequency.empty() || voltage_per_watt.size() != frequency.size())
    throw std::invalid_argument("calibrate_sensitivity: need equal, non-zero numbers of frequencies and voltages");
  const double a = alpha * resonance;
  double gy = 0, gg = 0;
  for (std::size_t i = 0; i < frequency.size(); ++i) {
    const double d = frequency[i] - resonance;
    const double g = 2.0 * a * d / (a * a + d * d);
    gy += g * voltage_per_watt[i];
    gg += g * g;
  }
  if (!(gg > 0)) throw std::invalid_argument("calibrate_sensitivity: every frequency sits on the resonance");
  return gy / gg;
}

std::vector<double> measure_chain_voltage(const std::vector<SpinDiodeChain>& chains, const std::vector<RfTone>& tones,
                                          const SpinDiodeMeasurement& measurement) {
  std::vector<SpinDiodeDevice> devices;
  std::vector<std::size_t> owner;
  for (std::size_t c = 0; c < chains.size(); ++c) {
    const SpinDiodeChain& chain = chains[c];
    if (!chain.orientation.empty() && chain.orientation.size() != chain.junctions.size())
      throw RunError("chain " + std::to_string(c) + ": " + std::to_string(chain.orientation.size()) +
                     " orientations for " + std::to_string(chain.junctions.size()) + " junctions");
    for (std::size_t k = 0; k < chain.junctions.size(); ++k) {
      const int s = chain.orientation.empty() ? (k % 2 == 0 ? 1 : -1) : chain.orientation[k];
      devices.push_back({chain.junctions[k], tones, s});
      owner.push_back(c);
    }
  }
  const std::vector<double> v = measure_rectified_voltage(devices, measurement);
  std::vector<double> out(chains.size(), 0.0);
  for (std::size_t i = 0; i < v.size(); ++i) out[owner[i]] += v[i];
  return out;
}

}  // namespace spinnet
