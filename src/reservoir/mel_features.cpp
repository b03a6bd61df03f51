// Power spectra, mel spectrograms and MFCCs with FFTW (mel_features.hpp).
#include "spinnet/reservoir/mel_features.hpp"

#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace spinnet {
namespace {
constexpr double pi = 3.14159265358979323846;
}

double hertz_to_mel(double f) { return 2595.0 * std::log10(1.0 + f / 700.0); }
double mel_to_hertz(double mel) { return 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0); }

Eigen::MatrixXd mel_filterbank(int bands, int fft_size, double sample_rate, double f_min_Hz, double f_max_Hz) {
  if (bands < 1 || fft_size < 2 || !(f_max_Hz > f_min_Hz) || f_min_Hz < 0)
    throw std::invalid_argument("mel_filterbank: bands >= 1, fft_size >= 2 and 0 <= f_min < f_max");
  const int bins = fft_size / 2 + 1;
  const double low = hertz_to_mel(f_min_Hz), high = hertz_to_mel(f_max_Hz);
  std::vector<double> edge(static_cast<std::size_t>(bands) + 2);
  for (int p = 0; p < bands + 2; ++p) edge[static_cast<std::size_t>(p)] = mel_to_hertz(low + (high - low) * p / (bands + 1));
  Eigen::MatrixXd bank = Eigen::MatrixXd::Zero(bands, bins);
  for (int b = 0; b < bands; ++b) {
    const double left = edge[static_cast<std::size_t>(b)], centre = edge[static_cast<std::size_t>(b) + 1],
                 right = edge[static_cast<std::size_t>(b) + 2];
    for (int k = 0; k < bins; ++k) {
      const double f = k * sample_rate / fft_size;
      const double rise = (f - left) / (centre - left), fall = (right - f) / (right - centre);
      bank(b, k) = std::max(0.0, std::min(rise, fall));
    }
  }
  return bank;
}

struct MelFeatures::Plans {
  fftw_plan forward = nullptr;  // r2c of size N
  fftw_plan dct = nullptr;      // REDFT10 of size bands
  ~Plans() {
    if (forward) fftw_destroy_plan(forward);
    if (dct) fftw_destroy_plan(dct);
  }
};

MelFeatures::MelFeatures(double sample_rate, const SpectrogramOptions& spectrogram, const MelOptions& mel)
    : rate_(sample_rate), spectrogram_(spectrogram), mel_(mel), plans_(std::make_unique<Plans>()) {
  window_ = static_cast<int>(std::lround(spectrogram.window_ms * sample_rate / 1000));
  hop_ = static_cast<int>(std::lround(spectrogram.hop_ms * sample_rate / 1000));
  if (window_ < 2 || hop_ < 1) throw std::invalid_argument("MelFeatures: the window needs 2 samples and the hop 1");
  fft_size_ = spectrogram.fft_size;
  if (fft_size_ == 0) {
    fft_size_ = 1;
    while (fft_size_ < window_) fft_size_ *= 2;
  }
  if (fft_size_ < window_) throw std::invalid_argument("MelFeatures: the FFT is shorter than the window");
  hamming_.resize(static_cast<std::size_t>(window_));
  window_energy_ = 0;
  for (int n = 0; n < window_; ++n) {
    hamming_[static_cast<std::size_t>(n)] = 0.54 - 0.46 * std::cos(2 * pi * n / (window_ - 1));
    window_energy_ += hamming_[static_cast<std::size_t>(n)] * hamming_[static_cast<std::size_t>(n)];
  }
  const double f_max = mel.f_max_Hz > 0 ? mel.f_max_Hz : sample_rate / 2;
  filterbank_ = mel_filterbank(mel.bands, fft_size_, sample_rate, mel.f_min_Hz, f_max);
  // Plans on scratch arrays; the transforms run on each call's own arrays (new-array execute,
  // FFTW_UNALIGNED so that any std::vector storage qualifies).
  std::vector<double> in(static_cast<std::size_t>(fft_size_)), dct_in(static_cast<std::size_t>(mel.bands)),
      dct_out(static_cast<std::size_t>(mel.bands));
  std::vector<fftw_complex> out(static_cast<std::size_t>(fft_size_ / 2 + 1));
  plans_->forward = fftw_plan_dft_r2c_1d(fft_size_, in.data(), out.data(), FFTW_ESTIMATE | FFTW_UNALIGNED);
  plans_->dct = fftw_plan_r2r_1d(mel.bands, dct_in.data(), dct_out.data(), FFTW_REDFT10, FFTW_ESTIMATE | FFTW_UNALIGNED);
  if (!plans_->forward || !plans_->dct) throw std::runtime_error("MelFeatures: FFTW could not plan the transforms");
}

