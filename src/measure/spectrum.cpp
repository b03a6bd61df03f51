// Welch PSD (FFTW on the CPU, cuFFT through kernels/measure/spectrum_cuda.cu); the line analysis is spectral_line.cpp.
// Segmentation, window and normalization are computed here once for both backends; a backend only
// sums raw periodograms |X_k|^2 over segments.

#include "spinnet/measure/spectrum.hpp"

#include "measure/number_text.hpp"

#include <fftw3.h>
#include <omp.h>

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

using detail::number_text;

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
                                number_text(dt));
  }
  if (!(options.overlap >= 0 && options.overlap < 1)) {
    throw std::invalid_argument("Welch PSD: overlap must be a fraction in [0, 1), got " + number_text(options.overlap));
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

}  // namespace spinnet
