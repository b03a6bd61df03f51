// The linear reservoir baseline (linear_nodes.hpp).
#include "spinnet/reservoir/linear_nodes.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "spinnet/models/vortex_orbit.hpp"

namespace spinnet {

NodeResponses LinearNodes::run(const std::vector<std::vector<float>>& inputs, std::uint32_t, const RunOptions&,
                               const NodeProgress& progress) const {
  const auto start = std::chrono::steady_clock::now();
  NodeResponses out;
  out.values.resize(inputs.size());
  const double a = std::exp(-options_.node_duration / options_.relaxation_time);
  const auto n = static_cast<std::ptrdiff_t>(inputs.size());
#pragma omp parallel for schedule(dynamic, 16)
  for (std::ptrdiff_t j = 0; j < n; ++j) {
    const auto& u = inputs[static_cast<std::size_t>(j)];
    auto& y = out.values[static_cast<std::size_t>(j)];
    y.resize(u.size());
    double x = 0;
    for (std::size_t k = 0; k < u.size(); ++k) {
      const double clipped = std::clamp<double>(u[k], -options_.input_clip, options_.input_clip);
      x = a * x + (1 - a) * options_.gain * clipped;
      y[k] = static_cast<float>(options_.offset + x);
    }
  }
  if (progress) progress(1.0);
  out.engine_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out.backend = "cpu (linear recursion)";
  return out;
}

json LinearNodes::describe() const {
  json d = json::object();
  d["model"] = "linear";
  d["theta_ns"] = options_.node_duration * 1e9;
  d["relaxation_time_ns"] = options_.relaxation_time * 1e9;
  d["gain"] = options_.gain;
  d["offset"] = options_.offset;
  d["input_clip"] = options_.input_clip < 1e300 ? json(options_.input_clip) : json(nullptr);
  return d;
}

LinearNodeOptions linearized(const VortexNodeOptions& vortex, bool with_clip) {
  const VortexParameters& p = vortex.device;
  const double current = p.current, h = 1e-3 * std::max(1e-6, vortex.current_per_input);
  LinearNodeOptions o;
  o.node_duration = std::round(vortex.node_duration / vortex.dt) * vortex.dt;
  o.relaxation_time = vortex_amplitude_relaxation_time(p, current);
  const double slope = (vortex_steady_orbit(p, current + h) - vortex_steady_orbit(p, current - h)) / (2 * h);
  o.gain = p.signal_scale * slope * vortex.current_per_input;
  o.offset = p.signal_scale * vortex_steady_orbit(p, current);
  if (with_clip) o.input_clip = vortex.input_clip;
  return o;
}

}  // namespace spinnet
