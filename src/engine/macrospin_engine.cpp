// The macrospin engine's host side: MacrospinProblem -> generic batch run -> named observables.
#include <string>

#include "engine/run_model.hpp"
#include "spinnet/engine/engine.hpp"

namespace spinnet {

template <>
ModelResult<MacrospinModel> run_model(const ModelProblem<MacrospinModel>& problem, const RunOptions& options) {
  return detail::run_model_checked(problem, options,
                                   "|m| drifted by more than " + std::to_string(problem.control.drift_limit) +
                                       " in one step (time step too large for the fields and torques); reduce integration.dt_ps");
}

namespace {

ModelProblem<MacrospinModel> model_problem(const MacrospinProblem& p) {
  ModelProblem<MacrospinModel> m;
  m.devices = p.devices;
  for (const FieldTone& t : p.field_tones)
    m.drive.vector_tones.push_back({t.amplitude_x, t.amplitude_y, t.amplitude_z, t.frequency, t.phase});
  for (const CurrentTone& t : p.current_tones) m.drive.current_tones.push_back({t.amplitude, {}, {}, t.frequency, t.phase});
  m.drive.schedule = p.current_schedule;
  RunControl& c = m.control;
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
  return m;
}

}  // namespace

std::uint64_t estimated_bytes(const MacrospinProblem& problem) {
  RunControl control;
  control.steps = problem.steps;
  control.trace_every = problem.trace_every;
  control.trace_devices = problem.trace_devices;
  control.precision = problem.precision;
  // Twice the parameters: run_macrospin hands a copy to the generic engine.
  return detail::estimated_bytes<MacrospinModel>(problem.devices.size(),
                                                 problem.field_tones.size() + problem.current_tones.size(),
                                                 problem.current_schedule.values.size(), control) +
         problem.devices.size() * sizeof(MacrospinParameters<double>);
}

MacrospinResult run_macrospin(const MacrospinProblem& problem, const RunOptions& options) {
  const ModelResult<MacrospinModel> r = run_model(model_problem(problem), options);
  using A = MacrospinAccumulators;
  MacrospinResult result;
  result.mean_mx = r.means(&A::mx);
  result.mean_my = r.means(&A::my);
  result.mean_mz = r.means(&A::mz);
  result.mean_mx2 = r.means(&A::mx2);
  result.mean_my2 = r.means(&A::my2);
  result.mean_mz2 = r.means(&A::mz2);
  result.mean_resistance = r.means(&A::resistance);
  result.rectified_voltage = r.means(&A::power);
  result.frequency = r.means(&A::phase);
  for (double& f : result.frequency) f /= constants::two_pi * problem.dt;
  for (const auto& s : r.final_state) {
    result.final_mx.push_back(s.mx);
    result.final_my.push_back(s.my);
    result.final_mz.push_back(s.mz);
  }
  result.trace_samples = r.trace_samples;
  result.trace_time = r.trace_time;
  for (const auto& s : r.trace_state) {
    result.trace_x.push_back(s.mx);
    result.trace_y.push_back(s.my);
    result.trace_z.push_back(s.mz);
  }
  result.trace_voltage = r.trace_signal;
  result.backend = r.backend;
  result.wall_seconds = r.wall_seconds;
  result.device_steps_per_second = r.device_steps_per_second;
  return result;
}

}  // namespace spinnet
