// A reservoir-computing experiment as a config describes it ("experiment": "reservoir";
// docs/reservoir.md, docs/config.md): the task (spoken digits, the sine/square waveforms, memory
// capacity and NARMA-10), the recordings and their split, the preprocessings, the input mask and
// time multiplexing, the vortex oscillator and its operating point, the readout, the baselines and
// the parameter sweeps. Units at the edge: everything below is SI.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "spinnet/config/config.hpp"
#include "spinnet/data/audio_file.hpp"
#include "spinnet/data/recordings.hpp"
#include "spinnet/reservoir/audio_features.hpp"
#include "spinnet/reservoir/echo_state_network.hpp"
#include "spinnet/reservoir/ridge_readout.hpp"
#include "spinnet/reservoir/time_multiplexing.hpp"
#include "spinnet/reservoir/vortex_nodes.hpp"

namespace spinnet {

enum class ReservoirTask { spoken_digits, sine_square, memory };
std::string to_string(ReservoirTask task);

struct RecordingOptions {
  std::string folder;   // as resolved (resolve_data_folder)
  std::string pattern = "{digit}_{speaker}_{take}.wav";
  AudioFormat format;
  SplitRule split;
  bool leave_one_speaker_out = false;
};

/// How the readout is trained: on the time average of each recording's state frames ("utterance":
/// one row per recording) or on every frame ("frames", Torrejon 2017); either way the class is the
/// argmax of the outputs summed over the recording's frames.
enum class ReadoutFit { utterance, frames };

struct ReadoutOptions {
  ReadoutFit fit = ReadoutFit::utterance;
  RidgeCvOptions cross_validation;
};

struct BaselineOptions {
  bool preprocessing_only = true;
  bool linear = true;          // the linearized vortex (no clip)
  bool linear_clipped = false; // the same with the vortex's input clip
  bool esn = true;
  EchoStateOptions esn_options;  // units default: input.nodes
};

/// One-at-a-time sweeps around the base point, on the first preprocessing (validation accuracy).
struct SweepOptions {
  std::vector<int> nodes;
  std::vector<double> theta;        // s
  std::vector<double> temperature;  // K
  bool any() const { return !nodes.empty() || !theta.empty() || !temperature.empty(); }
};

/// The sine/square task (Torrejon 2017): sequences of randomly chosen sine and square periods.
struct WaveformOptions {
  int points_per_period = 8;
  int train_periods = 150;
  int test_periods = 150;
  std::vector<double> temperatures;  // K: the task repeated at each (accuracy against noise)
};

/// Short-term memory capacity and NARMA-10 over a grid of node durations and DC currents.
struct MemoryOptions {
  int samples = 3000;    // input samples per sequence (one per frame of N_v nodes)
  int washout = 200;     // first samples dropped
  double train_fraction = 0.6;  // of the rest; the remainder is the test part
  int max_delay = 40;
  std::vector<double> theta;    // s
  std::vector<double> current;  // A
  std::vector<double> temperature;  // K (default: the oscillator's)
};

struct ReservoirExperiment {
  std::string name, source;
  ReservoirTask task = ReservoirTask::spoken_digits;
  std::uint64_t seed = 1;
  RecordingOptions data;
  std::vector<FeatureOptions> preprocessing;
  int nodes = 400;
  MaskKind mask = MaskKind::binary;
  std::uint64_t mask_seed = 1;
  VortexNodeOptions vortex;  // the oscillator and the input's Delta_I, clip, theta, warm-up
  ReadoutOptions readout;
  BaselineOptions baselines;
  SweepOptions sweeps;
  WaveformOptions waveform;
  MemoryOptions memory;
  std::string example_recording;  // file name for the figures ("" = the first validation recording)
  bool save_trained = true;
  json resolved;
};

/// Whether a config document describes a reservoir experiment ("experiment": "reservoir").
bool is_reservoir_config(const json& document);

/// Reads and checks a reservoir config; ConfigError names `source` and the JSON path.
ReservoirExperiment read_reservoir_experiment(const json& config, const std::string& source);

/// A folder as given when it exists (or is absolute), else the same relative path under the shared
/// data folder ($SPINNET_DATA, or the one CMake found) when it exists there, else as given.
std::string resolve_data_folder(const std::string& folder);

}  // namespace spinnet
