// Measurements shared by the single-device experiment (experiment.cpp) and the network experiment
// (network_experiment.cpp): the per-model observables named from a run's sums, spectra of recorded
// signals, injection locking. Private to src/study/.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "spinnet/config/run_config.hpp"
#include "spinnet/core/constants.hpp"
#include "spinnet/models/auto_oscillator.hpp"
#include "spinnet/models/macrospin.hpp"
#include "spinnet/models/vortex.hpp"
#include "spinnet/study/experiment.hpp"

namespace spinnet {

/// sqrt(<x^2> - <x>^2) per device from the means of x and x^2 (0 where rounding makes it negative).
std::vector<double> standard_deviations(const std::vector<double>& mean, const std::vector<double>& mean_square);

/// Welch spectrum of n signals (signals[i * length + s]: signal i, sample s after the transient,
/// sampled every spectrum.sample_every steps); adds <prefix>peak_frequency_Hz, linewidth_Hz,
/// linewidth_error_Hz and line_power_V2, each signal's value repeated for its devices_per_signal
/// devices, and keeps the first spectrum.saved_spectra spectra.
void measure_spectra(const RunConfig& config, const std::vector<double>& signals, std::size_t n,
                     const RunOptions& options, ExperimentResult& out, const std::string& prefix = "",
                     std::size_t devices_per_signal = 1);

/// Locked when the mean frequency is within tolerance of the first drive tone. For the
/// auto-oscillator also the phase of c relative to the drive F at the end of the run,
/// arg(c F*) in (-pi, pi] (c ~ exp(-i phi), F ~ exp(-i theta)): constant in time when locked.
void measure_locking(const RunConfig& config, ExperimentResult& out);

/// The observables of a run of one model, named with their units (README, "Outputs"), from any
/// result with means(&Accumulators::member) and final_state (ModelResult, NetworkResult).
template <class Result>
void model_observables(const Result& r, double dt, ExperimentResult& out) {
  using State = typename std::decay_t<decltype(r.final_state)>::value_type;
  const double two_pi_dt = constants::two_pi * dt;
  auto frequency = [&](const std::vector<double>& phase) {
    std::vector<double> f = phase;
    for (double& x : f) x /= two_pi_dt;
    return f;
  };
  if constexpr (std::is_same_v<State, MacrospinState<double>>) {
    using A = MacrospinAccumulators;
    out.observables["mean_mx"] = r.means(&A::mx);
    out.observables["mean_my"] = r.means(&A::my);
    out.observables["mean_mz"] = r.means(&A::mz);
    out.observables["mean_mx2"] = r.means(&A::mx2);
    out.observables["mean_my2"] = r.means(&A::my2);
    out.observables["mean_mz2"] = r.means(&A::mz2);
    out.observables["mean_resistance_Ohm"] = r.means(&A::resistance);
    out.observables["rectified_voltage_V"] = r.means(&A::power);
    out.observables["frequency_Hz"] = frequency(r.means(&A::phase));
    std::vector<double> fx, fy, fz;
    for (const auto& s : r.final_state) fx.push_back(s.mx), fy.push_back(s.my), fz.push_back(s.mz);
    out.observables["final_mx"] = fx;
    out.observables["final_my"] = fy;
    out.observables["final_mz"] = fz;
  } else if constexpr (std::is_same_v<State, VortexState<double>>) {
    using A = VortexAccumulators;
    out.observables["mean_orbit_radius"] = r.means(&A::radius);
    out.observables["orbit_radius_std"] = standard_deviations(out.observables["mean_orbit_radius"], r.means(&A::radius2));
    out.observables["mean_signal2_V2"] = r.means(&A::signal2);
    out.observables["frequency_Hz"] = frequency(r.means(&A::phase));
    std::vector<double> x, y;
    for (const auto& s : r.final_state) x.push_back(s.x), y.push_back(s.y);
    out.observables["final_x"] = x;
    out.observables["final_y"] = y;
  } else {
    using A = AutoOscillatorAccumulators;
    out.observables["mean_power"] = r.means(&A::power);
    out.observables["power_std"] = standard_deviations(out.observables["mean_power"], r.means(&A::power2));
    out.observables["mean_re"] = r.means(&A::re);
    out.observables["mean_im"] = r.means(&A::im);
    out.observables["mean_signal2_V2"] = r.means(&A::signal2);
    out.observables["frequency_Hz"] = frequency(r.means(&A::phase));
    std::vector<double> re, im;
    for (const auto& s : r.final_state) re.push_back(s.re), im.push_back(s.im);
    out.observables["final_re"] = re;
    out.observables["final_im"] = im;
  }
}

}  // namespace spinnet
