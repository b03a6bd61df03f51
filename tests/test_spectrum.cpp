// Welch PSD and spectral line analysis on synthetic signals whose spectra are known analytically:
// normalization (Parseval, white-noise level), a tone, a phase-diffusing oscillator's Lorentzian,
// and CUDA against CPU. Conventions are stated in include/spinnet/measure/spectrum.hpp.
#include "spinnet/measure/spectral_line.hpp"
#include "spinnet/measure/spectrum.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>
#include <ostream>
#include <random>
#include <stdexcept>
#include <vector>

#include "spinnet/core/errors.hpp"

#if defined(SPINNET_HAVE_CUDA)
#include <cuda_runtime.h>

#include "kernels/measure/spectrum_cuda.hpp"
#endif

namespace spinnet {
// Names the backend in test names and failure messages (found by GoogleTest through ADL).
void PrintTo(Backend backend, std::ostream* out) { *out << to_string(backend); }
}  // namespace spinnet

namespace {

using namespace spinnet;
constexpr double pi = std::numbers::pi;

RunOptions on(Backend backend, int threads = 0) {
  RunOptions run;
  run.backend = backend;
  run.threads = threads;
  return run;
}

/// Relative standard deviation of the Welch estimate of a white-noise level averaged over all
/// bins. That average is sum_n c_n x_n^2 with c_n = sum over segments covering n of
/// w[n - s hop]^2 / (segments * sum w^2); for Gaussian x, Var(sum c x^2) / E^2 = 2 sum c_n^2.
double white_level_relative_error(std::size_t signal_length, const WelchOptions& options) {
  const std::vector<double> w = window_values(options.window, options.segment_length);
  const std::size_t length = options.segment_length;
  const std::size_t hop = length - static_cast<std::size_t>(std::llround(options.overlap * length));
  const std::size_t segments = (signal_length - length) / hop + 1;
  double window_power = 0;
  for (const double v : w) window_power += v * v;
  std::vector<double> c(signal_length, 0.0);
  for (std::size_t s = 0; s < segments; ++s) {
    for (std::size_t n = 0; n < length; ++n) c[s * hop + n] += w[n] * w[n] / (segments * window_power);
  }
  double sum = 0;
  for (const double v : c) sum += v * v;
  return std::sqrt(2 * sum);
}

/// Tests run on every backend; CUDA cases skip where no GPU is visible and are required where one is.
class SpectrumOnBackend : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::cuda && !cuda_available()) GTEST_SKIP() << "no CUDA device visible";
  }
};

