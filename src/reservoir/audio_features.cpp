// The reservoir's front end (audio_features.hpp).
#include "spinnet/reservoir/audio_features.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace spinnet {

std::string to_string(FeatureKind kind) {
  switch (kind) {
    case FeatureKind::mfcc: return "mfcc";
    case FeatureKind::mel: return "mel";
    case FeatureKind::cochlear: return "cochlear";
  }
  return "?";
}

FeatureExtractor::FeatureExtractor(const FeatureOptions& options, double sample_rate)
    : options_(options), sample_rate_(sample_rate) {
  if (options.context_frames < 0) throw std::invalid_argument("FeatureExtractor: context_frames >= 0");
  if (options.kind == FeatureKind::cochlear) {
    base_channels_ = static_cast<int>(design_lyon_filters(sample_rate, options.cochlea).stages.size());
  } else {
    mel_ = std::make_unique<MelFeatures>(sample_rate, options.spectrogram, options.mel);
    base_channels_ = options.kind == FeatureKind::mfcc ? options.coefficients : options.mel.bands;
    if (options.kind == FeatureKind::mfcc && (options.coefficients < 1 || options.coefficients > options.mel.bands))
      throw std::invalid_argument("FeatureExtractor: 1 <= coefficients <= mel bands");
  }
}

FeatureExtractor::~FeatureExtractor() = default;

FeatureFrames FeatureExtractor::compute(const AudioClip& clip) const {
  FeatureFrames frames;
  Eigen::VectorXd loudness;  // per frame, dB up to a constant, for trimming
  if (options_.kind == FeatureKind::cochlear) {
    frames = lyon_passive_ear(clip.samples, sample_rate_, options_.cochlea);
    loudness = 10 * (frames.rowwise().squaredNorm().array() + 1e-30).log10();
  } else {
    const Eigen::MatrixXd log_mel = mel_->log_mel(clip.samples);
    frames = options_.kind == FeatureKind::mfcc ? mel_->cepstrum(log_mel, options_.coefficients) : log_mel;
    loudness = 10 * (log_mel.array().exp().rowwise().sum() + 1e-30).log10();
  }
  if (options_.trim_silence_dB > 0 && frames.rows() > 1) {
    const double floor = loudness.maxCoeff() - options_.trim_silence_dB;
    Eigen::Index first = 0, last = frames.rows() - 1;
    while (first < last && loudness(first) < floor) ++first;
    while (last > first && loudness(last) < floor) --last;
    frames = FeatureFrames(frames.middleRows(first, last - first + 1));
  }
  return stack_context(frames, options_.context_frames);
}

std::vector<FeatureFrames> FeatureExtractor::compute_all(const std::vector<AudioClip>& clips) const {
  std::vector<FeatureFrames> out(clips.size());
  const auto count = static_cast<std::ptrdiff_t>(clips.size());
#pragma omp parallel for schedule(dynamic, 8)
  for (std::ptrdiff_t i = 0; i < count; ++i) out[static_cast<std::size_t>(i)] = compute(clips[static_cast<std::size_t>(i)]);
  return out;
}

FeatureFrames stack_context(const FeatureFrames& frames, int k) {
  if (k == 0) return frames;
  const Eigen::Index n = frames.rows(), c = frames.cols();
  FeatureFrames out(n, c * (2 * k + 1));
  for (Eigen::Index t = 0; t < n; ++t)
    for (int j = -k; j <= k; ++j) {
      const Eigen::Index source = std::clamp<Eigen::Index>(t + j, 0, n - 1);
      out.block(t, (j + k) * c, 1, c) = frames.row(source);
    }
  return out;
}

FeatureNormalization FeatureNormalization::fit(const std::vector<FeatureFrames>& frames,
                                               const std::vector<std::size_t>& rows) {
  if (rows.empty()) throw std::invalid_argument("FeatureNormalization::fit: no training recordings");
  const Eigen::Index channels = frames[rows.front()].cols();
  Eigen::VectorXd sum = Eigen::VectorXd::Zero(channels), sum2 = Eigen::VectorXd::Zero(channels);
  double count = 0;
  for (std::size_t r : rows) {
    sum += frames[r].colwise().sum().transpose();
    sum2 += frames[r].array().square().colwise().sum().matrix().transpose();
    count += static_cast<double>(frames[r].rows());
  }
  FeatureNormalization n;
  n.mean = sum / count;
  const Eigen::VectorXd variance = (sum2 / count - n.mean.cwiseProduct(n.mean)).cwiseMax(0.0);
  n.scale = variance.unaryExpr([](double v) { return v > 1e-24 ? 1 / std::sqrt(v) : 1.0; });
  return n;
}

FeatureFrames FeatureNormalization::apply(const FeatureFrames& frames) const {
  return ((frames.rowwise() - mean.transpose()).array().rowwise() * scale.transpose().array()).matrix();
}

}  // namespace spinnet
