// The reservoir's front end: a recording as a sequence of feature frames (MFCC, log-mel spectrogram
// or Lyon's cochleagram), with optional context (neighbouring frames stacked), and the per-channel
// standardization fitted on the training recordings.
#pragma once

#include <Eigen/Core>

#include <memory>
#include <string>
#include <vector>

#include "spinnet/data/audio_file.hpp"
#include "spinnet/reservoir/lyon_cochlea.hpp"
#include "spinnet/reservoir/mel_features.hpp"

namespace spinnet {

enum class FeatureKind { mfcc, mel, cochlear };
std::string to_string(FeatureKind kind);

struct FeatureOptions {
  FeatureKind kind = FeatureKind::mfcc;
  SpectrogramOptions spectrogram;  // mfcc, mel: window, hop (the frame period), pre-emphasis, FFT size
  MelOptions mel;                  // mfcc, mel: bands and frequency range
  int coefficients = 13;           // mfcc: cepstral coefficients kept
  LyonOptions cochlea;             // cochlear (its hop_ms is the frame period)
  int context_frames = 0;          // k: frame t becomes [f_{t-k} .. f_{t+k}] (edges repeated)
  double trim_silence_dB = 0;      // > 0: drop leading and trailing frames this far below the loudest

  double frame_period_ms() const { return kind == FeatureKind::cochlear ? cochlea.hop_ms : spectrogram.hop_ms; }
};

/// Frames x channels of one recording.
using FeatureFrames = Eigen::MatrixXd;

/// Features of recordings at one sample rate. Built once (FFTW plans); compute() may then run from
/// any number of threads.
class FeatureExtractor {
 public:
  FeatureExtractor(const FeatureOptions& options, double sample_rate);
  ~FeatureExtractor();
  FeatureFrames compute(const AudioClip& clip) const;
  /// compute() of every clip, in parallel.
  std::vector<FeatureFrames> compute_all(const std::vector<AudioClip>& clips) const;
  /// Channels per frame before context stacking (bands, coefficients or cochlear channels).
  int base_channels() const { return base_channels_; }
  /// Channels per frame as returned: base_channels() (2 context_frames + 1).
  int channels() const { return base_channels_ * (2 * options_.context_frames + 1); }
  const FeatureOptions& options() const { return options_; }

 private:
  FeatureOptions options_;
  double sample_rate_;
  int base_channels_ = 0;
  std::unique_ptr<MelFeatures> mel_;
};

/// Frame t replaced by the concatenation of frames t - k .. t + k (edge frames repeated).
FeatureFrames stack_context(const FeatureFrames& frames, int k);

/// x' = (x - mean) / std per channel, fitted on every frame of the training recordings.
struct FeatureNormalization {
  Eigen::VectorXd mean, scale;  // scale = 1 / std (1 for a constant channel)
  static FeatureNormalization fit(const std::vector<FeatureFrames>& frames, const std::vector<std::size_t>& rows);
  FeatureFrames apply(const FeatureFrames& frames) const;
};

}  // namespace spinnet