// A tone A cos(2 pi f t + phase) in weak white noise: the line sits at f, carries A^2 / 2 (its
// variance), and the floor is the noise's 2 sigma^2 dt. One batch holds tones at 0, 0.25 and 0.5
// bins off the grid, the worst cases for interpolation.
TEST_P(SpectrumOnBackend, ToneFrequencyAndPower) {
  const double dt = 50e-12, amplitude = 0.8, sigma = 1e-3;
  WelchOptions options;
  options.segment_length = 1024;
  const std::size_t samples = std::size_t{1} << 17;
  const double bin = 1 / (options.segment_length * dt);
  const std::vector<double> offsets = {0.0, 0.25, 0.5};
  std::vector<double> signals(offsets.size() * samples);
  std::mt19937_64 rng(11);
  std::normal_distribution<double> noise(0, sigma);
  for (std::size_t i = 0; i < offsets.size(); ++i) {
    const double f = (137 + offsets[i]) * bin;
    for (std::size_t n = 0; n < samples; ++n) {
      signals[i * samples + n] = amplitude * std::cos(2 * pi * f * n * dt + 0.3 + i) + noise(rng);
    }
  }
  const PowerSpectrumBatch batch = welch_psd_batch(signals, offsets.size(), dt, options, on(GetParam()));
  EXPECT_EQ(batch.backend, to_string(GetParam()));
  ASSERT_EQ(batch.bins, options.segment_length / 2 + 1);
  EXPECT_DOUBLE_EQ(batch.resolution, bin);
  EXPECT_EQ(batch.segments, (samples - 1024) / 512 + 1);

  for (std::size_t i = 0; i < offsets.size(); ++i) {
    const SpectralLine line = analyze_line(batch.frequency, batch.row(i));
    const double f = (137 + offsets[i]) * bin;
    // A parabola through log S of the Hann main lobe is biased by at most 0.016 bin (largest
    // over offsets 0..0.5, measured noise-free); noise at SNR 1e5 per bin moves it by ~1e-5 bin.
    EXPECT_NEAR(line.peak_frequency, f, 0.03 * bin) << "offset " << offsets[i];
    // Hann sidelobes fall as 1/f^3 in amplitude: power beyond the +-4-bin window is < 1e-4 of the
    // tone; the background-subtracted noise in the window is ~1e-8 of it.
    EXPECT_NEAR(line.integrated_power, amplitude * amplitude / 2, 1e-3 * amplitude * amplitude / 2);
    // The floor is the median of the noise bins: 2 sigma^2 dt, each bin scattering by ~1/sqrt(2
    // segments) ~ 4 %; the median of many bins of such a chi-square is within a few % of the mean.
    EXPECT_NEAR(line.background, 2 * sigma * sigma * dt, 0.05 * 2 * sigma * sigma * dt);
    // A tone is narrower than the window's response: the fit must say it measured the window.
    EXPECT_NE(line.fit.quality, FitQuality::good);
  }
}

// White noise of variance sigma^2 (on a DC offset, removed per segment) has the flat one-sided
// level 2 sigma^2 dt. The estimate's statistical error follows from the window weights.
TEST_P(SpectrumOnBackend, WhiteNoiseLevelIsTwoSigmaSquaredDt) {
  const double dt = 1e-3, sigma = 0.7;
  const std::size_t samples = std::size_t{1} << 20;
  WelchOptions options;
  options.segment_length = 512;
  std::mt19937_64 rng(2024);
  std::normal_distribution<double> noise(3.0, sigma);
  std::vector<double> x(samples);
  for (double& v : x) v = noise(rng);

  const PowerSpectrum spectrum = welch_psd(x, dt, options, on(GetParam()));
  // Bins 0-2 hold what mean removal leaves (the mean times the window's transform); skip them
  // and the Nyquist bin, which has half the weight.
  double level = 0;
  std::size_t count = 0;
  for (std::size_t k = 3; k + 1 < spectrum.density.size(); ++k, ++count) level += spectrum.density[k];
  level /= static_cast<double>(count);
  const double expected = 2 * sigma * sigma * dt;
  const double relative_error = white_level_relative_error(samples, options);  // 0.14 % here
  EXPECT_NEAR(level, expected, 4 * relative_error * expected) << "statistical error " << relative_error;
}

INSTANTIATE_TEST_SUITE_P(Backends, SpectrumOnBackend, ::testing::Values(Backend::cpu, Backend::cuda),
                         [](const auto& info) { return to_string(info.param); });

// Parseval, exactly: with a rectangular window and no overlap, sum_k S_k df is the mean over
// segments of each segment's variance (mean removed), to rounding.
TEST(Spectrum, ParsevalWithRectangularWindow) {
  const double dt = 2e-9;
  WelchOptions options;
  options.segment_length = 300;  // even, not a power of 2
  options.overlap = 0;
  options.window = Window::rectangular;
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> uniform(-1, 2);
  std::vector<double> x(300 * 7 + 123);  // the 123 trailing samples fill no segment and are dropped
  for (double& v : x) v = uniform(rng) + 0.4 * std::sin(0.05 * static_cast<double>(&v - x.data()));

  const PowerSpectrum spectrum = welch_psd(x, dt, options, on(Backend::cpu));
  ASSERT_EQ(spectrum.segments, 7u);
  double integral = 0;
  for (const double s : spectrum.density) integral += s * spectrum.resolution;
  double variance = 0;
  for (std::size_t s = 0; s < 7; ++s) {
    const auto first = x.begin() + static_cast<std::ptrdiff_t>(300 * s);
    const double mean = std::accumulate(first, first + 300, 0.0) / 300;
    for (auto it = first; it != first + 300; ++it) variance += (*it - mean) * (*it - mean) / (300.0 * 7);
  }
  EXPECT_NEAR(integral, variance, 1e-12 * variance);
  EXPECT_NEAR(spectrum.density[0], 0, 1e-12 * spectrum.density[1]);  // the means are gone
}

