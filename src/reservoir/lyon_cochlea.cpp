// Lyon's passive cochlear model (lyon_cochlea.hpp).
#include "spinnet/reservoir/lyon_cochlea.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <stdexcept>

namespace spinnet {
namespace {

constexpr double pi = 3.14159265358979323846;

/// The pole (or zero) pair of a resonance at f with quality q: 1 - 2 rho cos(theta) z^-1 + rho^2 z^-2,
/// rho = exp(-pi f / (q fs)), theta = 2 pi (f / fs) sqrt(1 - 1 / (4 q^2)) (Slaney, SecondOrderFilter).
std::array<double, 3> second_order(double f, double q, double sample_rate) {
  const double cft = f / sample_rate;
  const double rho = std::exp(-pi * cft / q);
  const double theta = 2 * pi * cft * std::sqrt(std::max(0.0, 1 - 1 / (4 * q * q)));
  return {1.0, -2 * rho * std::cos(theta), rho * rho};
}

/// 1 - exp(-1 / (tau fs)): the one-pole smoothing coefficient of time constant tau.
double epsilon_from_tau(double tau, double sample_rate) { return 1 - std::exp(-1 / (tau * sample_rate)); }

struct BiquadState {
  double x1 = 0, x2 = 0, y1 = 0, y2 = 0;
  double step(const Biquad& f, double x) {
    const double y = f.a0 * x + f.a1 * x1 + f.a2 * x2 - f.b1 * y1 - f.b2 * y2;
    x2 = x1, x1 = x, y2 = y1, y1 = y;
    return y;
  }
};

}  // namespace

double Biquad::gain(double f, double sample_rate) const {
  const std::complex<double> z = std::polar(1.0, 2 * pi * f / sample_rate);
  return std::abs((a0 * z * z + a1 * z + a2) / (z * z + b1 * z + b2));
}

void Biquad::set_gain(double desired, double f, double sample_rate) {
  const double old = gain(f, sample_rate);
  a0 *= desired / old, a1 *= desired / old, a2 *= desired / old;
}

LyonFilterBank design_lyon_filters(double sample_rate, const LyonOptions& o) {
  if (!(sample_rate > 0) || !(o.ear_q > 0.5) || !(o.step_factor > 0))
    throw std::invalid_argument("design_lyon_filters: sample rate > 0, ear_q > 1/2, step_factor > 0");
  const double eb = o.break_frequency_Hz;
  const auto bandwidth = [&](double f) { return std::sqrt(f * f + eb * eb) / o.ear_q; };
  LyonFilterBank bank;
  // The top place frequency leaves room below Nyquist for the first stage's zero.
  double top = sample_rate / 2;
  top = top - bandwidth(top) * o.step_factor * o.zero_offset + bandwidth(top) * o.step_factor;
  bank.top_frequency = top;
  // Channels down to where the pole quality CF / BW falls to 1/2.
  const double low = eb / std::sqrt(4 * o.ear_q * o.ear_q - 1);
  const double c = top + std::sqrt(top * top + eb * eb);
  const int channels = static_cast<int>(
      std::floor(o.ear_q * (std::log(c) - std::log(low + std::sqrt(low * low + eb * eb))) / o.step_factor));
  if (channels < 2) throw std::invalid_argument("design_lyon_filters: fewer than two channels at this sample rate");
  for (int n = 1; n <= channels; ++n) {
    const double e = std::exp(n * o.step_factor / o.ear_q);
    const double cf = (c / e - eb * eb * e / c) / 2;
    bank.centre_frequency.push_back(cf);
    bank.bandwidth.push_back(bandwidth(cf));
  }
  for (int n = 0; n < channels; ++n) {
    const double cf = bank.centre_frequency[static_cast<std::size_t>(n)], bw = bank.bandwidth[static_cast<std::size_t>(n)];
    const double zero_cf = cf + bw * o.step_factor * o.zero_offset;
    const auto zeros = second_order(zero_cf, o.sharpness * zero_cf / bw, sample_rate);
    const auto poles = second_order(cf, cf / bw, sample_rate);
    Biquad stage{zeros[0], zeros[1], zeros[2], poles[1], poles[2]};
    const std::size_t k = static_cast<std::size_t>(n);
    const double dc_gain = n == 0 ? bank.centre_frequency[0] / bank.centre_frequency[1]
                                  : bank.centre_frequency[k - 1] / bank.centre_frequency[k];
    stage.set_gain(dc_gain, 0, sample_rate);
    bank.stages.push_back(stage);
  }
  // The outer and middle ear: pre-emphasis (a delayed zero at the corner) and a resonator at the
  // top frequency with zeros at DC and Nyquist, each with unit gain at fs / 4.
  bank.ear[0] = Biquad{0, 1, -std::exp(-2 * pi * o.preemphasis_corner_Hz / sample_rate), 0, 0};
  bank.ear[0].set_gain(1, sample_rate / 4, sample_rate);
  const auto top_poles = second_order(top, bank.centre_frequency[0] / bank.bandwidth[0], sample_rate);
  bank.ear[1] = Biquad{1, 0, -1, top_poles[1], top_poles[2]};
  bank.ear[1].set_gain(1, sample_rate / 4, sample_rate);
  return bank;
}

Eigen::MatrixXd lyon_passive_ear(const std::vector<float>& x, double sample_rate, const LyonOptions& o) {
  const LyonFilterBank bank = design_lyon_filters(sample_rate, o);
  const int channels = static_cast<int>(bank.stages.size());
  const int decimation = o.hop_ms > 0 ? std::max(1, static_cast<int>(std::lround(o.hop_ms * sample_rate / 1000))) : 1;
  const auto samples = static_cast<std::ptrdiff_t>(x.size());
  const std::ptrdiff_t frames = std::max<std::ptrdiff_t>(1, samples / decimation);
  Eigen::MatrixXd out = Eigen::MatrixXd::Zero(frames, channels);

  std::array<BiquadState, 2> ear_state{};
  std::vector<BiquadState> stage_state(static_cast<std::size_t>(channels));
  // Compression stages (Slaney TR #13).
  constexpr int agc_stages = 4;
  const double agc_tau[agc_stages] = {0.64, 0.16, 0.04, 0.01};
  const double agc_target[agc_stages] = {0.0032, 0.0016, 0.0008, 0.0004};
  double agc_epsilon[agc_stages];
  for (int j = 0; j < agc_stages; ++j) agc_epsilon[j] = epsilon_from_tau(agc_tau[j], sample_rate);
  std::vector<std::vector<double>> agc_state(agc_stages, std::vector<double>(static_cast<std::size_t>(channels), 0.0));
  constexpr double state_limit = 0.9;
  // Decimation: two real poles at 1 - eps, unit DC gain.
  Biquad smoothing;
  if (o.hop_ms > 0) {
    const double eps = epsilon_from_tau(decimation / sample_rate * o.tau_factor, sample_rate);
    smoothing = Biquad{0, 0, 1, -2 * (1 - eps), (1 - eps) * (1 - eps)};
    smoothing.set_gain(1, 0, sample_rate);
  }
  std::vector<BiquadState> smoothing_state(static_cast<std::size_t>(channels));

  std::vector<double> level(static_cast<std::size_t>(channels)), stage_out(static_cast<std::size_t>(channels));
  for (std::ptrdiff_t i = 0; i < samples; ++i) {
    double v = ear_state[0].step(bank.ear[0], x[static_cast<std::size_t>(i)]);
    v = ear_state[1].step(bank.ear[1], v);
    for (int n = 0; n < channels; ++n) {
      v = stage_state[static_cast<std::size_t>(n)].step(bank.stages[static_cast<std::size_t>(n)], v);
      level[static_cast<std::size_t>(n)] = std::max(0.0, v);  // half-wave rectification
    }
    if (o.agc) {
      for (int j = 0; j < agc_stages; ++j) {
        std::vector<double>& state = agc_state[static_cast<std::size_t>(j)];
        const double eps_over_target = agc_epsilon[j] / agc_target[j];
        const double spread = (1 - agc_epsilon[j]) / 3;
        double previous = state[0];
        for (int n = 0; n < channels; ++n) {
          const std::size_t k = static_cast<std::size_t>(n);
          level[k] = std::abs(level[k] * (1 - state[k]));
          const double next = n + 1 < channels ? state[k + 1] : state[k];
          const double updated = std::min(state_limit, level[k] * eps_over_target + spread * (previous + state[k] + next));
          previous = state[k];
          state[k] = updated;
        }
      }
    }
    if (o.differ) {
      for (int n = 0; n < channels; ++n) stage_out[static_cast<std::size_t>(n)] = level[static_cast<std::size_t>(n)];
      for (int n = 1; n < channels; ++n)
        level[static_cast<std::size_t>(n)] =
            std::max(0.0, stage_out[static_cast<std::size_t>(n) - 1] - stage_out[static_cast<std::size_t>(n)]);
    }
    if (o.hop_ms > 0) {
      for (int n = 0; n < channels; ++n)
        level[static_cast<std::size_t>(n)] = smoothing_state[static_cast<std::size_t>(n)].step(smoothing, level[static_cast<std::size_t>(n)]);
      if ((i + 1) % decimation == 0 && (i + 1) / decimation - 1 < frames)
        for (int n = 0; n < channels; ++n) out((i + 1) / decimation - 1, n) = level[static_cast<std::size_t>(n)];
    } else {
      for (int n = 0; n < channels; ++n) out(i, n) = level[static_cast<std::size_t>(n)];
    }
  }
  return out;
}

}  // namespace spinnet
