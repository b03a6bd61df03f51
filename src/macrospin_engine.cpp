// The macrospin engine's host side: problem -> batch, run, observables.
#include <chrono>
#include <cmath>
#include <string>

#include "batch_runner.hpp"
#include "spinnet/engine.hpp"
#include "spinnet/errors.hpp"

namespace spinnet {

std::uint64_t estimated_bytes(const MacrospinProblem& problem) {
  const std::uint64_t n = problem.devices.size();
  const std::uint64_t value = problem.precision == Precision::float32 ? 4 : 8;
  const std::uint64_t tones = problem.field_tones.size() + problem.current_tones.size();
  const std::uint64_t samples = problem.trace_every > 0 ? problem.steps / problem.trace_every : 0;
  const std::uint64_t per_device = sizeof(MacrospinParameters<double>) + sizeof(MacrospinCoefficients<double>) / 8 * value +
                                   4 * value + sizeof(MacrospinAccumulators) + 16 + tones * (5 * 8 + 3 * value + 2 * 8) +
                                   problem.current_schedule.values.size() * (8 + value) + 16 * 8;
  return n * per_device + samples * problem.trace_devices.size() * 4 * (value + 8);
}

namespace {

RunControl control_of(const MacrospinProblem& p) {
  RunControl c;
  c.dt = p.dt;
  c.steps = p.steps;
  c.transient_steps = p.transient_steps;
  c.seed = p.seed;
  c.first_device_id = p.first_device_id;
  c.axis = p.frequency_axis;
  c.drift_limit = p.drift_limit;
  c.trace_every = p.trace_every;
  c.trace_devices = p.trace_devices;
  c.precision = p.precision;
  return c;
}

DriveInput drive_of(const MacrospinProblem& p) {
  DriveInput d;
  for (const FieldTone& t : p.field_tones)
    d.vector_tones.push_back({t.amplitude_x, t.amplitude_y, t.amplitude_z, t.frequency, t.phase});
  for (const CurrentTone& t : p.current_tones) d.current_tones.push_back({t.amplitude, {}, {}, t.frequency, t.phase});
  d.schedule = p.current_schedule;
  return d;
}

template <class T>
MacrospinResult run_typed(const MacrospinProblem& problem, const RunOptions& options) {
  const RunControl control = control_of(problem);
  const DriveInput drive = drive_of(problem);
  detail::HostBatch<MacrospinModel, T> batch(
      problem.devices.size(), control, drive,
      [&](std::size_t i) { return make_coefficients<T>(problem.devices[i], problem.dt); },
      [&](std::size_t i) {
        const MacrospinParameters<double>& p = problem.devices[i];
        const double norm = std::sqrt(p.m0x * p.m0x + p.m0y * p.m0y + p.m0z * p.m0z);
        return MacrospinState<T>{static_cast<T>(p.m0x / norm), static_cast<T>(p.m0y / norm),
                                 static_cast<T>(p.m0z / norm)};
      });
  bool thermal = false;
  for (const auto& d : problem.devices) thermal = thermal || d.temperature > 0;

  MacrospinResult result;
  const auto start = std::chrono::steady_clock::now();
  result.backend = detail::advance_batch(batch, control, thermal, options);
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.device_steps_per_second =
      static_cast<double>(problem.steps) * static_cast<double>(batch.devices) / std::max(result.wall_seconds, 1e-12);

  detail::report_failures(batch.status, batch.failed_step, batch.devices, control,
                          "|m| drifted by more than " + std::to_string(problem.drift_limit) +
                              " in one step (time step too large for the fields and torques)");

  const std::size_t n = batch.devices;
  const double samples = static_cast<double>(problem.steps - problem.transient_steps);
  const auto& acc = batch.accumulators.view;
  auto column_mean = [&](int member) {
    std::vector<double> out(n);
    for (std::size_t i = 0; i < n; ++i) out[i] = acc.column[member][i] / samples;
    return out;
  };
  // Column order = member order of MacrospinAccumulators.
  result.mean_mx = column_mean(0);
  result.mean_my = column_mean(1);
  result.mean_mz = column_mean(2);
  result.mean_mx2 = column_mean(3);
  result.mean_my2 = column_mean(4);
  result.mean_mz2 = column_mean(5);
  result.mean_resistance = column_mean(6);
  result.rectified_voltage = column_mean(7);
  result.frequency = column_mean(8);
  for (double& f : result.frequency) f /= constants::two_pi * problem.dt;
  const auto& state = batch.state.view;
  for (std::size_t i = 0; i < n; ++i) {
    result.final_mx.push_back(state.column[0][i]);
    result.final_my.push_back(state.column[1][i]);
    result.final_mz.push_back(state.column[2][i]);
  }
  result.trace_samples = batch.trace_samples;
  result.trace_time.resize(batch.trace_samples);
  for (std::uint64_t s = 0; s < batch.trace_samples; ++s)
    result.trace_time[s] = static_cast<double>((s + 1) * problem.trace_every) * problem.dt;
  const std::size_t traced = batch.trace_signal.size();
  const auto& ts = batch.trace_state.view;
  result.trace_x.assign(ts.column[0], ts.column[0] + traced);
  result.trace_y.assign(ts.column[1], ts.column[1] + traced);
  result.trace_z.assign(ts.column[2], ts.column[2] + traced);
  result.trace_voltage.assign(batch.trace_signal.begin(), batch.trace_signal.end());
  return result;
}

}  // namespace

MacrospinResult run_macrospin(const MacrospinProblem& problem, const RunOptions& options) {
  if (problem.devices.empty()) throw RunError("the batch has no devices");
  if (problem.steps <= problem.transient_steps) throw RunError("the run has no steps after the transient");
  detail::check_host_memory(estimated_bytes(problem));
  detail::choose_cuda(options.backend);  // fail early when the requested backend is missing
  return problem.precision == Precision::float32 ? run_typed<float>(problem, options)
                                                 : run_typed<double>(problem, options);
}

}  // namespace spinnet