// An oscillator whose phase diffuses, x(t) = cos(2 pi f0 t + phi(t)) with <(phi(t) - phi(0))^2> =
// 2 D t, has autocorrelation cos(2 pi f0 tau) exp(-D |tau|) / 2, hence a Lorentzian line of FWHM
// D / pi Hz holding the whole variance 1/2 (the sampled process has exactly this autocorrelation
// at the sample times; aliasing adds a flat floor ~ 1e-5 of the peak, taken up by the background).
TEST(Spectrum, PhaseDiffusionGivesLorentzianOfWidthDOverPi) {
  const double dt = 50e-12, f0 = 4e9, fwhm = 100e6, D = pi * fwhm;
  const std::size_t samples = std::size_t{1} << 21;  // 105 us
  WelchOptions options;
  options.segment_length = 8192;  // resolution 2.44 MHz: the line is 41 bins wide; 511 segments
  std::mt19937_64 rng(20240601);
  std::normal_distribution<double> increment(0, std::sqrt(2 * D * dt));
  std::vector<double> x(samples);
  double phase = 0;
  for (std::size_t n = 0; n < samples; ++n) {
    x[n] = std::cos(2 * pi * f0 * static_cast<double>(n) * dt + phase);
    phase += increment(rng);
  }

  const PowerSpectrum spectrum = welch_psd(x, dt, options, on(Backend::cpu));
  double integral = 0;
  for (const double s : spectrum.density) integral += s * spectrum.resolution;
  // Parseval: the windowed mean square of cos is 1/2 up to terms ~ 1 / (f0 T) ~ 1e-4.
  EXPECT_NEAR(integral, 0.5, 1e-3);

  const SpectralLine line = analyze_line(spectrum);
  const LorentzianFit& fit = line.fit;
  ASSERT_EQ(fit.quality, FitQuality::good) << to_string(fit.quality);
  // Statistical error of the Welch average: the fit's standard errors assume independent bins;
  // Hann bins are correlated over its equivalent noise bandwidth of 1.5 bins, so scale by
  // sqrt(1.5) (over 30 seeds the FWHM scattered by 1.27 times the reported error). The window
  // also broadens the line: a kernel of variance 1/3 bin^2 widens a Lorentzian of half width
  // gamma by 1.5 (1/3) / gamma^2 (second-order expansion), 0.12 % here.
  const double bins_half_width = fwhm / 2 / spectrum.resolution;
  const double window_broadening = 0.5 / (bins_half_width * bins_half_width) * fwhm;
  ASSERT_LT(fit.fwhm_error, 0.02 * fwhm) << "the average is too short to test anything";
  EXPECT_NEAR(fit.fwhm, fwhm, 4 * std::sqrt(1.5) * fit.fwhm_error + window_broadening)
      << "fit error " << fit.fwhm_error / fwhm;
  EXPECT_NEAR(fit.center, f0, 4 * std::sqrt(1.5) * fit.center_error);
  EXPECT_NEAR(fit.amplitude, 1 / D, 4 * std::sqrt(1.5) * fit.amplitude_error + window_broadening / fwhm / D);
  // The area pi/2 A w is the line's power; its relative error is at most the sum of A's and w's.
  EXPECT_NEAR(fit.power(), 0.5,
              0.5 * 4 * std::sqrt(1.5) * (fit.fwhm_error / fwhm + fit.amplitude_error * D) + 0.5 * 1e-3);
  // The interpolated peak lies within the fit's own error of f0 (the line is 41 bins wide).
  EXPECT_NEAR(line.peak_frequency, f0, 0.1 * fwhm);
}

