// Spectral analysis of emitted signals, as done on spin-torque nano-oscillators in the lab: Welch
// power spectral density, then the line's frequency, power and linewidth.
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

// ---------------------------------------------------------------------------------------------
// Spectral line analysis

/// What a Lorentzian fit is worth.
enum class FitQuality {
  good,            // converged, parameters physical, line resolved
  unresolved,      // converged, but FWHM < 4 bins: the shape is the window's, not the line's
  not_converged,   // hit the iteration limit; parameters are the last accepted step
  too_few_points,  // fewer than 6 bins in the fit window; parameters are the initial guess
  invalid,         // fit left the window or gave a non-positive width or amplitude
};
std::string to_string(FitQuality quality);

/// S(f) = amplitude / (1 + ((f - center) / (fwhm / 2))^2) + background.
struct LorentzianFit {
  double center = 0;      // Hz
  double fwhm = 0;        // Hz, full width at half maximum
  double amplitude = 0;   // signal^2 / Hz, height above background
  double background = 0;  // signal^2 / Hz
  // Standard errors from the fit's covariance, scaled by the residual scatter and assuming
  // independent bins. Hann-windowed bins are correlated over about 1.5 bins (the window's
  // equivalent noise bandwidth), so the true errors are about sqrt(1.5) = 1.22 times larger.
  double center_error = 0, fwhm_error = 0, amplitude_error = 0, background_error = 0;
  double fit_low = 0, fit_high = 0;  // Hz, frequency window the fit used
  std::size_t points = 0;            // bins in the window
  int iterations = 0;
  FitQuality quality = FitQuality::too_few_points;

  /// Line power under the fitted Lorentzian, signal^2: pi / 2 * amplitude * fwhm.
  double power() const;
  double operator()(double f) const;
};

struct LineOptions {
  // Peak search range, Hz. The DC bin is skipped unless frequency_min is negative.
  double frequency_min = 0;
  double frequency_max = std::numeric_limits<double>::infinity();
  // Fit window: peak +- fit_half_width_linewidths * (half-maximum FWHM), at least +- 4 bins.
  double fit_half_width_linewidths = 5;
  // Integration window for the line power: peak +- integration_half_width_linewidths * FWHM, at
  // least +- integration_min_bins bins (a Hann-windowed tone spreads over +- 2 bins).
  double integration_half_width_linewidths = 5;
  std::size_t integration_min_bins = 4;
  // Fit with weights 1 / S_model^2 (a Welch estimate's scatter is proportional to its mean),
  // the model taken from a first, unweighted fit. False: one unweighted fit.
  bool relative_weights = true;
  int max_iterations = 200;
};

/// One spectral line: the strongest peak in the search range.
struct SpectralLine {
  std::size_t peak_bin = 0;
  double peak_frequency = 0;      // Hz, parabola through the log of the peak bin and its neighbors
  double peak_density = 0;        // signal^2 / Hz at the interpolated peak
  double background = 0;          // signal^2 / Hz, median of the PSD over the search range
  double half_maximum_fwhm = 0;   // Hz, from the half-maximum crossings; NaN if one is missing
  double integrated_power = 0;    // signal^2, sum of (S - background) df over the integration window
  double integration_low = 0, integration_high = 0;  // Hz
  LorentzianFit fit;
};

/// Finds the strongest line in a one-sided PSD and measures it. `frequency` must be evenly spaced
/// and as long as `density`. Throws std::invalid_argument for mismatched or too short inputs or an
/// empty search range.
SpectralLine analyze_line(std::span<const double> frequency, std::span<const double> density,
                          const LineOptions& options = {});
SpectralLine analyze_line(const PowerSpectrum& spectrum, const LineOptions& options = {});

/// Full width at half maximum read off the PSD: from the peak bin, the first bins on either side
/// that fall below background + (peak - background) / 2, with linear interpolation between bins.
/// `peak_value` is the height to halve (e.g. the interpolated peak). NaN when a side has no crossing.
double half_maximum_width(std::span<const double> frequency, std::span<const double> density, std::size_t peak_bin,
                          double peak_value, double background = 0);

/// Levenberg-Marquardt fit of S(f) = A / (1 + ((f - f0) / (w / 2))^2) + B to the bins with
/// fit_low <= f <= fit_high, starting from `guess` (center, fwhm, amplitude, background).
LorentzianFit fit_lorentzian(std::span<const double> frequency, std::span<const double> density, double fit_low,
                             double fit_high, const LorentzianFit& guess, bool relative_weights = true,
                             int max_iterations = 200);

}  // namespace spinnet
