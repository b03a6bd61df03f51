#include "spinnet/study/experiment.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "study/line_shape_measurement.hpp"
#include "spinnet/models/oscillator_network.hpp"
#include "spinnet/study/hdf5_output.hpp"
#include "spinnet/study/output.hpp"
#include "spinnet/study/scheduler.hpp"
#include "spinnet/core/soa.hpp"
#include "spinnet/engine/run.hpp"
#include "spinnet/measure/spectral_line.hpp"
#include "spinnet/measure/spectrum.hpp"

namespace spinnet {

namespace {

template <class Model>
ModelProblem<Model> problem_of(const RunConfig& config, const std::vector<typename Model::Parameters>& devices) {
  ModelProblem<Model> problem;
  problem.devices = devices;
  problem.drive = config.drive;
  problem.control = config.control;
  if (config.spectrum.enabled) {
    // The spectrum needs the emitted signal of every device.
    problem.control.trace_every = config.spectrum.sample_every;
    problem.control.trace_devices.resize(devices.size());
    for (std::size_t i = 0; i < devices.size(); ++i) problem.control.trace_devices[i] = static_cast<std::uint32_t>(i);
  }
  return problem;
}

/// sqrt(<x^2> - <x>^2) per device from the means of x and x^2 (0 where rounding makes it negative).
std::vector<double> standard_deviations(const std::vector<double>& mean, const std::vector<double>& mean_square) {
  std::vector<double> out(mean.size());
  for (std::size_t i = 0; i < mean.size(); ++i) out[i] = std::sqrt(std::max(0.0, mean_square[i] - mean[i] * mean[i]));
  return out;
}

/// Copies the generic parts of a model result (trace, timings) into the experiment result.
template <class Model>
void copy_common(const ModelResult<Model>& r, const std::vector<std::string>& state_names, ExperimentResult& out) {
  out.backend = r.backend;
  out.wall_seconds = r.wall_seconds;
  out.device_steps_per_second = r.device_steps_per_second;
  out.trace_time = r.trace_time;
  out.trace_columns = state_names;
  out.trace_columns.push_back("signal");
  out.trace_values.assign(out.trace_columns.size(), {});
  constexpr int members = member_count<typename Model::template State<double>, double>;
  for (const auto& s : r.trace_state) {
    const double* v = reinterpret_cast<const double*>(&s);
    for (int k = 0; k < members; ++k) out.trace_values[static_cast<std::size_t>(k)].push_back(v[k]);
  }
  out.trace_values.back() = r.trace_signal;
}

/// The first trace sample after the transient when the spectrum records every sample_every steps.
std::uint64_t first_spectrum_sample(const RunConfig& config) {
  const std::uint64_t every = config.spectrum.sample_every;
  return (config.control.transient_steps + every - 1) / every;
}

/// Welch spectrum of n signals (signals[i * length + s]: device i, sample s after the transient,
/// sampled every spectrum.sample_every steps); adds peak frequency, linewidth and line power to
/// the observables, device by device.
void measure_spectra(const RunConfig& config, const std::vector<double>& signals, std::size_t n,
                     const RunOptions& options, ExperimentResult& out) {
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
  out.observables["peak_frequency_Hz"] = peak;
  out.observables["linewidth_Hz"] = fwhm;
  out.observables["linewidth_error_Hz"] = fwhm_error;
  out.observables["line_power_V2"] = power;
  out.spectrum_frequency = psd.frequency;
  for (std::size_t i = 0; i < std::min(n, config.spectrum.saved_spectra); ++i) {
    const auto row = psd.row(i);
    out.spectrum_density.emplace_back(row.begin(), row.end());
  }
}

/// The spectra of the emitted signal of every device of a single-device model.
template <class Model>
void measure_spectra(const RunConfig& config, const ModelResult<Model>& r, const RunOptions& options,
                     ExperimentResult& out) {
  const std::size_t n = r.final_state.size();
  const std::uint64_t first = first_spectrum_sample(config);
  const std::uint64_t length = r.trace_samples - first;
  std::vector<double> signals(n * length);
  for (std::size_t i = 0; i < n; ++i)
    for (std::uint64_t s = 0; s < length; ++s) signals[i * length + s] = r.trace_signal[(first + s) * n + i];
  measure_spectra(config, signals, n, options, out);
}

/// The spectra of every oscillator of coupled networks (oscillator j of network g is device
/// g * M + j): oscillator j emits signal_scale_j Re c_j, rebuilt from the recorded amplitudes, so
/// that each oscillator's own line is seen (the network's summed signal would mix them).
template <int M>
void measure_network_spectra(const RunConfig& config, const ModelProblem<OscillatorNetworkModel<M>>& problem,
                             const ModelResult<OscillatorNetworkModel<M>>& r, const RunOptions& options,
                             ExperimentResult& out) {
  const std::size_t networks = r.final_state.size();
  const std::size_t n = networks * M;
  const std::uint64_t first = first_spectrum_sample(config);
  const std::uint64_t length = r.trace_samples - first;
  std::vector<double> signals(n * length);
  for (std::size_t g = 0; g < networks; ++g) {
    for (int j = 0; j < M; ++j) {
      const double scale = problem.devices[g].oscillator[j].signal_scale;
      const std::size_t d = g * M + static_cast<std::size_t>(j);
      for (std::uint64_t s = 0; s < length; ++s) signals[d * length + s] = scale * r.trace_state[(first + s) * networks + g].re[j];
    }
  }
  measure_spectra(config, signals, n, options, out);
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

template <class Model>
ExperimentResult finish(const RunConfig& config, const ModelResult<Model>& r, const RunOptions& options,
                        const std::vector<std::string>& state_names, ExperimentResult out) {
  copy_common(r, state_names, out);
  if (config.spectrum.enabled) {
    measure_spectra(config, r, options, out);
    // Keep only the traces the user asked for: the spectrum recorded every device.
    out.trace_time.clear();
    for (auto& column : out.trace_values) column.clear();
  }
  if (config.locking.enabled) measure_locking(config, out);
  return out;
}

}  // namespace

/// Coupled networks of M auto-oscillators: one engine device per network; observables per
/// oscillator (device index = network * M + oscillator, as in the config).
template <int M>
ExperimentResult run_network(const RunConfig& config, const RunOptions& options) {
  using Model = OscillatorNetworkModel<M>;
  const std::size_t networks = config.auto_oscillator.size() / M;
  ModelProblem<Model> problem;
  problem.devices.resize(networks);
  for (std::size_t g = 0; g < networks; ++g) {
    for (int j = 0; j < M; ++j) {
      problem.devices[g].oscillator[j] = config.auto_oscillator[g * M + static_cast<std::size_t>(j)];
      for (int k = 0; k < M; ++k) {
        problem.devices[g].coupling_re[j][k] = config.coupling.coupling_re[static_cast<std::size_t>(j * M + k)];
        problem.devices[g].coupling_im[j][k] = config.coupling.coupling_im[static_cast<std::size_t>(j * M + k)];
      }
    }
  }
  // The drive of a network is its first oscillator's (the reader checked they are equal).
  auto first_of_each = [&](const std::vector<double>& v) {
    std::vector<double> out;
    for (std::size_t g = 0; g < networks; ++g) out.push_back(v.empty() ? 0.0 : v[g * M]);
    return out;
  };
  for (const ToneInput& t : config.drive.vector_tones)
    problem.drive.vector_tones.push_back({first_of_each(t.amplitude_x), first_of_each(t.amplitude_y),
                                          first_of_each(t.amplitude_z), first_of_each(t.frequency),
                                          first_of_each(t.phase)});
  for (const ToneInput& t : config.drive.current_tones)
    problem.drive.current_tones.push_back({first_of_each(t.amplitude_x), {}, {}, first_of_each(t.frequency),
                                           first_of_each(t.phase)});
  problem.drive.schedule = config.drive.schedule;
  for (auto& sample : problem.drive.schedule.values) sample = first_of_each(sample);
  problem.control = config.control;
  problem.control.trace_devices.clear();
  for (std::uint32_t d : config.control.trace_devices) {
    const auto g = static_cast<std::uint32_t>(d / M);
    if (problem.control.trace_devices.empty() || problem.control.trace_devices.back() != g)
      problem.control.trace_devices.push_back(g);
  }
  if (config.spectrum.enabled) {
    // The spectra need the amplitudes of every network (problem_of does the same for one device).
    problem.control.trace_every = config.spectrum.sample_every;
    problem.control.trace_devices.resize(networks);
    for (std::size_t g = 0; g < networks; ++g) problem.control.trace_devices[g] = static_cast<std::uint32_t>(g);
  }
  const auto r = run_model(problem, options);

  ExperimentResult out;
  const std::size_t n = networks * M;
  const double two_pi_dt = constants::two_pi * config.control.dt;
  const double samples = static_cast<double>(r.averaged_steps);
  std::vector<double> power(n), power_std(n), frequency(n), signal2(n), re(n), im(n);
  for (std::size_t g = 0; g < networks; ++g) {
    for (int j = 0; j < M; ++j) {
      const std::size_t d = g * M + static_cast<std::size_t>(j);
      power[d] = r.sums[g].power[j] / samples;
      power_std[d] = std::sqrt(std::max(0.0, r.sums[g].power2[j] / samples - power[d] * power[d]));
      frequency[d] = r.sums[g].phase[j] / samples / two_pi_dt;
      signal2[d] = r.sums[g].signal2[j] / samples;
      re[d] = r.final_state[g].re[j];
      im[d] = r.final_state[g].im[j];
    }
  }
  out.observables["mean_power"] = power;
  out.observables["power_std"] = power_std;
  out.observables["frequency_Hz"] = frequency;
  out.observables["mean_signal2_V2"] = signal2;
  out.observables["final_re"] = re;
  out.observables["final_im"] = im;
  std::vector<std::string> names;
  for (int j = 0; j < M; ++j) names.push_back("re" + std::to_string(j));
  for (int j = 0; j < M; ++j) names.push_back("im" + std::to_string(j));
  copy_common(r, names, out);
  // Rates count oscillators (config devices), like the CLI's "devices x steps" line: one network
  // step advances M oscillators.
  out.device_steps_per_second = r.device_steps_per_second * M;
  if (config.spectrum.enabled) {
    measure_network_spectra(config, problem, r, options, out);
    // Keep only the traces the user asked for: the spectrum recorded every network.
    out.trace_time.clear();
    for (auto& column : out.trace_values) column.clear();
  }
  if (config.locking.enabled) measure_locking(config, out);
  return out;
}

ExperimentResult run_experiment(const RunConfig& config, const RunOptions& options) {
  switch (config.coupling.group_size) {
    case 2: return run_network<2>(config, options);
    case 3: return run_network<3>(config, options);
    case 4: return run_network<4>(config, options);
    default: break;
  }
  ExperimentResult out;
  const double two_pi_dt = constants::two_pi * config.control.dt;
  if (config.model == ModelKind::macrospin) {
    const auto r = run_model(problem_of<MacrospinModel>(config, config.macrospin), options);
    using A = MacrospinAccumulators;
    out.observables["mean_mx"] = r.means(&A::mx);
    out.observables["mean_my"] = r.means(&A::my);
    out.observables["mean_mz"] = r.means(&A::mz);
    out.observables["mean_mx2"] = r.means(&A::mx2);
    out.observables["mean_my2"] = r.means(&A::my2);
    out.observables["mean_mz2"] = r.means(&A::mz2);
    out.observables["mean_resistance_Ohm"] = r.means(&A::resistance);
    out.observables["rectified_voltage_V"] = r.means(&A::power);
    if (config.line_shape.enabled) measure_line_shape(config, out);  // spin_diode_experiment.cpp
    auto frequency = r.means(&A::phase);
    for (double& f : frequency) f /= two_pi_dt;
    out.observables["frequency_Hz"] = frequency;
    std::vector<double> fx, fy, fz;
    for (const auto& s : r.final_state) fx.push_back(s.mx), fy.push_back(s.my), fz.push_back(s.mz);
    out.observables["final_mx"] = fx;
    out.observables["final_my"] = fy;
    out.observables["final_mz"] = fz;
    return finish(config, r, options, {"mx", "my", "mz"}, std::move(out));
  }
  if (config.model == ModelKind::vortex) {
    const auto r = run_model(problem_of<VortexModel>(config, config.vortex), options);
    using A = VortexAccumulators;
    out.observables["mean_orbit_radius"] = r.means(&A::radius);
    out.observables["orbit_radius_std"] = standard_deviations(out.observables["mean_orbit_radius"], r.means(&A::radius2));
    out.observables["mean_signal2_V2"] = r.means(&A::signal2);
    auto frequency = r.means(&A::phase);
    for (double& f : frequency) f /= two_pi_dt;
    out.observables["frequency_Hz"] = frequency;
    std::vector<double> x, y;
    for (const auto& s : r.final_state) x.push_back(s.x), y.push_back(s.y);
    out.observables["final_x"] = x;
    out.observables["final_y"] = y;
    return finish(config, r, options, {"x", "y"}, std::move(out));
  }
  const auto r = run_model(problem_of<AutoOscillatorModel>(config, config.auto_oscillator), options);
  using A = AutoOscillatorAccumulators;
  out.observables["mean_power"] = r.means(&A::power);
  out.observables["power_std"] = standard_deviations(out.observables["mean_power"], r.means(&A::power2));
  out.observables["mean_re"] = r.means(&A::re);
  out.observables["mean_im"] = r.means(&A::im);
  out.observables["mean_signal2_V2"] = r.means(&A::signal2);
  auto frequency = r.means(&A::phase);
  for (double& f : frequency) f /= two_pi_dt;
  out.observables["frequency_Hz"] = frequency;
  std::vector<double> re, im;
  for (const auto& s : r.final_state) re.push_back(s.re), im.push_back(s.im);
  out.observables["final_re"] = re;
  out.observables["final_im"] = im;
  return finish(config, r, options, {"re", "im"}, std::move(out));
}

}  // namespace spinnet