MelFeatures::~MelFeatures() = default;

Eigen::MatrixXd MelFeatures::power_spectrogram(const std::vector<float>& x) const {
  const auto size = static_cast<std::ptrdiff_t>(x.size());
  std::vector<double> emphasized(x.size());
  for (std::ptrdiff_t n = 0; n < size; ++n)
    emphasized[static_cast<std::size_t>(n)] =
        x[static_cast<std::size_t>(n)] - (n > 0 ? spectrogram_.pre_emphasis * x[static_cast<std::size_t>(n - 1)] : 0.0);
  const std::ptrdiff_t frames = size <= window_ ? 1 : 1 + (size - window_) / hop_;
  const int bins = fft_size_ / 2 + 1;
  Eigen::MatrixXd power(frames, bins);
  std::vector<double> in(static_cast<std::size_t>(fft_size_));
  std::vector<fftw_complex> out(static_cast<std::size_t>(bins));
  for (std::ptrdiff_t t = 0; t < frames; ++t) {
    std::fill(in.begin(), in.end(), 0.0);
    for (int n = 0; n < window_; ++n) {
      const std::ptrdiff_t i = t * hop_ + n;
      if (i < size) in[static_cast<std::size_t>(n)] = hamming_[static_cast<std::size_t>(n)] * emphasized[static_cast<std::size_t>(i)];
    }
    fftw_execute_dft_r2c(plans_->forward, in.data(), out.data());
    for (int k = 0; k < bins; ++k)
      power(t, k) = (out[static_cast<std::size_t>(k)][0] * out[static_cast<std::size_t>(k)][0] +
                     out[static_cast<std::size_t>(k)][1] * out[static_cast<std::size_t>(k)][1]) /
                    window_energy_;
  }
  return power;
}

Eigen::MatrixXd MelFeatures::log_mel(const std::vector<float>& x) const {
  const Eigen::MatrixXd mel = power_spectrogram(x) * filterbank_.transpose();
  return (mel.array() + mel_.log_floor).log().matrix();
}

Eigen::MatrixXd MelFeatures::cepstrum(const Eigen::MatrixXd& log_mel, int coefficients) const {
  const int bands = static_cast<int>(log_mel.cols());
  if (bands != mel_.bands || coefficients < 1 || coefficients > bands)
    throw std::invalid_argument("MelFeatures::cepstrum: 1 <= coefficients <= bands");
  Eigen::MatrixXd out(log_mel.rows(), coefficients);
  std::vector<double> in(static_cast<std::size_t>(bands)), y(static_cast<std::size_t>(bands));
  // FFTW's REDFT10 is Y_j = 2 sum_b x_b cos(pi j (b + 1/2) / B); orthonormal: Y_0 sqrt(1 / 4B), Y_j sqrt(1 / 2B).
  const double scale0 = std::sqrt(1.0 / (4.0 * bands)), scale = std::sqrt(1.0 / (2.0 * bands));
  for (Eigen::Index t = 0; t < log_mel.rows(); ++t) {
    for (int b = 0; b < bands; ++b) in[static_cast<std::size_t>(b)] = log_mel(t, b);
    fftw_execute_r2r(plans_->dct, in.data(), y.data());
    for (int j = 0; j < coefficients; ++j) out(t, j) = y[static_cast<std::size_t>(j)] * (j == 0 ? scale0 : scale);
  }
  return out;
}

Eigen::MatrixXd MelFeatures::mfcc(const std::vector<float>& x, int coefficients) const {
  return cepstrum(log_mel(x), coefficients);
}

}  // namespace spinnet
