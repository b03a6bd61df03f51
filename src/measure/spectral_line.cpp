// Spectral line analysis: the strongest peak of a PSD, its half-maximum width and a Lorentzian fit.

// GCC 12 flags _mm512_undefined_pd inside Eigen's AVX-512 reductions as maybe-uninitialized (GCC
// bug 105593, fixed in GCC 13); the pragma must precede the first include of the intrinsics.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "spinnet/measure/spectral_line.hpp"

#include "measure/number_text.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <numbers>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace spinnet {

namespace {

using detail::number_text;

}  // namespace

std::string to_string(FitQuality quality) {
  switch (quality) {
    case FitQuality::good: return "good";
    case FitQuality::unresolved: return "unresolved";
    case FitQuality::not_converged: return "not_converged";
    case FitQuality::too_few_points: return "too_few_points";
    case FitQuality::invalid: return "invalid";
  }
  return "?";
}

double LorentzianFit::power() const { return std::numbers::pi / 2 * amplitude * fwhm; }

double LorentzianFit::operator()(double f) const {
  const double u = 2 * (f - center) / fwhm;
  return amplitude / (1 + u * u) + background;
}

namespace {

void check_spectrum(std::span<const double> frequency, std::span<const double> density, std::size_t min_bins) {
  if (frequency.size() != density.size()) {
    throw std::invalid_argument("spectral line: " + std::to_string(frequency.size()) + " frequencies but " +
                                std::to_string(density.size()) + " density values");
  }
  if (density.size() < min_bins) {
    throw std::invalid_argument("spectral line: the spectrum needs at least " + std::to_string(min_bins) +
                                " bins, got " + std::to_string(density.size()));
  }
  if (!(frequency[1] > frequency[0])) {
    throw std::invalid_argument("spectral line: frequencies must increase, got f[0] = " + number_text(frequency[0]) +
                                ", f[1] = " + number_text(frequency[1]));
  }
}

/// Parameters of the Lorentzian in the fit's scaled units: x = (f - f_ref) / f_scale,
/// y = S / s_scale; p = (center, fwhm, amplitude, background).
using Parameters = Eigen::Vector4d;

struct LeastSquares {
  Parameters p;
  Eigen::Matrix4d normal;  // J^T W J at p
  double cost = 0;         // sum W r^2
  int iterations = 0;
  bool converged = false;
};

double lorentzian(const Parameters& p, double x) {
  const double u = 2 * (x - p[0]) / p[1];
  return p[2] / (1 + u * u) + p[3];
}

/// Residuals r = model - y and Jacobian d model / d p (derivatives of A / (1 + u^2) + B with
/// u = 2 (x - f0) / w: d/df0 = 4 A u / (w (1+u^2)^2), d/dw = 2 A u^2 / (w (1+u^2)^2)).
void evaluate(const Parameters& p, const Eigen::VectorXd& x, const Eigen::VectorXd& y, Eigen::VectorXd& r,
              Eigen::MatrixXd* jacobian) {
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    const double u = 2 * (x[i] - p[0]) / p[1];
    const double shape = 1 / (1 + u * u);
    r[i] = p[2] * shape + p[3] - y[i];
    if (jacobian) {
      const double slope = p[2] * shape * shape / p[1];
      (*jacobian)(i, 0) = 4 * u * slope;
      (*jacobian)(i, 1) = 2 * u * u * slope;
      (*jacobian)(i, 2) = shape;
      (*jacobian)(i, 3) = 1;
    }
  }
}

/// Levenberg-Marquardt with Marquardt's diagonal scaling (Numerical Recipes 3rd ed., sec. 15.5.2).
/// Steps to a non-positive width or amplitude are rejected like steps that raise the cost.
LeastSquares levenberg_marquardt(const Eigen::VectorXd& x, const Eigen::VectorXd& y, const Eigen::VectorXd& weight,
                                 Parameters p, int max_iterations) {
  const Eigen::Index n = x.size();
  Eigen::VectorXd r(n), r_trial(n);
  Eigen::MatrixXd jacobian(n, 4);
  evaluate(p, x, y, r, &jacobian);
  double cost = weight.dot(r.cwiseProduct(r));
  double lambda = 1e-3;
  LeastSquares out;
  for (out.iterations = 1; out.iterations <= max_iterations; ++out.iterations) {
    const Eigen::MatrixXd weighted = weight.asDiagonal() * jacobian;
    const Eigen::Matrix4d normal = jacobian.transpose() * weighted;
    const Parameters gradient = weighted.transpose() * r;
    bool accepted = false;
    while (!accepted && lambda < 1e16) {
      Eigen::Matrix4d damped = normal;
      for (int j = 0; j < 4; ++j) damped(j, j) += lambda * std::max(normal(j, j), 1e-300);
      const Parameters step = damped.ldlt().solve(-gradient);
      const Parameters trial = p + step;
      if (!step.allFinite() || !(trial[1] > 0) || !(trial[2] > 0)) {
        lambda *= 10;
        continue;
      }
      evaluate(trial, x, y, r_trial, nullptr);
      const double trial_cost = weight.dot(r_trial.cwiseProduct(r_trial));
      if (!(trial_cost < cost)) {
        lambda *= 10;
        continue;
      }
      accepted = true;
      const bool small_gain = cost - trial_cost <= 1e-12 * cost;
      const bool small_step = (step.cwiseAbs().array() <= 1e-10 * (p.cwiseAbs().array() + 1e-10)).all();
      p = trial;
      cost = trial_cost;
      lambda = std::max(lambda / 10, 1e-12);
      evaluate(p, x, y, r, &jacobian);
      if (small_gain || small_step) out.converged = true;
    }
    // No step lowers the cost any more: p is the minimum to working precision.
    if (!accepted) out.converged = true;
    if (out.converged) break;
  }
  out.iterations = std::min(out.iterations, max_iterations);
  out.p = p;
  out.cost = cost;
  out.normal = jacobian.transpose() * weight.asDiagonal() * jacobian;
  return out;
}

