// Vortex STNOs as reservoir node dynamics, through the batch engine (vortex_nodes.hpp).
#include "spinnet/reservoir/vortex_nodes.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "spinnet/core/errors.hpp"
#include "spinnet/engine/run.hpp"
#include "spinnet/models/vortex_orbit.hpp"

namespace spinnet {

VortexParameters vortex_at(const VortexParameters& device, double current, double temperature) {
  VortexParameters p = device;
  p.current = current;
  p.temperature = temperature;
  return p;
}

VortexNodes::VortexNodes(const VortexNodeOptions& options) : options_(options) {
  if (!(options.dt > 0) || !(options.node_duration > 0)) throw RunError("vortex reservoir: dt and theta must be positive");
  const double steps = options.node_duration / options.dt;
  steps_per_node_ = static_cast<std::uint64_t>(std::llround(steps));
  if (steps_per_node_ < 1 || std::abs(steps - static_cast<double>(steps_per_node_)) > 1e-6 * steps)
    throw RunError("vortex reservoir: the node duration theta must be a whole number of time steps dt");
  warmup_nodes_ = static_cast<std::uint64_t>(std::ceil(options.warmup / options.node_duration - 1e-9));
  if (options.samples_per_node < 1 || steps_per_node_ % static_cast<std::uint64_t>(options.samples_per_node) != 0)
    throw RunError("vortex reservoir: the envelope samples per node must divide the steps per node");
  // Start on the steady orbit at I_dc (the warm-up then only removes the transient of the noise).
  const double s = vortex_steady_orbit(options_.device, options_.device.current);
  options_.device.x0 = std::clamp(s, 0.02, 0.95);
  options_.device.y0 = 0;
}

double VortexNodes::current_of(float u) const {
  const double clipped = std::clamp<double>(u, -options_.input_clip, options_.input_clip);
  return options_.device.current + options_.current_per_input * clipped;
}

NodeResponses VortexNodes::run(const std::vector<std::vector<float>>& inputs, std::uint32_t first_id,
                               const RunOptions& run_options, const NodeProgress& progress) const {
  return run_with_offsets(inputs, std::vector<double>(inputs.size(), 0.0), first_id, run_options, progress);
}

NodeResponses VortexNodes::run_with_offsets(const std::vector<std::vector<float>>& inputs,
                                            const std::vector<double>& dc_offset, std::uint32_t first_id,
                                            const RunOptions& run_options, const NodeProgress& progress) const {
  if (dc_offset.size() != inputs.size()) throw RunError("vortex reservoir: one DC offset per input sequence");
  for (const auto& sequence : inputs)
    if (sequence.empty()) throw RunError("vortex reservoir: an input sequence has no nodes");
  NodeResponses out;
  out.values.resize(inputs.size());
  if (inputs.empty()) return out;
  std::vector<std::size_t> order(inputs.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return inputs[a].size() > inputs[b].size(); });
  double total_nodes = 0, done_nodes = 0;
  for (const auto& sequence : inputs) total_nodes += static_cast<double>(sequence.size());
  const std::size_t batch = std::max<std::size_t>(1, options_.batch_devices);
  for (std::size_t begin = 0; begin < order.size(); begin += batch) {
    const std::size_t end = std::min(order.size(), begin + batch);
    const std::size_t devices = end - begin;
    const std::size_t nodes = inputs[order[begin]].size();  // the longest of this batch
    ModelProblem<VortexModel> problem;
    problem.devices.assign(devices, options_.device);
    const std::size_t samples = static_cast<std::size_t>(warmup_nodes_) + nodes;
    problem.drive.schedule.kind = ScheduleKind::held;
    problem.drive.schedule.interval = node_duration();
    problem.drive.schedule.values.assign(samples, std::vector<double>(devices, 0.0));
    for (std::size_t d = 0; d < devices; ++d) {
      const auto& sequence = inputs[order[begin + d]];
      const double offset = dc_offset[order[begin + d]];
      // Nodes after a shorter sequence's end hold its last current, as the schedule does after the
      // longest one's: the Heun corrector of a node's last step sees the next sample's current, so
      // padding this way keeps every envelope independent of the batch it runs in.
      for (std::size_t k = 0; k < samples; ++k) {
        const std::size_t node = k < warmup_nodes_ ? 0 : std::min(k - warmup_nodes_, sequence.size() - 1);
        problem.drive.schedule.values[k][d] =
            offset + (k >= warmup_nodes_ ? current_of(sequence[node]) - options_.device.current : 0.0);
      }
    }
    RunControl& control = problem.control;
    control.dt = options_.dt;
    control.steps = samples * steps_per_node_;
    control.transient_steps = 0;
    control.first_device_id = first_id + static_cast<std::uint32_t>(begin);
    const auto per_node = static_cast<std::uint64_t>(options_.samples_per_node);
    control.trace_every = steps_per_node_ / per_node;
    control.trace_devices.resize(devices);
    std::iota(control.trace_devices.begin(), control.trace_devices.end(), 0u);
    control.precision = options_.precision;
    control.seed = options_.seed;
    RunOptions batch_options = run_options;
    const double batch_nodes = static_cast<double>(devices) * static_cast<double>(nodes);
    batch_options.progress = [&](double fraction) {
      if (progress) progress((done_nodes + fraction * batch_nodes) / std::max(1.0, total_nodes));
    };
    const ModelResult<VortexModel> result = run_model(problem, batch_options);
    out.device_steps += static_cast<double>(control.steps) * static_cast<double>(devices);
    out.engine_seconds += result.wall_seconds;
    out.backend = result.backend;
    for (std::size_t d = 0; d < devices; ++d) {
      const std::size_t j = order[begin + d];
      std::vector<float>& values = out.values[j];
      values.resize(inputs[j].size());
      for (std::size_t k = 0; k < inputs[j].size(); ++k) {
        double sum = 0;
        for (std::uint64_t n = 0; n < per_node; ++n) {
          const auto& state = result.trace_state[((warmup_nodes_ + k) * per_node + n) * devices + d];
          sum += std::sqrt(state.x * state.x + state.y * state.y);
        }
        values[k] = static_cast<float>(options_.device.signal_scale * sum / static_cast<double>(per_node));
      }
    }
    done_nodes += batch_nodes;
  }
  return out;
}

