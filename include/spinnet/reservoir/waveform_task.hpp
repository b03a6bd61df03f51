// The sine/square waveform classification of Torrejon et al. (Nature 547, 428 (2017)) (task
// "sine_square"): a sequence of randomly chosen periods of a sine (sin(2 pi k / P)) and a square
// wave (+1 for k < P / 2, -1 after), P points per period, each point one input sample spread over N_v
// nodes by the mask; the readout of each point's nodes is trained (ridge, cross-validated) to output
// 1 on sine points and 0 on square points, and a point is classified by output > 1/2. Training,
// validation (for choosing settings) and test sequences are drawn independently; the validation
// sequence has test_periods periods. The same readout on the input value alone and on the
// linear reservoir are the baselines (the two waves share the values +-1, 0, so a memoryless
// readout cannot tell them apart everywhere).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "spinnet/reservoir/reservoir_config.hpp"
#include "spinnet/reservoir/spoken_digit_study.hpp"

namespace spinnet {

struct WaveformSequence {
  std::vector<double> input;   // one value per point
  std::vector<int> is_sine;    // 1 on sine points
};

/// `periods` periods, each a sine or a square with probability 1/2 (draws `first_period` ...).
WaveformSequence sine_square_sequence(int periods, int points_per_period, std::uint64_t seed, std::uint64_t first_period);

struct WaveformOutcome {
  double train_accuracy = 0, validation_accuracy = 0, test_accuracy = 0;
  double input_only_accuracy = 0, linear_accuracy = 0;  // baselines, test sequence
  double relative_lambda = 0;
  double device_steps_per_second = 0, wall_seconds = 0;
  std::vector<std::pair<double, double>> by_temperature;  // (K, test accuracy): waveform.temperatures_K
};

/// Runs the task (and again at each of waveform.temperatures_K) and writes waveform.csv and
/// result.json into out_dir.
WaveformOutcome run_waveform_task(const ReservoirExperiment& experiment, const std::string& out_dir,
                                  const RunOptions& options, const ReservoirLog& log);

}  // namespace spinnet