// Noise-free Lorentzian on a grid: Levenberg-Marquardt from a guess 20-30 % off converges to the
// generating parameters to rounding.
TEST(Spectrum, LorentzianFitRecoversExactParameters) {
  const double bin = 1e6, center = 500.3e6, fwhm = 12e6, amplitude = 2e-9, background = 1e-11;
  std::vector<double> f(1001), s(1001);
  LorentzianFit truth;
  truth.center = center, truth.fwhm = fwhm, truth.amplitude = amplitude, truth.background = background;
  for (std::size_t k = 0; k < f.size(); ++k) {
    f[k] = static_cast<double>(k) * bin;
    s[k] = truth(f[k]);
  }
  LorentzianFit guess;
  guess.center = center + 2.5 * bin, guess.fwhm = 1.3 * fwhm, guess.amplitude = 0.8 * amplitude;
  guess.background = 0;
  for (const bool weighted : {false, true}) {
    const LorentzianFit fit = fit_lorentzian(f, s, center - 6 * fwhm, center + 6 * fwhm, guess, weighted);
    EXPECT_EQ(fit.quality, FitQuality::good) << to_string(fit.quality);
    EXPECT_NEAR(fit.center, center, 1e-8 * fwhm);
    EXPECT_NEAR(fit.fwhm, fwhm, 1e-8 * fwhm);
    EXPECT_NEAR(fit.amplitude, amplitude, 1e-8 * amplitude);
    EXPECT_NEAR(fit.background, background, 1e-8 * amplitude);
    EXPECT_EQ(fit.points, 144u);  // bins 429 .. 572
  }
  LorentzianFit narrow_guess = guess;
  EXPECT_EQ(fit_lorentzian(f, s, center - 2 * bin, center + 2 * bin, narrow_guess).quality,
            FitQuality::too_few_points);
}

// Half-maximum width of a line only a few bins wide (noise-free Lorentzian, FWHM 3.7 bins): linear
// interpolation between bins misplaces each crossing by at most (bin^2 / 8) |S''| / |S'| =
// bin^2 / (4 FWHM) (both taken at the half maximum, where |S''| / |S'| = 2 / FWHM), so the width by
// at most bin^2 / (2 FWHM).
TEST(Spectrum, HalfMaximumWidthOfNarrowLine) {
  const double bin = 1.0, fwhm = 3.7;
  for (const double offset : {0.0, 0.2, 0.5}) {
    LorentzianFit line;
    line.center = 50 + offset, line.fwhm = fwhm, line.amplitude = 1, line.background = 0.01;
    std::vector<double> f(101), s(101);
    for (std::size_t k = 0; k < f.size(); ++k) {
      f[k] = static_cast<double>(k) * bin;
      s[k] = line(f[k]);
    }
    const double width = half_maximum_width(f, s, 50, line.amplitude + line.background, line.background);
    EXPECT_NEAR(width, fwhm, bin * bin / (2 * fwhm)) << "offset " << offset;
  }
}