VortexNodeTrace VortexNodes::trace(const std::vector<float>& inputs, int samples_per_node, std::uint32_t device_id,
                                   const RunOptions& run_options) const {
  if (samples_per_node < 1 || steps_per_node_ % static_cast<std::uint64_t>(samples_per_node) != 0)
    throw RunError("vortex reservoir trace: samples per node must divide the steps per node");
  ModelProblem<VortexModel> problem;
  problem.devices = {options_.device};
  const std::size_t samples = static_cast<std::size_t>(warmup_nodes_) + inputs.size();
  problem.drive.schedule.kind = ScheduleKind::held;
  problem.drive.schedule.interval = node_duration();
  problem.drive.schedule.values.assign(samples, std::vector<double>(1, 0.0));
  for (std::size_t k = 0; k < inputs.size(); ++k)
    problem.drive.schedule.values[warmup_nodes_ + k][0] = current_of(inputs[k]) - options_.device.current;
  RunControl& control = problem.control;
  control.dt = options_.dt;
  control.steps = samples * steps_per_node_;
  control.seed = options_.seed;
  control.first_device_id = device_id;
  control.trace_every = steps_per_node_ / static_cast<std::uint64_t>(samples_per_node);
  control.trace_devices = {0};
  control.precision = options_.precision;
  const ModelResult<VortexModel> result = run_model(problem, run_options);
  VortexNodeTrace trace;
  const std::size_t skip = static_cast<std::size_t>(warmup_nodes_) * static_cast<std::size_t>(samples_per_node);
  const double start = static_cast<double>(warmup_nodes_) * node_duration();
  for (std::size_t s = skip; s < result.trace_samples; ++s) {
    const auto& state = result.trace_state[s];
    trace.time.push_back(result.trace_time[s] - start);
    // The current during the step that ended at this sample (held over its node).
    const auto node = static_cast<std::size_t>((s + 1 - skip - 1) / static_cast<std::size_t>(samples_per_node));
    trace.current.push_back(node < inputs.size() ? current_of(inputs[node]) : options_.device.current);
    trace.radius.push_back(std::sqrt(state.x * state.x + state.y * state.y));
  }
  return trace;
}

json VortexNodes::describe() const {
  const VortexParameters& p = options_.device;
  json d = json::object();
  d["model"] = "vortex";
  d["dc_current_mA"] = p.current * 1e3;
  d["current_per_input_mA"] = options_.current_per_input * 1e3;
  d["input_clip"] = options_.input_clip;
  d["theta_ns"] = node_duration() * 1e9;
  d["dt_ps"] = options_.dt * 1e12;
  d["warmup_ns"] = static_cast<double>(warmup_nodes_) * node_duration() * 1e9;
  d["temperature_K"] = p.temperature;
  d["p_z"] = p.p_z;
  d["threshold_current_mA"] = vortex_threshold_current(p) * 1e3;
  d["steady_orbit_radius"] = vortex_steady_orbit(p, p.current);
  d["amplitude_relaxation_time_ns"] = vortex_amplitude_relaxation_time(p, p.current) * 1e9;
  d["frequency_MHz"] = [&] {
    const double s = vortex_steady_orbit(p, p.current);
    const double G = vortex_gyrovector(p.Ms, p.thickness, p.gamma);
    const double k = p.k_ms * (1 + p.zeta_ms * s * s) + p.k_Oe_per_ampere * p.current * (1 + p.zeta_Oe * s * s);
    return k / (2 * 3.141592653589793 * G) * 1e-6;
  }();
  d["precision"] = to_string(options_.precision);
  return d;
}

}  // namespace spinnet
