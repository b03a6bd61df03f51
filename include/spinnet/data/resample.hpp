// Band-limited resampling of a recording to another sample rate.
#pragma once

#include <vector>

namespace spinnet {

struct ResampleOptions {
  double passband = 0.9;      // cutoff as a fraction of the lower of the two Nyquist frequencies
  int zero_crossings = 24;    // of the sinc on each side of the centre
  double kaiser_beta = 9.0;   // Kaiser window shape: ~ -90 dB side lobes
};

/// x sampled at `from_rate` resampled to `to_rate` (Hz) by windowed-sinc interpolation (J. O. Smith,
/// "Digital Audio Resampling Home Page", CCRMA; J. F. Kaiser's window, 1974): output sample n at time
/// n / to_rate is sum_k x[k] h(n from_rate / to_rate - k), h the Kaiser-windowed ideal low-pass at
/// `passband` of the lower Nyquist frequency, so that downsampling does not alias. Output length
/// floor((size - 1) to_rate / from_rate) + 1; the signal is zero outside its samples.
std::vector<float> resample(const std::vector<float>& x, double from_rate, double to_rate,
                            const ResampleOptions& options = {});

}  // namespace spinnet
