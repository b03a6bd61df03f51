#include "spinnet/study/experiment.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "study/line_shape_measurement.hpp"
#include "study/measurements.hpp"
#include "study/network_experiment.hpp"
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

ExperimentResult run_experiment(const RunConfig& config, const RunOptions& options) {
  if (config.network.enabled) return run_network_experiment(config, options);  // network_experiment.cpp
  ExperimentResult out;
  if (config.model == ModelKind::macrospin) {
    const auto r = run_model(problem_of<MacrospinModel>(config, config.macrospin), options);
    model_observables(r, config.control.dt, out);
    if (config.line_shape.enabled) measure_line_shape(config, out);  // line_shape_measurement.cpp
    return finish(config, r, options, {"mx", "my", "mz"}, std::move(out));
  }
  if (config.model == ModelKind::vortex) {
    const auto r = run_model(problem_of<VortexModel>(config, config.vortex), options);
    model_observables(r, config.control.dt, out);
    return finish(config, r, options, {"x", "y"}, std::move(out));
  }
  const auto r = run_model(problem_of<AutoOscillatorModel>(config, config.auto_oscillator), options);
  model_observables(r, config.control.dt, out);
  return finish(config, r, options, {"re", "im"}, std::move(out));
}

}  // namespace spinnet
