// Training-data augmentation for image data sets: a small random affine map (shift, rotation,
// zoom) of every training image, drawn anew each epoch. Standard practice for MNIST-like data
// (Simard, Steinkraus and Platt, ICDAR 2003): the network sees a digit at slightly different
// positions and slants, which it must classify alike, and overfits less.
#pragma once

#include <cstdint>

namespace spinnet {

struct ImageAugmentation {
  double shift_pixels = 0;  // translation uniform in [-shift, shift] pixels, along each axis
  double rotation_deg = 0;  // rotation uniform in [-rotation, rotation] degrees about the centre
  double zoom = 0;          // scale factor uniform in [1 - zoom, 1 + zoom]
  bool any() const { return shift_pixels > 0 || rotation_deg > 0 || zoom > 0; }
};

/// The affine map drawn for one sample in one epoch: Philox keyed by `seed`, counter (epoch,
/// sample index, RandomStream::augmentation), so a resumed run and any batch size draw the same.
struct AffineDraw {
  double shift_x = 0, shift_y = 0, angle = 0, scale = 1;  // pixels, radians, factor
};
AffineDraw draw_affine(const ImageAugmentation& augmentation, std::uint64_t seed, int epoch, std::uint64_t sample);

/// out = the image `in` (rows x cols, row-major) moved by `draw`: output pixel p takes the bilinear
/// interpolation of `in` at A^-1 (p - c - t) + c (A = scale R(angle), c the image centre, t the
/// shift); points outside the image read `fill` (the value of a blank pixel). The identity draw
/// copies exactly; an integer shift moves pixels exactly.
void warp_image(const AffineDraw& draw, int rows, int cols, float fill, const float* in, float* out);

}  // namespace spinnet
