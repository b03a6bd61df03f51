// Standard reservoir benchmarks over the vortex reservoir's operating points (task "memory"):
//  * short-term memory capacity (H. Jaeger, GMD Report 152 (2002)): the reservoir is driven by
//    i.i.d. u_k ~ U(-1, 1), one input sample per frame of N_v nodes; a linear readout of frame k is
//    trained to recall u_{k-d}, and MC = sum_{d=1}^{D} r^2(u_{k-d}, y_d(k)) on the test samples;
//  * NARMA-10 (A. F. Atiya and A. G. Parlos, IEEE Trans. Neural Netw. 11, 697 (2000)): with
//    v_k = (u_k + 1) / 4 in [0, 0.5],
//      y_{k+1} = 0.3 y_k + 0.05 y_k sum_{i=0}^{9} y_{k-i} + 1.5 v_{k-9} v_k + 0.1,
//    the readout of frame k predicts y_{k+1}; NRMSE = sqrt(<(y - y_hat)^2> / var(y)) on the test samples.
// One simulation per (temperature, theta, I_dc) serves both; all currents of one theta run as one
// batch. The fading memory is set by the amplitude relaxation time tau(I_dc) (vortex_orbit.hpp):
// the recall of delay d falls as exp(-2 d N_v theta / tau). One oscillator without delayed
// feedback has one memory-carrying variable (its amplitude), so its linear capacity stays near 1
// (H. Jaeger: MC <= the number of independent state variables).
#pragma once

#include <string>
#include <vector>

#include "spinnet/reservoir/reservoir_config.hpp"
#include "spinnet/reservoir/spoken_digit_study.hpp"

namespace spinnet {

struct MemoryPoint {
  double theta = 0, current = 0;   // s, A
  double temperature = 0;          // K
  double relaxation_time = 0;      // tau at I_dc, s
  double capacity = 0;
  std::vector<double> recall;      // r^2 at delays 1 .. D
  double narma_nrmse = 0;
  double device_steps_per_second = 0;
};

/// The NARMA-10 target sequence of inputs v (y_0 .. y_9 = 0).
std::vector<double> narma10(const std::vector<double>& v);

/// The i.i.d. U(-1, 1) input sequence of the memory tasks.
std::vector<double> memory_task_input(int samples, std::uint64_t seed);

/// Runs the grid and writes memory.csv, memory_recall.csv and result.json into out_dir.
std::vector<MemoryPoint> run_memory_study(const ReservoirExperiment& experiment, const std::string& out_dir,
                                          const RunOptions& options, const ReservoirLog& log);

}  // namespace spinnet
