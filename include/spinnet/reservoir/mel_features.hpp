// Short-time power spectra, mel spectrograms and mel-frequency cepstral coefficients of a recording
// (FFTW): the two spectral front ends of the spoken-digit reservoir.
//
//   frame t: x_t[n] = w[n] e[t H + n], n < W     (e: pre-emphasized signal, w: Hamming window)
//   power:   P_t[k] = |FFT_N(x_t)[k]|^2 / sum_n w[n]^2,  k = 0 .. N/2     (N >= W, zero-padded)
//   mel:     M_t[b] = ln(floor + sum_k F[b][k] P_t[k])      F: triangular filters on the HTK mel scale
//   MFCC:    C_t[j] = sum_b M_t[b] c_j cos(pi j (b + 1/2) / B),  the orthonormal DCT-II, j < J
// (S. B. Davis and P. Mermelstein, IEEE Trans. ASSP 28, 357 (1980); the mel scale
// 2595 log10(1 + f / 700 Hz) and peak-1 triangles as in HTK, S. Young et al., "The HTK Book").
#pragma once

#include <Eigen/Core>

#include <memory>
#include <vector>

namespace spinnet {

struct SpectrogramOptions {
  double window_ms = 25;      // W = round(window_ms * rate / 1000) samples
  double hop_ms = 10;         // H: the frame period
  double pre_emphasis = 0.97; // e[n] = x[n] - a x[n - 1]; 0: none
  int fft_size = 0;           // N; 0: the smallest power of two >= W
};

struct MelOptions {
  int bands = 40;
  double f_min_Hz = 0;
  double f_max_Hz = 0;         // 0: the Nyquist frequency
  double log_floor = 1e-10;    // added inside the logarithm
};

/// The triangular mel filterbank, bands x (N/2 + 1): band b rises from mel point b to b + 1 and
/// falls to b + 2, on bands + 2 points equally spaced in mel between f_min and f_max.
Eigen::MatrixXd mel_filterbank(int bands, int fft_size, double sample_rate, double f_min_Hz, double f_max_Hz);

/// mel(f) = 2595 log10(1 + f / 700 Hz) and its inverse.
double hertz_to_mel(double f);
double mel_to_hertz(double mel);

/// Spectra of one sample rate and framing; the FFTW plans are made once, in the constructor (not
/// thread-safe), and the transforms may then run from any number of threads.
class MelFeatures {
 public:
  MelFeatures(double sample_rate, const SpectrogramOptions& spectrogram, const MelOptions& mel);
  ~MelFeatures();
  MelFeatures(const MelFeatures&) = delete;
  MelFeatures& operator=(const MelFeatures&) = delete;

  /// frames x (N/2 + 1); one frame (zero-padded) when the signal is shorter than a window.
  Eigen::MatrixXd power_spectrogram(const std::vector<float>& x) const;
  /// frames x bands.
  Eigen::MatrixXd log_mel(const std::vector<float>& x) const;
  /// frames x coefficients (the first `coefficients` of the orthonormal DCT-II of the log-mel frame).
  Eigen::MatrixXd mfcc(const std::vector<float>& x, int coefficients) const;
  /// The orthonormal DCT-II of each row of `log_mel` (FFTW REDFT10), first `coefficients` kept.
  Eigen::MatrixXd cepstrum(const Eigen::MatrixXd& log_mel, int coefficients) const;

  int window_samples() const { return window_; }
  int hop_samples() const { return hop_; }
  int fft_size() const { return fft_size_; }
  const Eigen::MatrixXd& filterbank() const { return filterbank_; }

 private:
  struct Plans;
  double rate_;
  SpectrogramOptions spectrogram_;
  MelOptions mel_;
  int window_ = 0, hop_ = 0, fft_size_ = 0;
  std::vector<double> hamming_;
  double window_energy_ = 0;
  Eigen::MatrixXd filterbank_;
  std::unique_ptr<Plans> plans_;
};

}  // namespace spinnet
