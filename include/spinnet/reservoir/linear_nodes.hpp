// The linear reservoir baseline: the vortex reservoir with its nonlinearity removed. Each node
// relaxes toward its input like the linearized vortex amplitude (vortex_orbit.hpp),
//   tau dx/dt = -x + g Delta_I u(t),   x = s - s*,  g = ds*/dI at I_dc,
// integrated exactly over each node of constant input: x_n = a x_{n-1} + (1 - a) g Delta_I clip(u_n),
// a = exp(-theta / tau), read as signal_scale (s* + x_n). Same mask, node count, node duration and
// fading memory as the vortex; no noise, and no input clip unless asked for (the "linear_clipped"
// baseline keeps the vortex's current limiter, to separate its share of the nonlinearity).
#pragma once

#include "spinnet/reservoir/node_dynamics.hpp"
#include "spinnet/reservoir/vortex_nodes.hpp"

namespace spinnet {

struct LinearNodeOptions {
  double node_duration = 20e-9;  // theta, s
  double relaxation_time = 60e-9;  // tau, s
  double gain = 1;               // output per unit input at steady state
  double offset = 0;             // output at zero input
  double input_clip = 1e300;     // |u| limit: none for the linear baseline proper
};

class LinearNodes : public NodeDynamics {
 public:
  explicit LinearNodes(const LinearNodeOptions& options) : options_(options) {}
  std::string name() const override { return "linear"; }
  double node_duration() const override { return options_.node_duration; }
  NodeResponses run(const std::vector<std::vector<float>>& inputs, std::uint32_t first_id, const RunOptions& options,
                    const NodeProgress& progress) const override;
  json describe() const override;
  const LinearNodeOptions& options() const { return options_; }

 private:
  LinearNodeOptions options_;
};

/// The linearization of a vortex reservoir at its operating point: tau and ds*/dI of the radial
/// equation at I_dc (vortex_orbit.hpp), and its Delta_I and theta. `with_clip`: also the vortex's
/// input clip (the current limiter, itself a nonlinearity); without it the reservoir is linear.
LinearNodeOptions linearized(const VortexNodeOptions& vortex, bool with_clip = false);

}  // namespace spinnet