double median(std::vector<double> values) {
  const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), middle, values.end());
  if (values.size() % 2 == 1) return *middle;
  return 0.5 * (*middle + *std::max_element(values.begin(), middle));
}

}  // namespace

double half_maximum_width(std::span<const double> frequency, std::span<const double> density, std::size_t peak_bin,
                          double peak_value, double background) {
  check_spectrum(frequency, density, 2);
  if (peak_bin >= density.size()) {
    throw std::invalid_argument("half_maximum_width: peak_bin " + std::to_string(peak_bin) + " is past the " +
                                std::to_string(density.size()) + " bins");
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (!(peak_value > background)) return nan;
  const double level = background + 0.5 * (peak_value - background);
  // Crossing between bins a and b (density[a] on one side of level, density[b] on the other).
  auto crossing = [&](std::size_t a, std::size_t b) {
    return frequency[a] + (level - density[a]) / (density[b] - density[a]) * (frequency[b] - frequency[a]);
  };
  double low = nan, high = nan;
  for (std::size_t j = peak_bin; j-- > 0;) {
    if (density[j] < level) {
      low = crossing(j, j + 1);
      break;
    }
  }
  for (std::size_t j = peak_bin + 1; j < density.size(); ++j) {
    if (density[j] < level) {
      high = crossing(j - 1, j);
      break;
    }
  }
  return high - low;
}

LorentzianFit fit_lorentzian(std::span<const double> frequency, std::span<const double> density, double fit_low,
                             double fit_high, const LorentzianFit& guess, bool relative_weights, int max_iterations) {
  check_spectrum(frequency, density, 2);
  const double bin = frequency[1] - frequency[0];
  LorentzianFit fit = guess;
  fit.fit_low = fit_low;
  fit.fit_high = fit_high;
  fit.iterations = 0;
  fit.center_error = fit.fwhm_error = fit.amplitude_error = fit.background_error = 0;

  std::vector<std::size_t> bins;
  for (std::size_t k = 0; k < frequency.size(); ++k) {
    if (frequency[k] >= fit_low && frequency[k] <= fit_high) bins.push_back(k);
  }
  fit.points = bins.size();
  constexpr std::size_t min_points = 6;
  if (bins.size() < min_points) {
    fit.quality = FitQuality::too_few_points;
    return fit;
  }

  // Scaled units keep the normal matrix well conditioned (f ~ GHz, S ~ 1e-12 /Hz in SI).
  const double f_scale = guess.fwhm > 0 ? guess.fwhm : (fit_high - fit_low) / 10;
  const double f_ref = guess.center;
  double s_scale = 0;
  for (const std::size_t k : bins) s_scale = std::max(s_scale, std::abs(density[k]));
  if (!(s_scale > 0)) s_scale = 1;
  const auto n = static_cast<Eigen::Index>(bins.size());
  Eigen::VectorXd x(n), y(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    x[i] = (frequency[bins[static_cast<std::size_t>(i)]] - f_ref) / f_scale;
    y[i] = density[bins[static_cast<std::size_t>(i)]] / s_scale;
  }
  Parameters p(0, guess.fwhm > 0 ? guess.fwhm / f_scale : 1, guess.amplitude / s_scale, guess.background / s_scale);
  if (!(p[2] > 0)) p[2] = y.maxCoeff() - y.minCoeff();
  if (!(p[2] > 0)) p[2] = 1;

  LeastSquares result = levenberg_marquardt(x, y, Eigen::VectorXd::Ones(n), p, max_iterations);
  int iterations = result.iterations;
  if (relative_weights) {
    // A Welch estimate scatters in proportion to its mean: weight 1 / S_model^2, model from pass 1.
    Eigen::VectorXd weight(n);
    bool usable = true;
    for (Eigen::Index i = 0; i < n; ++i) {
      const double model = lorentzian(result.p, x[i]);
      usable = usable && model > 0;
      weight[i] = model > 0 ? 1 / (model * model) : 0;
    }
    if (usable) {
      result = levenberg_marquardt(x, y, weight, result.p, max_iterations);
      iterations += result.iterations;
    }
  }

  fit.center = f_ref + result.p[0] * f_scale;
  fit.fwhm = result.p[1] * f_scale;
  fit.amplitude = result.p[2] * s_scale;
  fit.background = result.p[3] * s_scale;
  fit.iterations = iterations;
  // Covariance s^2 (J^T W J)^-1 with s^2 = cost / (n - 4): the scatter measured by the residuals.
  const Eigen::Matrix4d covariance = result.normal.inverse() * (result.cost / static_cast<double>(n - 4));
  const Eigen::Vector4d errors = covariance.diagonal().cwiseMax(0).cwiseSqrt();
  fit.center_error = errors[0] * f_scale;
  fit.fwhm_error = errors[1] * f_scale;
  fit.amplitude_error = errors[2] * s_scale;
  fit.background_error = errors[3] * s_scale;

  const bool physical = std::isfinite(fit.center) && fit.fwhm > 0 && fit.amplitude > 0 && fit.center >= fit_low &&
                        fit.center <= fit_high;
  if (!physical) fit.quality = FitQuality::invalid;
  else if (!result.converged) fit.quality = FitQuality::not_converged;
  else if (fit.fwhm < 4 * bin) fit.quality = FitQuality::unresolved;
  else fit.quality = FitQuality::good;
  return fit;
}

SpectralLine analyze_line(std::span<const double> frequency, std::span<const double> density,
                          const LineOptions& options) {
  check_spectrum(frequency, density, 3);
  const double bin = frequency[1] - frequency[0];
  const std::size_t size = density.size();

  // Search range [first, last]; the DC bin holds what mean removal left and is no line.
  std::size_t first = 0;
  while (first < size && (frequency[first] < options.frequency_min || (first == 0 && options.frequency_min >= 0))) {
    ++first;
  }
  std::size_t last = size;
  while (last > first && frequency[last - 1] > options.frequency_max) --last;
  if (first >= last) {
    throw std::invalid_argument("spectral line: no bin in the search range [" + number_text(options.frequency_min) + ", " +
                                number_text(options.frequency_max) + "] Hz");
  }
  --last;

  SpectralLine line;
  line.peak_bin = first;
  for (std::size_t k = first; k <= last; ++k) {
    if (density[k] > density[line.peak_bin]) line.peak_bin = k;
  }
  const std::size_t p = line.peak_bin;
  line.background = median(std::vector<double>(density.begin() + static_cast<std::ptrdiff_t>(first),
                                               density.begin() + static_cast<std::ptrdiff_t>(last) + 1));

  // Peak: parabola through the logarithm of the three bins (exact for a Gaussian line, and
  // several times less biased than a parabola through S itself for a Hann-windowed tone).
  line.peak_frequency = frequency[p];
  line.peak_density = density[p];
  if (p > 0 && p + 1 < size) {
    const double left = density[p - 1], middle = density[p], right = density[p + 1];
    const bool logarithmic = left > 0 && middle > 0 && right > 0;
    const double a = logarithmic ? std::log(left) : left;
    const double b = logarithmic ? std::log(middle) : middle;
    const double c = logarithmic ? std::log(right) : right;
    const double curvature = a - 2 * b + c;
    if (curvature < 0) {
      const double offset = std::clamp(0.5 * (a - c) / curvature, -1.0, 1.0);
      const double top = b - 0.25 * (a - c) * offset;
      line.peak_frequency = frequency[p] + offset * bin;
      line.peak_density = logarithmic ? std::exp(top) : top;
    }
  }

  line.half_maximum_fwhm = half_maximum_width(frequency, density, p, line.peak_density, line.background);
  const bool have_width = std::isfinite(line.half_maximum_fwhm) && line.half_maximum_fwhm > 0;

  const double integration_half =
      std::max(have_width ? options.integration_half_width_linewidths * line.half_maximum_fwhm : 0.0,
               static_cast<double>(options.integration_min_bins) * bin);
  line.integration_low = line.peak_frequency - integration_half;
  line.integration_high = line.peak_frequency + integration_half;
  for (std::size_t k = 0; k < size; ++k) {
    if (frequency[k] >= line.integration_low && frequency[k] <= line.integration_high) {
      line.integrated_power += (density[k] - line.background) * bin;
    }
  }

  LorentzianFit guess;
  guess.center = line.peak_frequency;
  guess.fwhm = have_width ? line.half_maximum_fwhm : 2 * bin;
  guess.amplitude = line.peak_density - line.background;
  guess.background = line.background;
  const double fit_half = std::max(options.fit_half_width_linewidths * guess.fwhm, 4 * bin);
  line.fit = fit_lorentzian(frequency, density, guess.center - fit_half, guess.center + fit_half, guess,
                            options.relative_weights, options.max_iterations);
  return line;
}

SpectralLine analyze_line(const PowerSpectrum& spectrum, const LineOptions& options) {
  return analyze_line(spectrum.frequency, spectrum.density, options);
}

}  // namespace spinnet
