// The spectral line of a power spectrum (spectrum.hpp): the strongest peak, its half-maximum width
// and a Lorentzian fit (Levenberg-Marquardt) with a verdict on what the fit is worth.
#pragma once

#include <cstddef>
#include <limits>
#include <span>
#include <string>

#include "spinnet/measure/spectrum.hpp"

namespace spinnet {

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
