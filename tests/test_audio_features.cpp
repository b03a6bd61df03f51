// The reservoir's front ends against known signals: power spectra (Parseval), the mel filterbank,
// MFCCs (the orthonormal DCT), Lyon's cochlear model on tones and clicks, context stacking and the
// training-set standardization.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "audio_helpers.hpp"
#include "spinnet/reservoir/audio_features.hpp"
#include "spinnet/reservoir/lyon_cochlea.hpp"
#include "spinnet/reservoir/mel_features.hpp"

namespace spinnet {
namespace {

constexpr double rate = 8000;

MelFeatures plain_spectra(int bands = 24) {
  SpectrogramOptions s;
  s.window_ms = 32;  // 256 samples = the FFT size
  s.hop_ms = 16;
  s.pre_emphasis = 0;
  MelOptions m;
  m.bands = bands;
  return MelFeatures(rate, s, m);
}

TEST(MelFeatures, FramesAndParseval) {
  // sum_k |X_k|^2 = N sum_n (w_n x_n)^2 (Parseval, N-point DFT of the zero-padded windowed frame);
  // with P_k = |X_k|^2 / sum w^2 on k = 0 .. N/2 the one-sided sum doubles the inner bins.
  const MelFeatures f = plain_spectra();
  std::mt19937 generator(3);
  std::normal_distribution<float> normal;
  std::vector<float> x(2000);
  for (float& v : x) v = normal(generator);
  const Eigen::MatrixXd p = f.power_spectrogram(x);
  EXPECT_EQ(p.rows(), 1 + (2000 - 256) / 128);
  EXPECT_EQ(p.cols(), 129);
  const int n = f.fft_size();
  for (Eigen::Index t = 0; t < p.rows(); ++t) {
    double windowed = 0, window = 0;
    for (int i = 0; i < 256; ++i) {
      const double w = 0.54 - 0.46 * std::cos(2 * M_PI * i / 255);
      windowed += std::pow(w * x[static_cast<std::size_t>(t * 128 + i)], 2);
      window += w * w;
    }
    const double one_sided = p(t, 0) + p(t, n / 2) + 2 * p.row(t).segment(1, n / 2 - 1).sum();
    EXPECT_NEAR(one_sided * window, n * windowed, 1e-9 * n * windowed);
  }
}

TEST(MelFeatures, FilterbankTrianglesSumToOneBetweenCentres) {
  // Adjacent triangles share their edges, so between two centres the falling and the rising
  // slopes add to 1 (HTK's construction); every weight is in [0, 1].
  const Eigen::MatrixXd bank = mel_filterbank(20, 512, rate, 0, 4000);
  EXPECT_GE(bank.minCoeff(), 0.0);
  EXPECT_LE(bank.maxCoeff(), 1.0 + 1e-12);
  const double low = hertz_to_mel(0), high = hertz_to_mel(4000);
  const double first_centre = mel_to_hertz(low + (high - low) / 21), last_centre = mel_to_hertz(low + (high - low) * 20 / 21);
  for (int k = 0; k < 257; ++k) {
    const double f = k * rate / 512;
    if (f > first_centre && f < last_centre) EXPECT_NEAR(bank.col(k).sum(), 1.0, 1e-12) << f;
  }
  EXPECT_NEAR(mel_to_hertz(hertz_to_mel(1234.5)), 1234.5, 1e-9);
  EXPECT_NEAR(hertz_to_mel(1000), 1000, 0.5);  // the scale's anchor: 1000 mel at 1 kHz
}

TEST(MelFeatures, AToneLightsItsBand) {
  // A tone at a band's centre puts the largest mel energy in that band.
  const MelFeatures f = plain_spectra(24);
  const double low = hertz_to_mel(0), high = hertz_to_mel(4000);
  for (int band : {3, 10, 18}) {
    const double centre = mel_to_hertz(low + (high - low) * (band + 1) / 25);
    const Eigen::MatrixXd m = f.log_mel(test::tone(centre, rate, 4000));
    Eigen::Index best = 0;
    m.row(5).maxCoeff(&best);
    EXPECT_EQ(best, band) << centre << " Hz";
  }
}

TEST(MelFeatures, CepstrumIsTheOrthonormalDct) {
  // Keeping every coefficient, the orthonormal DCT-II preserves the energy of each frame, and a
  // flat log-mel frame has only c0 = sqrt(B) * value.
  const MelFeatures f = plain_spectra(16);
  Eigen::MatrixXd frames(2, 16);
  std::mt19937 generator(5);
  std::normal_distribution<double> normal;
  for (int b = 0; b < 16; ++b) frames(0, b) = normal(generator), frames(1, b) = 2.5;
  const Eigen::MatrixXd c = f.cepstrum(frames, 16);
  EXPECT_NEAR(c.row(0).squaredNorm(), frames.row(0).squaredNorm(), 1e-12 * frames.row(0).squaredNorm());
  EXPECT_NEAR(c(1, 0), 4 * 2.5, 1e-12);
  EXPECT_LT(c.row(1).tail(15).cwiseAbs().maxCoeff(), 1e-12);
  // c1 of a cosine across the bands: x_b = cos(pi (b + 1/2) / B) has c_1 = sqrt(B / 2).
  Eigen::MatrixXd cosine(1, 16);
  for (int b = 0; b < 16; ++b) cosine(0, b) = std::cos(M_PI * (b + 0.5) / 16);
  const Eigen::MatrixXd c1 = f.cepstrum(cosine, 4);
  EXPECT_NEAR(c1(0, 1), std::sqrt(8.0), 1e-12);
  EXPECT_NEAR(c1(0, 0), 0.0, 1e-12);
}

LyonOptions linear_ear() {
  LyonOptions o;
  o.agc = false;
  o.differ = false;
  o.hop_ms = 0;
  return o;
}

/// Mean output of each channel over the last half of the signal.
Eigen::VectorXd mean_response(const std::vector<float>& x, const LyonOptions& o) {
  const Eigen::MatrixXd y = lyon_passive_ear(x, rate, o);
  return y.bottomRows(y.rows() / 2).colwise().mean().transpose();
}

TEST(LyonCochlea, FilterDesignFollowsSlaney) {
  // Place frequencies fall from below Nyquist, spaced by step_factor bandwidths: between two
  // neighbours, the integral of 1 / BW(f) df is step_factor / ear_q... to first order, (CF_n - CF_{n+1}) / BW = step_factor.
  const LyonOptions o;
  const LyonFilterBank bank = design_lyon_filters(rate, o);
  ASSERT_GT(bank.stages.size(), 40u);
  EXPECT_LT(bank.centre_frequency.front(), rate / 2);
  for (std::size_t n = 1; n < bank.centre_frequency.size(); ++n) {
    EXPECT_LT(bank.centre_frequency[n], bank.centre_frequency[n - 1]);
    const double spacing = (bank.centre_frequency[n - 1] - bank.centre_frequency[n]) /
                           std::sqrt(bank.bandwidth[n] * bank.bandwidth[n - 1]);
    EXPECT_NEAR(spacing, o.step_factor, 0.01 * o.step_factor);
  }
  // Each stage's DC gain is CF_{n-1} / CF_n, so the cascade's DC gain tracks the place frequency.
  for (std::size_t n = 1; n < bank.stages.size(); ++n)
    EXPECT_NEAR(bank.stages[n].gain(0, rate), bank.centre_frequency[n - 1] / bank.centre_frequency[n], 1e-12);
  // The ear filters have unit gain at fs / 4.
  EXPECT_NEAR(bank.ear[0].gain(rate / 4, rate), 1.0, 1e-12);
  EXPECT_NEAR(bank.ear[1].gain(rate / 4, rate), 1.0, 1e-12);
}

TEST(LyonCochlea, ATonePeaksAtItsPlace) {
  // Place coding (Lyon 1982): the channel that responds most to a tone has a place frequency within
  // one ear bandwidth BW(f) = sqrt(f^2 + 1 kHz^2) / ear_q of the tone, the model's own resolution.
  const LyonOptions o = linear_ear();
  const LyonFilterBank bank = design_lyon_filters(rate, o);
  for (double f : {250.0, 500.0, 1000.0, 2000.0, 3000.0}) {
    Eigen::Index best = 0;
    mean_response(test::tone(f, rate, 4000, 0.1), o).maxCoeff(&best);
    const double bandwidth = std::sqrt(f * f + 1e6) / o.ear_q;
    EXPECT_NEAR(bank.centre_frequency[static_cast<std::size_t>(best)], f, bandwidth) << f << " Hz";
  }
}

TEST(LyonCochlea, AClickTravelsFromBaseToApex) {
  // A click excites every place; the travelling wave reaches the low-frequency places last. The
  // delay of channel n, measured as the energy centroid t_n = sum t y_n(t)^2 / sum y_n(t)^2 of its
  // response, grows from the base (high CF) to the apex, and is a few periods of the place
  // frequency (the cascade's group delay at CF). Checked where the stages are resonant
  // (CF >= 300 Hz: pole quality CF / BW >= 2.3; near the apex it falls toward 1/2), from each
  // channel to the one an ear bandwidth further (4 channels at step_factor 1/4): between neighbours
  // the centroid ripples by a few per cent.
  const LyonOptions o = linear_ear();
  const LyonFilterBank bank = design_lyon_filters(rate, o);
  std::vector<float> click(4000, 0.0f);
  click[10] = 1.0f;
  const Eigen::MatrixXd y = lyon_passive_ear(click, rate, o);
  double previous = 0;
  for (Eigen::Index c = 0; c < y.cols(); c += 4) {
    const double cf = bank.centre_frequency[static_cast<std::size_t>(c)];
    if (cf < 300) break;
    double weighted = 0, energy = 0;
    for (Eigen::Index t = 0; t < y.rows(); ++t) weighted += (t - 10) * y(t, c) * y(t, c), energy += y(t, c) * y(t, c);
    const double delay = weighted / energy / rate;
    EXPECT_GT(delay, previous) << "channel " << c << " (" << cf << " Hz)";
    EXPECT_GT(delay * cf, 1.5) << cf;
    EXPECT_LT(delay * cf, 5.0) << cf;
    previous = delay;
  }
}

TEST(LyonCochlea, LinearWithoutCompressionCompressedWithIt) {
  // Without AGC the ear is a linear filter cascade followed by half-wave rectification: ten times
  // the input gives exactly ten times the output. With the four AGC stages a 20 dB louder tone
  // comes out less than 10 dB (a factor sqrt(10)) louder.
  const std::vector<float> quiet = test::tone(1000, rate, 8000, 0.01), loud = test::tone(1000, rate, 8000, 0.1);
  const LyonOptions linear = linear_ear();
  const Eigen::VectorXd a = mean_response(quiet, linear), b = mean_response(loud, linear);
  EXPECT_NEAR(b.sum() / a.sum(), 10.0, 1e-4);
  LyonOptions compressed = linear;
  compressed.agc = true;
  const double ratio = mean_response(loud, compressed).sum() / mean_response(quiet, compressed).sum();
  EXPECT_LT(ratio, std::sqrt(10.0));
  EXPECT_GT(ratio, 1.0);
}

TEST(LyonCochlea, DecimatesToTheFrameRate) {
  LyonOptions o;
  o.hop_ms = 10;
  const Eigen::MatrixXd y = lyon_passive_ear(test::tone(800, rate, 4000, 0.1), rate, o);
  EXPECT_EQ(y.rows(), 4000 / 80);
  EXPECT_GE(y.minCoeff(), 0.0);  // rectified and lateral-inhibited outputs are non-negative
}

TEST(AudioFeatures, ContextStackingAndStandardization) {
  FeatureFrames f(3, 2);
  f << 1, 2, 3, 4, 5, 6;
  const FeatureFrames s = stack_context(f, 1);
  ASSERT_EQ(s.cols(), 6);
  EXPECT_EQ(s.row(0), (Eigen::RowVectorXd(6) << 1, 2, 1, 2, 3, 4).finished());  // edge repeated
  EXPECT_EQ(s.row(2), (Eigen::RowVectorXd(6) << 3, 4, 5, 6, 5, 6).finished());
  const std::vector<FeatureFrames> frames{f, 2 * f};
  const FeatureNormalization n = FeatureNormalization::fit(frames, {0, 1});
  const FeatureFrames z0 = n.apply(frames[0]), z1 = n.apply(frames[1]);
  EXPECT_NEAR(z0.col(0).sum() + z1.col(0).sum(), 0.0, 1e-12);
  EXPECT_NEAR(z0.col(1).squaredNorm() + z1.col(1).squaredNorm(), 6.0, 1e-12);  // unit variance over 6 frames

  FeatureOptions options;
  options.kind = FeatureKind::mfcc;
  options.context_frames = 2;
  options.spectrogram.hop_ms = 20;
  const FeatureExtractor extractor(options, rate);
  EXPECT_EQ(extractor.channels(), 13 * 5);
  AudioClip clip;
  clip.sample_rate = rate;
  clip.samples = test::tone(440, rate, 4000);
  const FeatureFrames mfcc = extractor.compute(clip);
  EXPECT_EQ(mfcc.cols(), 65);
  EXPECT_EQ(mfcc.rows(), 1 + (4000 - 200) / 160);
}

}  // namespace
}  // namespace spinnet
