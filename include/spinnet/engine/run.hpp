// Running a batch of any device model from the host: the problem (per-device parameters, drive,
// run control) and the result (running sums, final states, traces, timings).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "spinnet/engine/engine.hpp"

namespace spinnet {

template <class Model>
struct ModelProblem {
  std::vector<typename Model::Parameters> devices;
  DriveInput drive;
  RunControl control;
};

template <class Model>
struct ModelResult {
  using Accumulators = typename Model::Accumulators;
  using State = typename Model::template State<double>;

  std::vector<Accumulators> sums;   // per device, over the steps after the transient
  std::uint64_t averaged_steps = 0;  // steps in the sums
  std::vector<State> final_state;   // per device
  std::uint64_t trace_samples = 0;
  std::vector<double> trace_time;    // s, one per sample
  std::vector<State> trace_state;    // [sample * traced devices + k]
  std::vector<double> trace_signal;  // emitted signal, same layout
  std::string backend;
  double wall_seconds = 0;
  double device_steps_per_second = 0;

  /// Time average of one observable of one device.
  double mean(std::size_t device, double Accumulators::*member) const {
    return sums[device].*member / static_cast<double>(averaged_steps);
  }
  /// Time averages of one observable, for every device.
  std::vector<double> means(double Accumulators::*member) const {
    std::vector<double> out(sums.size());
    for (std::size_t i = 0; i < sums.size(); ++i) out[i] = mean(i, member);
    return out;
  }
};

/// Integrates the batch on the chosen backend. Throws RunError on numerical blow-up (naming the
/// device and the time), when the problem does not fit in memory, or when the requested backend is
/// not available. Instantiated for every model in src/<model>_engine.cpp.
template <class Model>
ModelResult<Model> run_model(const ModelProblem<Model>& problem, const RunOptions& options = {});

}  // namespace spinnet
