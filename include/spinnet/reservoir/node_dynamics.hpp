// The physical part of a time-multiplexed reservoir, and the seam where another one plugs in: a
// batch of independent dynamical systems (one per input sequence: all utterances of a data set run
// as one batch), each driven by a sequence of node inputs held for one node duration theta, and read
// out once per node (Appeltant et al., Nat. Commun. 2, 468 (2011); Torrejon et al. 2017).
//
// A single vortex STNO (vortex_nodes.hpp) is one system with one input (its current) and one output
// (its emitted-voltage envelope) per node. A coupled array of N oscillators (the "beyond one
// oscillator" part of issue 14, on the coupled networks of issue 12) is one system with
// inputs_per_node() = N (spatial multiplexing: each oscillator its own masked input) and
// outputs_per_node() = N (every oscillator's envelope); the mask, the readout and the studies take
// their sizes from these two numbers and need no other change.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "spinnet/config/config.hpp"
#include "spinnet/engine/engine.hpp"

namespace spinnet {

/// What a batch run returns: responses[j][node * outputs_per_node() + o], and the cost.
struct NodeResponses {
  std::vector<std::vector<float>> values;
  double device_steps = 0;     // integration steps x systems actually run (0 for software dynamics)
  double engine_seconds = 0;   // wall time inside the engine
  std::string backend;
};

/// Called with the fraction of the batch done.
using NodeProgress = std::function<void(double)>;

class NodeDynamics {
 public:
  virtual ~NodeDynamics() = default;
  /// "vortex", "linear", ...
  virtual std::string name() const = 0;
  /// Node inputs per node and system (values of inputs[j] per node).
  virtual int inputs_per_node() const { return 1; }
  /// Values read per node and system.
  virtual int outputs_per_node() const { return 1; }
  /// The node duration theta, s.
  virtual double node_duration() const = 0;
  /// Drives system j with inputs[j] (nodes x inputs_per_node(), dimensionless, of order 1) and
  /// returns its per-node outputs. System j's noise is keyed by the global id first_id + (its rank
  /// in the batch, see the implementation), so results do not depend on the batch layout.
  virtual NodeResponses run(const std::vector<std::vector<float>>& inputs, std::uint32_t first_id,
                            const RunOptions& options, const NodeProgress& progress) const = 0;
  /// The operating point, for outputs and trained-reservoir files.
  virtual json describe() const = 0;
};

}  // namespace spinnet