// A batch row is the single-signal spectrum bit for bit, whether a signal's segment blocks run on
// one thread or several; float input is converted exactly to double on the CPU.
TEST(Spectrum, BatchRowsEqualSingleSignals) {
  const double dt = 1e-10;
  const std::size_t samples = 1 << 16, count = 3;
  WelchOptions options;
  options.segment_length = 256;  // 511 segments: 32 blocks of 16
  std::mt19937_64 rng(77);
  std::normal_distribution<float> noise;
  std::vector<float> single_precision(count * samples);
  for (float& v : single_precision) v = noise(rng);
  const std::vector<double> signals(single_precision.begin(), single_precision.end());

  const PowerSpectrumBatch by_signal = welch_psd_batch(signals, count, dt, options, on(Backend::cpu, 1));
  const PowerSpectrumBatch by_block = welch_psd_batch(signals, count, dt, options, on(Backend::cpu, 4));
  const PowerSpectrumBatch from_float = welch_psd_batch(single_precision, count, dt, options, on(Backend::cpu, 2));
  EXPECT_EQ(by_signal.density, by_block.density);
  EXPECT_EQ(by_signal.density, from_float.density);
  for (std::size_t i = 0; i < count; ++i) {
    const std::span<const double> signal(signals.data() + i * samples, samples);
    const PowerSpectrum alone = welch_psd(signal, dt, options, on(Backend::cpu));
    const std::span<const double> row = by_signal.row(i);
    EXPECT_TRUE(std::equal(row.begin(), row.end(), alone.density.begin(), alone.density.end())) << "signal " << i;
  }
}

TEST(Spectrum, ClearErrors) {
  const std::vector<double> x(1000, 1.0);
  WelchOptions options;
  options.segment_length = 1001;
  const RunOptions cpu = on(Backend::cpu);
  try {
    welch_psd(x, 1e-9, options, cpu);
    FAIL() << "a segment longer than the signal must be refused";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("1001"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("1000 samples"), std::string::npos) << error.what();
  }
  options.segment_length = 100;
  EXPECT_THROW(welch_psd(x, 0.0, options, cpu), std::invalid_argument);
  EXPECT_THROW(welch_psd(x, -1e-9, options, cpu), std::invalid_argument);
  EXPECT_THROW(welch_psd(x, std::nan(""), options, cpu), std::invalid_argument);
  options.overlap = 1.0;
  EXPECT_THROW(welch_psd(x, 1e-9, options, cpu), std::invalid_argument);
  options.overlap = 0.5;
  options.segment_length = 1;
  EXPECT_THROW(welch_psd(x, 1e-9, options, cpu), std::invalid_argument);
  options.segment_length = 100;
  EXPECT_THROW(welch_psd_batch(x, 3, 1e-9, options, cpu), std::invalid_argument);  // 1000 samples, 3 signals
  EXPECT_THROW(welch_psd_batch(x, 0, 1e-9, options, cpu), std::invalid_argument);
  if (!cuda_available()) {
    EXPECT_THROW(welch_psd(x, 1e-9, options, on(Backend::cuda)), RunError);
    EXPECT_THROW(welch_psd_batch_on_device(nullptr, 1, 1000, 1e-9, options), RunError);
  }

  const PowerSpectrum spectrum = welch_psd(x, 1e-9, options, cpu);
  EXPECT_THROW(analyze_line(spectrum.frequency, std::span<const double>(spectrum.density).first(10)),
               std::invalid_argument);
  LineOptions line_options;
  line_options.frequency_min = 2e9;  // above Nyquist (0.5 GHz)
  EXPECT_THROW(analyze_line(spectrum, line_options), std::invalid_argument);
}

