// Spectral analysis of emitted signals, as done on spin-torque nano-oscillators in the lab: Welch
// power spectral density (the line's frequency, power and linewidth: spectral_line.hpp).
//
// Conventions (the same on every backend):
//   * The signal is split into segments of `segment_length` samples that start every
//     hop = segment_length - round(overlap * segment_length) samples; trailing samples that do not
//     fill a segment are dropped. Each segment has its own mean removed, is multiplied by the
//     window w[n], and is transformed: X_k = sum_n w[n] (x[n] - mean) exp(-2 pi i k n / L).
//   * One-sided PSD, units signal^2 / Hz, on frequencies f_k = k / (L dt), k = 0 .. L/2:
//         S_k = c_k * dt / (segments * sum_n w[n]^2) * sum_segments |X_k|^2,
//     c_k = 2 except c_0 = 1 and, for even L, c_{L/2} = 1. Then sum_k S_k * df (df = 1 / (L dt))
//     equals the mean over segments of sum_n w^2 (x - mean)^2 / sum_n w^2: the signal's variance
//     (Parseval). White noise of variance sigma^2 has S = 2 sigma^2 dt; a tone A cos(2 pi f t) has
//     integrated power A^2 / 2. This is scipy.signal.welch(..., scaling='density',
//     detrend='constant', return_onesided=True) with a periodic Hann window.
//   * The Hann window is the periodic one, w[n] = sin^2(pi n / L): at 50 % overlap its shifted
//     copies sum to a constant, so every sample is weighted equally in the average.
#pragma once

#include <cstddef>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "spinnet/engine/engine.hpp"

namespace spinnet {

enum class Window { hann, rectangular };

struct WelchOptions {
  std::size_t segment_length = 4096;  // samples per segment (any size; powers of 2 are fastest)
  double overlap = 0.5;               // fraction of a segment shared with the next, in [0, 1)
  Window window = Window::hann;
};

/// One signal's one-sided PSD.
struct PowerSpectrum {
  std::vector<double> frequency;  // Hz, k / (segment_length dt)
  std::vector<double> density;    // signal^2 / Hz
  std::size_t segments = 0;       // number of segments averaged
  double resolution = 0;          // Hz, bin spacing 1 / (segment_length dt)
  std::string backend;            // "cpu" or "cuda"
};

/// The PSDs of many equal-length signals, row-major [signal][bin].
struct PowerSpectrumBatch {
  std::vector<double> frequency;  // Hz, shared by all rows
  std::vector<double> density;    // signal^2 / Hz, density[signal * bins + k]
  std::size_t signals = 0;
  std::size_t bins = 0;           // segment_length / 2 + 1
  std::size_t segments = 0;       // per signal
  double resolution = 0;          // Hz
  std::string backend;

  std::span<const double> row(std::size_t signal) const {
    return std::span<const double>(density).subspan(signal * bins, bins);
  }
};

/// The window's values w[0 .. length).
std::vector<double> window_values(Window window, std::size_t length);

/// Welch PSD of one signal sampled every `dt` seconds. `run.backend` picks CPU (FFTW, double) or
/// CUDA (cuFFT, in the input's precision); automatic uses CUDA when a GPU is visible. `run.threads`
/// caps the CPU threads; `run.progress` is not called. Throws std::invalid_argument for a
/// non-positive or non-finite dt, an overlap outside [0, 1), a segment shorter than 2 samples or
/// longer than the signal; spinnet::RunError when CUDA is asked for and absent, or a CUDA call fails.
PowerSpectrum welch_psd(std::span<const double> signal, double dt, const WelchOptions& options = {},
                        const RunOptions& run = {});
PowerSpectrum welch_psd(std::span<const float> signal, double dt, const WelchOptions& options = {},
                        const RunOptions& run = {});

/// Welch PSD of `signal_count` signals stored row-major in `signals` ([signal][sample], all of
/// length signals.size() / signal_count). On the CPU one FFTW plan serves all signals, which are
/// spread over OpenMP threads; row i equals welch_psd of signal i bit for bit.
PowerSpectrumBatch welch_psd_batch(std::span<const double> signals, std::size_t signal_count, double dt,
                                   const WelchOptions& options = {}, const RunOptions& run = {});
PowerSpectrumBatch welch_psd_batch(std::span<const float> signals, std::size_t signal_count, double dt,
                                   const WelchOptions& options = {}, const RunOptions& run = {});

/// Welch PSD of signals already in GPU memory (`device_signals` is a CUDA device pointer to
/// signal_count * signal_length floats, row-major), e.g. traces left there by the CUDA engine.
/// Throws spinnet::RunError when this build has no CUDA backend or no GPU is visible.
PowerSpectrumBatch welch_psd_batch_on_device(const float* device_signals, std::size_t signal_count,
                                             std::size_t signal_length, double dt, const WelchOptions& options = {});

}  // namespace spinnet
