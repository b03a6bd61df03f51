#include "spinnet/rfnet/augmentation.hpp"

#include <cmath>
#include <numbers>

#include "spinnet/core/random.hpp"

namespace spinnet {

AffineDraw draw_affine(const ImageAugmentation& a, std::uint64_t seed, int epoch, std::uint64_t sample) {
  const PhiloxWords w = philox_words(seed, static_cast<std::uint32_t>(sample),
                                     (static_cast<std::uint64_t>(sample >> 32) << 32) | static_cast<std::uint32_t>(epoch),
                                     RandomStream::augmentation);
  const auto symmetric = [](std::uint32_t word) { return 2 * open_uniform<double>(word) - 1; };  // (-1, 1)
  AffineDraw d;
  d.shift_x = a.shift_pixels * symmetric(w.w0);
  d.shift_y = a.shift_pixels * symmetric(w.w1);
  d.angle = a.rotation_deg * std::numbers::pi / 180 * symmetric(w.w2);
  d.scale = 1 + a.zoom * symmetric(w.w3);
  return d;
}

void warp_image(const AffineDraw& d, int rows, int cols, float fill, const float* in, float* out) {
  const double cy = 0.5 * (rows - 1), cx = 0.5 * (cols - 1);
  // Inverse map: q = R(-angle) (p - c - t) / scale + c.
  const double cos_a = std::cos(d.angle) / d.scale, sin_a = std::sin(d.angle) / d.scale;
  const auto pixel = [&](int r, int c) -> double {
    return (r >= 0 && r < rows && c >= 0 && c < cols) ? in[r * cols + c] : fill;
  };
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      const double u = c - cx - d.shift_x, v = r - cy - d.shift_y;
      const double x = cos_a * u + sin_a * v + cx, y = -sin_a * u + cos_a * v + cy;
      const double x0 = std::floor(x), y0 = std::floor(y);
      const double fx = x - x0, fy = y - y0;
      const int c0 = static_cast<int>(x0), r0 = static_cast<int>(y0);
      // Exact for integer coordinates: weights 1, 0, 0, 0 (and a zero weight never reads outside).
      double value = (1 - fy) * ((1 - fx) * pixel(r0, c0) + (fx > 0 ? fx * pixel(r0, c0 + 1) : 0.0));
      if (fy > 0) value += fy * ((1 - fx) * pixel(r0 + 1, c0) + (fx > 0 ? fx * pixel(r0 + 1, c0 + 1) : 0.0));
      out[r * cols + c] = static_cast<float>(value);
    }
  }
}

}  // namespace spinnet