// The CUDA PSD equals the CPU PSD to the FFT's rounding: cuFFT in float has relative error
// ~ eps_float log2(L) ~ 1e-6 of the spectrum's scale, so bins are compared within 1e-5 of
// (their value + the row's mean); in double, within 1e-11. Required where a GPU is visible.
TEST(SpectrumCuda, MatchesCpu) {
  if (!cuda_available()) GTEST_SKIP() << "no CUDA device visible";
#if defined(SPINNET_HAVE_CUDA)
  const double dt = 25e-12;
  const std::size_t samples = 40000, count = 5;
  WelchOptions options;
  options.segment_length = 1000;  // 79 segments per signal
  std::mt19937_64 rng(3);
  std::normal_distribution<double> noise(0.1, 0.05);
  std::vector<double> signals(count * samples);
  for (std::size_t i = 0; i < count; ++i) {
    for (std::size_t n = 0; n < samples; ++n) {
      signals[i * samples + n] = std::cos(2 * pi * (3e9 + 1e8 * i) * n * dt) + noise(rng);
    }
  }
  const std::vector<float> single_precision(signals.begin(), signals.end());

  auto expect_close = [&](const PowerSpectrumBatch& gpu, const PowerSpectrumBatch& cpu, double tolerance,
                          const char* what) {
    ASSERT_EQ(gpu.density.size(), cpu.density.size()) << what;
    EXPECT_EQ(gpu.frequency, cpu.frequency) << what;
    for (std::size_t i = 0; i < count; ++i) {
      const std::span<const double> g = gpu.row(i), c = cpu.row(i);
      const double mean = std::accumulate(c.begin(), c.end(), 0.0) / static_cast<double>(c.size());
      for (std::size_t k = 0; k < c.size(); ++k) {
        ASSERT_NEAR(g[k], c[k], tolerance * (c[k] + mean)) << what << ", signal " << i << ", bin " << k;
      }
    }
  };
  const PowerSpectrumBatch cpu_float = welch_psd_batch(single_precision, count, dt, options, on(Backend::cpu));
  const PowerSpectrumBatch gpu_float = welch_psd_batch(single_precision, count, dt, options, on(Backend::cuda));
  EXPECT_EQ(gpu_float.backend, "cuda");
  expect_close(gpu_float, cpu_float, 1e-5, "float");

  const PowerSpectrumBatch cpu_double = welch_psd_batch(signals, count, dt, options, on(Backend::cpu));
  const PowerSpectrumBatch gpu_double = welch_psd_batch(signals, count, dt, options, on(Backend::cuda));
  expect_close(gpu_double, cpu_double, 1e-11, "double");

  // Batch of one on the GPU: row 2 alone.
  const PowerSpectrum one = welch_psd(std::span<const float>(single_precision).subspan(2 * samples, samples), dt,
                                      options, on(Backend::cuda));
  for (std::size_t k = 0; k < one.density.size(); ++k) {
    ASSERT_NEAR(one.density[k], cpu_float.row(2)[k], 1e-5 * (cpu_float.row(2)[k] + one.density[1])) << "bin " << k;
  }

  // Signals already in GPU memory.
  float* device = nullptr;
  ASSERT_EQ(cudaMalloc(&device, single_precision.size() * sizeof(float)), cudaSuccess);
  ASSERT_EQ(cudaMemcpy(device, single_precision.data(), single_precision.size() * sizeof(float),
                       cudaMemcpyHostToDevice),
            cudaSuccess);
  const PowerSpectrumBatch resident = welch_psd_batch_on_device(device, count, samples, dt, options);
  cudaFree(device);
  expect_close(resident, cpu_float, 1e-5, "device-resident float");

  // Chunks of 7 (signal, segment) items cut across signals: same sums as one chunk.
  const std::size_t hop = 500, segments = 79, bins = 501;
  const std::vector<double> window = window_values(Window::hann, 1000);
  std::vector<double> whole(count * bins), chunked(count * bins);
  cuda::welch_periodogram_sums<float>(single_precision.data(), false, count, samples, 1000, hop, segments,
                                      window.data(), whole.data());
  cuda::welch_periodogram_sums<float>(single_precision.data(), false, count, samples, 1000, hop, segments,
                                      window.data(), chunked.data(), 7);
  const double mean = std::accumulate(whole.begin(), whole.end(), 0.0) / static_cast<double>(whole.size());
  for (std::size_t j = 0; j < whole.size(); ++j) ASSERT_NEAR(chunked[j], whole[j], 1e-5 * (whole[j] + mean)) << j;
#endif
}

}  // namespace
