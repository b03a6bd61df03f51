// Welch PSD (FFTW on the CPU, cuFFT through kernels/measure/spectrum_cuda.cu) and spectral line analysis.
// Segmentation, window and normalization are computed here once for both backends; a backend only
// sums raw periodograms |X_k|^2 over segments.

// GCC 12 flags _mm512_undefined_pd inside Eigen's AVX-512 reductions as maybe-uninitialized (GCC
// bug 105593, fixed in GCC 13); the pragma must precede the first include of the intrinsics.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "spinnet/measure/spectrum.hpp"

#include <fftw3.h>
#include <omp.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <exception>
#include <mutex>
#include <numbers>
#include <sstream>
#include <stdexcept>

#include "spinnet/core/errors.hpp"

#if defined(SPINNET_HAVE_CUDA)
#include "kernels/measure/spectrum_cuda.hpp"
#endif

namespace spinnet {
namespace {

std::string number(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

/// Where the segments of one signal lie.
struct Segmentation {
  std::size_t signal_length = 0;
  std::size_t segment_length = 0;
  std::size_t hop = 0;
  std::size_t segments = 0;
  std::size_t bins = 0;
};

Segmentation segment(std::size_t signal_length, double dt, const WelchOptions& options) {
  constexpr std::size_t max_segment_length = std::size_t{1} << 30;  // FFTW and cuFFT take int sizes
  if (!(dt > 0) || !std::isfinite(dt)) {
    throw std::invalid_argument("Welch PSD: dt must be a positive, finite sample interval in seconds, got " +
                                number(dt));
  }
  if (!(options.overlap >= 0 && options.overlap < 1)) {
    throw std::invalid_argument("Welch PSD: overlap must be a fraction in [0, 1), got " + number(options.overlap));
  }
  if (options.segment_length < 2 || options.segment_length > max_segment_length) {
    throw std::invalid_argument("Welch PSD: segment_length must be between 2 and 2^30 samples, got " +
                                std::to_string(options.segment_length));
  }
  if (options.segment_length > signal_length) {
    throw std::invalid_argument("Welch PSD: segment_length " + std::to_string(options.segment_length) +
                                " is longer than the signal (" + std::to_string(signal_length) +
                                " samples); use a shorter segment or a longer signal");
  }
  Segmentation g;
  g.signal_length = signal_length;
  g.segment_length = options.segment_length;
  const auto shared = static_cast<std::size_t>(std::llround(options.overlap * static_cast<double>(g.segment_length)));
  g.hop = std::max<std::size_t>(1, g.segment_length - std::min(shared, g.segment_length));
  g.segments = (signal_length - g.segment_length) / g.hop + 1;
  g.bins = g.segment_length / 2 + 1;
  return g;
}

// --- CPU backend --------------------------------------------------------------------------------

/// FFTW's planner is not thread-safe: plans are made and destroyed under this lock; executing a
/// plan on other arrays (fftw_execute_dft_r2c) is safe from any thread.
std::mutex& fftw_planner_lock() {
  static std::mutex lock;
  return lock;
}

class RealFftPlan {
 public:
  explicit RealFftPlan(std::size_t length) {
    const std::lock_guard<std::mutex> guard(fftw_planner_lock());
    double* in = fftw_alloc_real(length);
    fftw_complex* out = fftw_alloc_complex(length / 2 + 1);
    if (in && out) plan_ = fftw_plan_dft_r2c_1d(static_cast<int>(length), in, out, FFTW_ESTIMATE);
    fftw_free(in);
    fftw_free(out);
    if (!plan_) throw RunError("Welch PSD: FFTW could not plan a transform of " + std::to_string(length) + " samples");
  }
  ~RealFftPlan() {
    const std::lock_guard<std::mutex> guard(fftw_planner_lock());
    fftw_destroy_plan(plan_);
  }
  RealFftPlan(const RealFftPlan&) = delete;
  RealFftPlan& operator=(const RealFftPlan&) = delete;
  fftw_plan get() const { return plan_; }

 private:
  fftw_plan plan_ = nullptr;
};

/// One thread's FFT arrays, allocated with fftw_malloc so they have the alignment the plan expects.
class FftWorkspace {
 public:
  explicit FftWorkspace(std::size_t length)
      : in_(fftw_alloc_real(length)), out_(fftw_alloc_complex(length / 2 + 1)) {
    if (!in_ || !out_) {
      fftw_free(in_);
      fftw_free(out_);
      throw std::bad_alloc();
    }
  }
  ~FftWorkspace() {
    fftw_free(in_);
    fftw_free(out_);
  }
  FftWorkspace(const FftWorkspace&) = delete;
  FftWorkspace& operator=(const FftWorkspace&) = delete;
  double* in() const { return in_; }
  fftw_complex* out() const { return out_; }

 private:
  double* in_;
  fftw_complex* out_;
};

/// Segments are summed in blocks of fixed size, blocks in order, so that a signal's sums do not
/// depend on whether its blocks ran on one thread or many (batch row == single signal, bit for bit).
std::size_t segments_per_block(std::size_t segments) {
  constexpr std::size_t max_blocks = 256;  // bounds the partial sums kept per signal
  return std::max<std::size_t>(16, (segments + max_blocks - 1) / max_blocks);
}

/// partial[k] = sum over segments [first, end) of |X_k|^2.
template <class T>
void periodogram_block(const T* signal, const Segmentation& g, std::size_t first, std::size_t end,
                       const std::vector<double>& window, const RealFftPlan& plan, const FftWorkspace& work,
                       double* partial) {
  std::fill(partial, partial + g.bins, 0.0);
  double* in = work.in();
  const fftw_complex* out = work.out();
  for (std::size_t s = first; s < end; ++s) {
    const T* x = signal + s * g.hop;
    double sum = 0;
    for (std::size_t n = 0; n < g.segment_length; ++n) sum += static_cast<double>(x[n]);
    const double mean = sum / static_cast<double>(g.segment_length);
    for (std::size_t n = 0; n < g.segment_length; ++n) in[n] = (static_cast<double>(x[n]) - mean) * window[n];
    fftw_execute_dft_r2c(plan.get(), in, work.out());
    for (std::size_t k = 0; k < g.bins; ++k) partial[k] += out[k][0] * out[k][0] + out[k][1] * out[k][1];
  }
}

/// Runs body(i) for i in [0, count) on `threads` OpenMP threads, each with its own FftWorkspace
/// and a partial-sum row; rethrows the first exception on the calling thread.
template <class Body>
void parallel_with_workspace(std::size_t count, int threads, const Segmentation& g, Body body) {
  std::exception_ptr failure;
#pragma omp parallel num_threads(threads)
  {
    try {
      FftWorkspace work(g.segment_length);
      std::vector<double> partial(g.bins);
#pragma omp for schedule(dynamic)
      for (std::ptrdiff_t i = 0; i < static_cast<std::ptrdiff_t>(count); ++i) {
        body(static_cast<std::size_t>(i), work, partial.data());
      }
    } catch (...) {
#pragma omp critical(spinnet_spectrum_failure)
      if (!failure) failure = std::current_exception();
    }
  }
  if (failure) std::rethrow_exception(failure);
}

template <class T>
void cpu_periodogram_sums(const T* signals, std::size_t signal_count, const Segmentation& g,
                          const std::vector<double>& window, int threads, double* sums) {
  const RealFftPlan plan(g.segment_length);
  const std::size_t block = segments_per_block(g.segments);
  const std::size_t blocks = (g.segments + block - 1) / block;
  std::fill(sums, sums + signal_count * g.bins, 0.0);

  if (signal_count >= static_cast<std::size_t>(threads) || blocks == 1) {
    // Enough signals to keep every thread busy: one signal per task.
    parallel_with_workspace(signal_count, threads, g, [&](std::size_t i, const FftWorkspace& work, double* partial) {
      double* row = sums + i * g.bins;
      for (std::size_t b = 0; b < blocks; ++b) {
        periodogram_block(signals + i * g.signal_length, g, b * block, std::min(g.segments, (b + 1) * block), window,
                          plan, work, partial);
        for (std::size_t k = 0; k < g.bins; ++k) row[k] += partial[k];
      }
    });
    return;
  }
  // Few long signals: the blocks of one signal in parallel, then added in block order.
  std::vector<double> partials(blocks * g.bins);
  for (std::size_t i = 0; i < signal_count; ++i) {
    parallel_with_workspace(blocks, threads, g, [&](std::size_t b, const FftWorkspace& work, double*) {
      periodogram_block(signals + i * g.signal_length, g, b * block, std::min(g.segments, (b + 1) * block), window,
                        plan, work, partials.data() + b * g.bins);
    });
    double* row = sums + i * g.bins;
    for (std::size_t b = 0; b < blocks; ++b) {
      for (std::size_t k = 0; k < g.bins; ++k) row[k] += partials[b * g.bins + k];
    }
  }
}

// --- Backend-neutral driver ---------------------------------------------------------------------

template <class T>
PowerSpectrumBatch batch_psd(std::span<const T> signals, std::size_t signal_count, double dt,
                             const WelchOptions& options, const RunOptions& run, bool on_device) {
  if (signal_count == 0) throw std::invalid_argument("Welch PSD: signal_count must be at least 1, got 0");
  if (!on_device && signals.size() % signal_count != 0) {
    throw std::invalid_argument("Welch PSD: " + std::to_string(signals.size()) + " samples do not split into " +
                                std::to_string(signal_count) + " signals of equal length");
  }
  const Segmentation g = segment(signals.size() / signal_count, dt, options);
  const std::vector<double> window = window_values(options.window, g.segment_length);
  const bool use_cuda = on_device || uses_cuda(run.backend);

  PowerSpectrumBatch result;
  result.signals = signal_count;
  result.bins = g.bins;
  result.segments = g.segments;
  result.resolution = 1.0 / (static_cast<double>(g.segment_length) * dt);
  result.density.resize(signal_count * g.bins);
  if (use_cuda) {
#if defined(SPINNET_HAVE_CUDA)
    cuda::welch_periodogram_sums<T>(signals.data(), on_device, signal_count, g.signal_length, g.segment_length, g.hop,
                                    g.segments, window.data(), result.density.data());
    result.backend = "cuda";
#endif
  } else {
    const int threads = run.threads > 0 ? run.threads : omp_get_max_threads();
    cpu_periodogram_sums(signals.data(), signal_count, g, window, threads, result.density.data());
    result.backend = "cpu";
  }

  // One-sided density: S_k = c_k dt / (segments * sum w^2) * sum |X_k|^2 (see spectrum.hpp).
  double window_power = 0;
  for (const double w : window) window_power += w * w;
  const double scale = dt / (static_cast<double>(g.segments) * window_power);
  const bool has_nyquist = g.segment_length % 2 == 0;
  for (std::size_t i = 0; i < signal_count; ++i) {
    double* row = result.density.data() + i * g.bins;
    for (std::size_t k = 0; k < g.bins; ++k) {
      const bool single = k == 0 || (has_nyquist && k == g.bins - 1);
      row[k] *= (single ? 1.0 : 2.0) * scale;
    }
  }
  result.frequency.resize(g.bins);
  for (std::size_t k = 0; k < g.bins; ++k) result.frequency[k] = static_cast<double>(k) * result.resolution;
  return result;
}

template <class T>
PowerSpectrum single_psd(std::span<const T> signal, double dt, const WelchOptions& options, const RunOptions& run) {
  PowerSpectrumBatch batch = batch_psd(signal, 1, dt, options, run, false);
  PowerSpectrum result;
  result.frequency = std::move(batch.frequency);
  result.density = std::move(batch.density);
  result.segments = batch.segments;
  result.resolution = batch.resolution;
  result.backend = std::move(batch.backend);
  return result;
}

}  // namespace

std::vector<double> window_values(Window window, std::size_t length) {
  std::vector<double> w(length, 1.0);
  if (window == Window::hann) {
    // Periodic Hann, sin^2(pi n / L): its copies shifted by L/2 sum to 1 (see spectrum.hpp).
    for (std::size_t n = 0; n < length; ++n) {
      const double s = std::sin(std::numbers::pi * static_cast<double>(n) / static_cast<double>(length));
      w[n] = s * s;
    }
  }
  return w;
}

PowerSpectrum welch_psd(std::span<const double> signal, double dt, const WelchOptions& options,
                        const RunOptions& run) {
  return single_psd(signal, dt, options, run);
}

PowerSpectrum welch_psd(std::span<const float> signal, double dt, const WelchOptions& options, const RunOptions& run) {
  return single_psd(signal, dt, options, run);
}

PowerSpectrumBatch welch_psd_batch(std::span<const double> signals, std::size_t signal_count, double dt,
                                   const WelchOptions& options, const RunOptions& run) {
  return batch_psd(signals, signal_count, dt, options, run, false);
}

PowerSpectrumBatch welch_psd_batch(std::span<const float> signals, std::size_t signal_count, double dt,
                                   const WelchOptions& options, const RunOptions& run) {
  return batch_psd(signals, signal_count, dt, options, run, false);
}

PowerSpectrumBatch welch_psd_batch_on_device(const float* device_signals, std::size_t signal_count,
                                             std::size_t signal_length, double dt, const WelchOptions& options) {
#if defined(SPINNET_HAVE_CUDA)
  if (!cuda_available()) throw RunError("Welch PSD of GPU-resident signals: no CUDA device is visible");
  if (device_signals == nullptr) throw std::invalid_argument("Welch PSD: device_signals is null");
  // A span over device memory: only its size and data pointer are used on the host.
  return batch_psd(std::span<const float>(device_signals, signal_count * signal_length), signal_count, dt, options,
                   RunOptions{}, true);
#else
  (void)device_signals, (void)signal_count, (void)signal_length, (void)dt, (void)options;
  throw RunError("Welch PSD of GPU-resident signals: this spinnet was built without CUDA");
#endif
}

// --- Spectral line analysis ---------------------------------------------------------------------

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
    throw std::invalid_argument("spectral line: frequencies must increase, got f[0] = " + number(frequency[0]) +
                                ", f[1] = " + number(frequency[1]));
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
    throw std::invalid_argument("spectral line: no bin in the search range [" + number(options.frequency_min) + ", " +
                                number(options.frequency_max) + "] Hz");
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
