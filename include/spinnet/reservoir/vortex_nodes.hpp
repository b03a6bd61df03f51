// One vortex STNO per input sequence as a reservoir's node dynamics (Torrejon et al., Nature 547,
// 428 (2017)): the current I(t) = I_dc + Delta_I clip(u_n) for node n, held for theta (a current
// schedule of the vortex model, vortex.hpp, run through the batch engine at its temperature), read
// as the emitted-voltage envelope signal_scale s at the end of every node (s = |X| / R is the
// envelope of the emitted signal signal_scale s sin(phase), sampled from the engine's decimated trace;
// with samples_per_node = n > 1, the mean of n samples at the ends of the node's n equal parts).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "spinnet/models/vortex.hpp"
#include "spinnet/reservoir/node_dynamics.hpp"

namespace spinnet {

struct VortexNodeOptions {
  VortexParameters device = torrejon2017_parameters();  // its `current` is I_dc
  double node_duration = 20e-9;     // theta, s (a whole number of steps)
  double dt = 50e-12;               // s
  double current_per_input = 0.3e-3;  // Delta_I, A per unit input
  double input_clip = 3;            // |u| limit (keeps the core inside the disk)
  double warmup = 500e-9;           // s at I_dc before the first node (a whole number of nodes)
  Precision precision = Precision::float32;
  std::size_t batch_devices = 128;  // systems per engine batch (sequences sorted by length)
  std::uint64_t seed = 1;           // of the thermal noise
  int samples_per_node = 1;         // envelope samples per node: 1 = at the node's end; n > 1 = the
                                    // mean of n samples spread over the node (an integrating detector)
};

/// One recorded sequence at finer time resolution (figures).
struct VortexNodeTrace {
  std::vector<double> time;     // s, from the first node (the warm-up is not kept)
  std::vector<double> current;  // A
  std::vector<double> radius;   // s = |X| / R
};

class VortexNodes : public NodeDynamics {
 public:
  explicit VortexNodes(const VortexNodeOptions& options);
  std::string name() const override { return "vortex"; }
  double node_duration() const override { return steps_per_node_ * options_.dt; }
  /// Sequences are sorted by length (longest first, then by index) and run in batches of
  /// batch_devices; the one at rank r of that order draws its noise as device first_id + r.
  NodeResponses run(const std::vector<std::vector<float>>& inputs, std::uint32_t first_id, const RunOptions& options,
                    const NodeProgress& progress) const override;
  json describe() const override;
  /// run() with system j at the DC current I_dc + dc_offset[j] (A): a sweep of operating points as
  /// one batch.
  NodeResponses run_with_offsets(const std::vector<std::vector<float>>& inputs, const std::vector<double>& dc_offset,
                                 std::uint32_t first_id, const RunOptions& options, const NodeProgress& progress) const;

  /// One sequence with `samples_per_node` trace samples per node, as device `device_id`.
  VortexNodeTrace trace(const std::vector<float>& inputs, int samples_per_node, std::uint32_t device_id,
                        const RunOptions& options) const;

  const VortexNodeOptions& options() const { return options_; }
  std::uint64_t steps_per_node() const { return steps_per_node_; }
  std::uint64_t warmup_nodes() const { return warmup_nodes_; }
  /// I_dc + Delta_I clip(u), A.
  double current_of(float u) const;

 private:
  VortexNodeOptions options_;
  std::uint64_t steps_per_node_ = 0, warmup_nodes_ = 0;
};

/// The vortex of `options` with the DC current and temperature given, everything else kept.
VortexParameters vortex_at(const VortexParameters& device, double current, double temperature);

}  // namespace spinnet
