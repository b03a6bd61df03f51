// Windowed-sinc resampling (resample.hpp).
#include "spinnet/data/resample.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace spinnet {
namespace {

/// Modified Bessel function of the first kind, order 0, by its power series (converges for every x).
double bessel_i0(double x) {
  double sum = 1, term = 1;
  const double q = x * x / 4;
  for (int k = 1; k < 200 && term > 1e-17 * sum; ++k) {
    term *= q / (static_cast<double>(k) * k);
    sum += term;
  }
  return sum;
}

}  // namespace

std::vector<float> resample(const std::vector<float>& x, double from_rate, double to_rate,
                            const ResampleOptions& options) {
  if (!(from_rate > 0) || !(to_rate > 0)) throw std::invalid_argument("resample: sample rates must be positive");
  if (x.empty()) return {};
  if (from_rate == to_rate) return x;
  const double pi = 3.14159265358979323846;
  // Cutoff in cycles per input sample, and the filter's half-width in input samples.
  const double cutoff = 0.5 * options.passband * std::min(1.0, to_rate / from_rate);
  const double half_width = options.zero_crossings / (2 * cutoff);
  const double window_norm = 1 / bessel_i0(options.kaiser_beta);
  const auto out_size = static_cast<std::size_t>(std::floor((static_cast<double>(x.size()) - 1) * to_rate / from_rate)) + 1;
  std::vector<float> y(out_size);
  const auto last = static_cast<std::ptrdiff_t>(x.size()) - 1;
  for (std::size_t n = 0; n < out_size; ++n) {
    const double position = static_cast<double>(n) * from_rate / to_rate;
    const auto first = std::max<std::ptrdiff_t>(0, static_cast<std::ptrdiff_t>(std::ceil(position - half_width)));
    const auto end = std::min<std::ptrdiff_t>(last, static_cast<std::ptrdiff_t>(std::floor(position + half_width)));
    double sum = 0;
    for (std::ptrdiff_t k = first; k <= end; ++k) {
      const double tau = position - static_cast<double>(k);
      const double arg = 2 * cutoff * tau;
      const double sinc = arg == 0 ? 1.0 : std::sin(pi * arg) / (pi * arg);
      const double r = tau / half_width;
      const double window = bessel_i0(options.kaiser_beta * std::sqrt(std::max(0.0, 1 - r * r))) * window_norm;
      sum += x[static_cast<std::size_t>(k)] * 2 * cutoff * sinc * window;
    }
    y[n] = static_cast<float>(sum);
  }
  return y;
}

}  // namespace spinnet
