// Lyon's passive cochlear model: the front end Torrejon et al. (Nature 547, 428 (2017)) used for
// spoken digits. Implemented from its published description: R. F. Lyon, "A computational model of
// filtering, detection and compression in the cochlea", Proc. IEEE ICASSP 1982, 1282, and
// M. Slaney, "Lyon's Cochlear Model", Apple Computer Technical Report #13 (1988), whose design
// procedure and constants are followed here:
//
// 1. Outer and middle ear: a first-order pre-emphasis zero at 300 Hz, then a resonator at the top
//    frequency with zeros at DC and Nyquist, both with unit gain at fs / 4.
// 2. The basilar membrane as a cascade of second-order sections (the travelling wave): stage n has a
//    pole pair at its place frequency CF_n with quality Q_n = CF_n / BW(CF_n), and a zero pair
//    slightly above it, CF_n + BW step zero_offset, of quality sharpness CF_z / BW, where
//      BW(f) = sqrt(f^2 + f_break^2) / ear_q          (ear bandwidth; f_break = 1 kHz)
//    and the place frequencies are spaced by step_factor bandwidths (derived by integrating
//    1 / BW(f) in place): CF_n = (c e^{-n s / Q} - f_break^2 e^{n s / Q} / c) / 2, c = f_top + sqrt(f_top^2 + f_break^2),
//    s = step_factor, Q = ear_q. Stage n has DC gain CF_{n-1} / CF_n, so the cascade's DC gain
//    tracks the place frequency. The output of every stage is one channel (the basilar-membrane
//    velocity at that place); the two ear filters are not channels.
// 3. Detection: half-wave rectification (inner hair cells).
// 4. Compression: four cascaded automatic-gain-control stages (time constants 640, 160, 40, 10 ms,
//    targets 0.0032, 0.0016, 0.0008, 0.0004): out = in (1 - state), and the state is the target-
//    normalized output low-passed in time and spread over the neighbouring channels,
//      state_n <- eps |out_n| / target + (1 - eps) (state_{n-1} + state_n + state_{n+1}) / 3,
//    limited to 0.9 (eps = 1 - exp(-1 / (tau fs))).
// 5. Lateral inhibition: channel n minus channel n - 1, half-wave rectified (the first channel kept).
// 6. Decimation to the frame rate: a two-pole low-pass of time constant tau_factor / frame rate
//    with unit DC gain, sampled at the end of every frame.
#pragma once

#include <Eigen/Core>

#include <array>
#include <vector>

namespace spinnet {

struct LyonOptions {
  double ear_q = 8;            // quality of the ear filters
  double step_factor = 0.25;   // channel spacing in bandwidths (Slaney's default ear_q / 32)
  double break_frequency_Hz = 1000;
  double zero_offset = 1.5;
  double sharpness = 5;
  double preemphasis_corner_Hz = 300;
  bool agc = true;             // compression (step 4)
  bool differ = true;          // lateral inhibition (step 5)
  double hop_ms = 10;          // frame period of the output (step 6); 0: every sample, no smoothing
  double tau_factor = 3;       // decimation low-pass time constant, in frames
};

/// y = (a0 x + a1 x[-1] + a2 x[-2]) - b1 y[-1] - b2 y[-2].
struct Biquad {
  double a0 = 1, a1 = 0, a2 = 0, b1 = 0, b2 = 0;
  /// |H(e^{i 2 pi f / fs})|.
  double gain(double f, double sample_rate) const;
  /// Scales the numerator to |H(f)| = desired.
  void set_gain(double desired, double f, double sample_rate);
};

struct LyonFilterBank {
  std::array<Biquad, 2> ear;             // pre-emphasis, then the top-frequency resonator
  std::vector<Biquad> stages;            // the cochlear cascade, highest place frequency first
  std::vector<double> centre_frequency;  // CF_n, Hz
  std::vector<double> bandwidth;         // BW(CF_n), Hz
  double top_frequency = 0;              // Hz
};

/// Slaney's design procedure (TR #13, DesignLyonFilters) for a sample rate.
LyonFilterBank design_lyon_filters(double sample_rate, const LyonOptions& options);

/// The cochleagram of x: frames x channels (one frame per hop, the channels of the cascade, highest
/// place frequency first). With hop_ms = 0, one row per sample.
Eigen::MatrixXd lyon_passive_ear(const std::vector<float>& x, double sample_rate, const LyonOptions& options);

}  // namespace spinnet
