// Implementation of run_model for any device model. Included by src/<model>_engine.cpp, which
// instantiates it (and so compiles that model's vectorized CPU loops).
#pragma once

#include <chrono>
#include <cmath>
#include <string>

#include "engine/batch_runner.hpp"
#include "spinnet/core/errors.hpp"
#include "spinnet/engine/run.hpp"

namespace spinnet {
namespace detail {

/// A model state in precision T, widened to double member by member.
template <class Model, class T>
typename Model::template State<double> widen(const typename Model::template State<T>& s) {
  typename Model::template State<double> out;
  constexpr int members = member_count<typename Model::template State<double>, double>;
  const T* in = reinterpret_cast<const T*>(&s);
  double* to = reinterpret_cast<double*>(&out);
  for (int k = 0; k < members; ++k) to[k] = static_cast<double>(in[k]);
  return out;
}

/// Host bytes a run of n devices needs: parameters, coefficients, state, sums, inputs and trace.
template <class Model>
std::uint64_t estimated_bytes(std::uint64_t n, std::uint64_t tones, std::uint64_t schedule_samples,
                              const RunControl& control) {
  const std::uint64_t value = control.precision == Precision::float32 ? 4 : 8;
  const std::uint64_t samples = control.trace_every > 0 ? control.steps / control.trace_every : 0;
  const std::uint64_t state = sizeof(typename Model::template State<double>);
  const std::uint64_t per_device = sizeof(typename Model::Parameters) +
                                   sizeof(typename Model::template Coefficients<double>) / 8 * value +
                                   state / 8 * (value + 8) + 2 * sizeof(typename Model::Accumulators) + 16 +
                                   tones * (5 * 8 + 3 * value + 2 * 8) + schedule_samples * (8 + value);
  return n * per_device + samples * control.trace_devices.size() * (state + 8) * 2;
}

template <class Model, class T>
ModelResult<Model> run_typed(const ModelProblem<Model>& problem, const RunOptions& options,
                             const std::string& failure_hint) {
  const RunControl& control = problem.control;
  HostBatch<Model, T> batch(
      problem.devices.size(), control, problem.drive,
      [&](std::size_t i) { return make_coefficients<T>(problem.devices[i], control.dt); },
      [&](std::size_t i) { return Model::template initial_state<T>(problem.devices[i]); });
  bool thermal = false;
  for (const auto& d : problem.devices) thermal = thermal || Model::thermal(d);

  ModelResult<Model> result;
  const auto start = std::chrono::steady_clock::now();
  result.backend = advance_batch(batch, control, thermal, options);
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.device_steps_per_second =
      static_cast<double>(control.steps) * static_cast<double>(batch.devices) / std::max(result.wall_seconds, 1e-12);
  report_failures(batch.status, batch.failed_step, batch.devices, control, failure_hint);

  const std::size_t n = batch.devices;
  result.averaged_steps = control.steps - control.transient_steps;
  result.sums.resize(n);
  result.final_state.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    result.sums[i] = batch.accumulators.view.load(i);
    result.final_state[i] = widen<Model, T>(batch.state.view.load(i));
  }
  result.trace_samples = batch.trace_samples;
  result.trace_time.resize(batch.trace_samples);
  for (std::uint64_t s = 0; s < batch.trace_samples; ++s)
    result.trace_time[s] = static_cast<double>((s + 1) * control.trace_every) * control.dt;
  const std::size_t traced = batch.trace_signal.size();
  result.trace_state.resize(traced);
  result.trace_signal.resize(traced);
  for (std::size_t j = 0; j < traced; ++j) {
    result.trace_state[j] = widen<Model, T>(batch.trace_state.view.load(j));
    result.trace_signal[j] = static_cast<double>(batch.trace_signal[j]);
  }
  return result;
}

/// run_model with a model-specific hint for the norm-drift failure.
template <class Model>
ModelResult<Model> run_model_checked(const ModelProblem<Model>& problem, const RunOptions& options,
                                     const std::string& failure_hint) {
  if (problem.devices.empty()) throw RunError("the batch has no devices");
  if (problem.control.steps <= problem.control.transient_steps)
    throw RunError("the run has no steps after the transient");
  for (std::uint32_t d : problem.control.trace_devices)
    if (d >= problem.devices.size()) throw RunError("traced device " + std::to_string(d) + " is not in the batch");
  check_host_memory(estimated_bytes<Model>(problem.devices.size(),
                                           problem.drive.vector_tones.size() + problem.drive.current_tones.size(),
                                           problem.drive.schedule.values.size(), problem.control));
  uses_cuda(options.backend);  // fail early when the requested backend is missing
  return problem.control.precision == Precision::float32 ? run_typed<Model, float>(problem, options, failure_hint)
                                                         : run_typed<Model, double>(problem, options, failure_hint);
}

}  // namespace detail
}  // namespace spinnet
