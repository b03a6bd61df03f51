// Measurements shared by the single-device and the network experiments (measurements.hpp).
#include "study/measurements.hpp"

#include <cmath>
#include <stdexcept>

#include "spinnet/core/constants.hpp"
#include "spinnet/measure/spectral_line.hpp"
#include "spinnet/measure/spectrum.hpp"

namespace spinnet {

std::vector<double> standard_deviations(const std::vector<double>& mean, const std::vector<double>& mean_square) {
  std::vector<double> out(mean.size());
  for (std::size_t i = 0; i < mean.size(); ++i) out[i] = std::sqrt(std::max(0.0, mean_square[i] - mean[i] * mean[i]));
  return out;
}

void measure_spectra(const RunConfig& config, const std::vector<double>& signals, std::size_t n,
                     const RunOptions& options, ExperimentResult& out, const std::string& prefix,
                     std::size_t devices_per_signal) {
  const std::uint64_t every = config.spectrum.sample_every;
  WelchOptions welch;
  welch.segment_length = config.spectrum.segment_samples;
  welch.overlap = config.spectrum.overlap;
  RunOptions spectral_options;
  spectral_options.backend = options.backend;
  spectral_options.threads = options.threads;
  const PowerSpectrumBatch psd =
      welch_psd_batch(std::span<const double>(signals), n, config.control.dt * static_cast<double>(every), welch,
                      spectral_options);
  std::vector<double> peak(n), fwhm(n), fwhm_error(n), power(n);
  for (std::size_t i = 0; i < n; ++i) {
    try {
      const SpectralLine line = analyze_line(psd.frequency, psd.row(i));
      peak[i] = line.peak_frequency;
      const bool fitted = line.fit.quality == FitQuality::good;
      fwhm[i] = fitted ? line.fit.fwhm : line.half_maximum_fwhm;
      fwhm_error[i] = fitted ? line.fit.fwhm_error : std::nan("");
      power[i] = line.integrated_power;
    } catch (const std::invalid_argument&) {
      peak[i] = fwhm[i] = fwhm_error[i] = power[i] = std::nan("");
    }
  }
  const auto per_device = [devices_per_signal](const std::vector<double>& v) {
    std::vector<double> d;
    d.reserve(v.size() * devices_per_signal);
    for (double x : v) d.insert(d.end(), devices_per_signal, x);
    return d;
  };
  out.observables[prefix + "peak_frequency_Hz"] = per_device(peak);
  out.observables[prefix + "linewidth_Hz"] = per_device(fwhm);
  out.observables[prefix + "linewidth_error_Hz"] = per_device(fwhm_error);
  out.observables[prefix + "line_power_V2"] = per_device(power);
  out.spectrum_frequency = psd.frequency;
  for (std::size_t i = 0; i < std::min(n, config.spectrum.saved_spectra); ++i) {
    const auto row = psd.row(i);
    out.spectrum_density.emplace_back(row.begin(), row.end());
  }
}

/// Locked when the mean frequency is within tolerance of the first drive tone. For the
/// auto-oscillator also the phase of c relative to the drive F at the end of the run,
/// arg(c F*) in (-pi, pi] (c ~ exp(-i phi), F ~ exp(-i theta)): constant in time when locked.
void measure_locking(const RunConfig& config, ExperimentResult& out) {
  const std::vector<double>& f = out.observables.at("frequency_Hz");
  const ToneInput& tone = config.drive.vector_tones.front();
  std::vector<double> detuning(f.size()), locked(f.size());
  for (std::size_t i = 0; i < f.size(); ++i) {
    detuning[i] = f[i] - tone.frequency[i];
    locked[i] = std::abs(detuning[i]) <= config.locking.tolerance ? 1.0 : 0.0;
  }
  out.observables["frequency_minus_drive_Hz"] = detuning;
  out.observables["locked"] = locked;
  if (config.model == ModelKind::auto_oscillator) {
    const std::vector<double>& re = out.observables.at("final_re");
    const std::vector<double>& im = out.observables.at("final_im");
    const double t_end = static_cast<double>(config.control.steps) * config.control.dt;
    std::vector<double> phase(f.size());
    for (std::size_t i = 0; i < f.size(); ++i) {
      const double theta = constants::two_pi * tone.frequency[i] * t_end + tone.phase[i];
      // c F* with F = exp(-i theta): (re + i im)(cos theta + i sin theta)
      const double real = re[i] * std::cos(theta) - im[i] * std::sin(theta);
      const double imag = re[i] * std::sin(theta) + im[i] * std::cos(theta);
      phase[i] = std::atan2(imag, real);
    }
    out.observables["phase_difference_rad"] = phase;
  }
}

}  // namespace spinnet
