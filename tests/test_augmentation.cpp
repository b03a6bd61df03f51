// Image augmentation (include/spinnet/rfnet/augmentation.hpp): the warp is exact where it must be
// (identity, integer shifts, quarter turns), conserves the image where the map is a pure
// translation, and the draws are keyed by (seed, epoch, sample) with the documented ranges.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <vector>

#include "spinnet/rfnet/augmentation.hpp"
#include "spinnet/rfnet/rf_experiment.hpp"

using namespace spinnet;

namespace {

std::vector<float> ramp_image(int rows, int cols) {
  std::vector<float> image(static_cast<std::size_t>(rows) * cols);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) image[r * cols + c] = static_cast<float>(1 + r * 100 + c);
  return image;
}

}  // namespace

TEST(Augmentation, IdentityCopiesExactly) {
  const auto in = ramp_image(7, 5);
  std::vector<float> out(in.size());
  warp_image(AffineDraw{}, 7, 5, -1.0f, in.data(), out.data());
  EXPECT_EQ(out, in);
}

// A shift by (+2, -1) pixels (x right, y up the rows) moves every pixel exactly; pixels that come
// from outside the image read the fill value.
TEST(Augmentation, IntegerShiftMovesPixelsExactly) {
  const int rows = 6, cols = 8;
  const auto in = ramp_image(rows, cols);
  std::vector<float> out(in.size());
  AffineDraw d;
  d.shift_x = 2;
  d.shift_y = -1;
  warp_image(d, rows, cols, -7.0f, in.data(), out.data());
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) {
      const int sr = r + 1, sc = c - 2;
      const float expected = (sr < rows && sc >= 0) ? in[sr * cols + sc] : -7.0f;
      EXPECT_EQ(out[r * cols + c], expected) << "pixel (" << r << ", " << c << ")";
    }
}

// A quarter turn of a square image about its centre is a permutation of the pixels. cos(pi/2) is
// 6e-17, not 0, so a source coordinate may land 1e-15 below an integer: the bilinear weights then
// give the right pixel to within 1e-15 relative, far below float rounding (6e-8).
TEST(Augmentation, QuarterTurnPermutesPixels) {
  const int n = 6;
  const auto in = ramp_image(n, n);
  std::vector<float> out(in.size());
  AffineDraw d;
  d.angle = std::acos(-1.0) / 2;
  warp_image(d, n, n, 0.0f, in.data(), out.data());
  // Inverse map q = R(-angle) (p - c) + c: for angle pi/2, (x, y) -> (y, -x) about the centre.
  for (int r = 0; r < n; ++r)
    for (int c = 0; c < n; ++c) {
      const int sc = r, sr = n - 1 - c;
      EXPECT_NEAR(out[r * n + c], in[sr * n + sc], 1e-5 * std::abs(in[sr * n + sc])) << "pixel (" << r << ", " << c << ")";
    }
}

// A sub-pixel translation of an image that is zero near its border conserves the pixel sum
// exactly in exact arithmetic (bilinear weights sum to 1 for every source pixel); float rounding
// of ~50 terms bounds the error at ~1e-5 relative.
TEST(Augmentation, SubPixelShiftConservesTheImage) {
  const int n = 12;
  std::vector<float> in(n * n, 0.0f);
  for (int r = 3; r < 9; ++r)
    for (int c = 4; c < 8; ++c) in[r * n + c] = static_cast<float>(r + c);
  std::vector<float> out(in.size());
  AffineDraw d;
  d.shift_x = 0.37;
  d.shift_y = -1.61;
  warp_image(d, n, n, 0.0f, in.data(), out.data());
  const double sum_in = std::accumulate(in.begin(), in.end(), 0.0), sum_out = std::accumulate(out.begin(), out.end(), 0.0);
  EXPECT_NEAR(sum_out, sum_in, 1e-5 * sum_in);
}

// Draws are a function of (seed, epoch, sample) alone, uniform over the documented ranges.
TEST(Augmentation, DrawsAreKeyedAndUniform) {
  ImageAugmentation a;
  a.shift_pixels = 2;
  a.rotation_deg = 10;
  a.zoom = 0.1;
  const AffineDraw x = draw_affine(a, 7, 3, 12345), y = draw_affine(a, 7, 3, 12345);
  EXPECT_EQ(x.shift_x, y.shift_x);
  EXPECT_EQ(x.angle, y.angle);
  EXPECT_NE(draw_affine(a, 7, 4, 12345).shift_x, x.shift_x);
  EXPECT_NE(draw_affine(a, 8, 3, 12345).shift_x, x.shift_x);
  EXPECT_NE(draw_affine(a, 7, 3, 12346).shift_x, x.shift_x);

  // 20000 draws: each parameter inside its range, mean 0 (1) within 5 standard errors of a
  // uniform variable (half-width h: std h/sqrt(3), standard error h/sqrt(3 n)).
  const int n = 20000;
  double sx = 0, sa = 0, sz = 0, sxx = 0;
  for (int s = 0; s < n; ++s) {
    const AffineDraw d = draw_affine(a, 1, 0, static_cast<std::uint64_t>(s));
    ASSERT_LE(std::abs(d.shift_x), 2.0);
    ASSERT_LE(std::abs(d.shift_y), 2.0);
    ASSERT_LE(std::abs(d.angle), 10 * std::acos(-1.0) / 180);
    ASSERT_LE(std::abs(d.scale - 1), 0.1);
    sx += d.shift_x;
    sxx += d.shift_x * d.shift_x;
    sa += d.angle;
    sz += d.scale - 1;
  }
  const double se = 1 / std::sqrt(3.0 * n);
  EXPECT_LT(std::abs(sx / n), 5 * 2 * se);
  EXPECT_LT(std::abs(sa / n), 5 * (10 * std::acos(-1.0) / 180) * se);
  EXPECT_LT(std::abs(sz / n), 5 * 0.1 * se);
  EXPECT_NEAR(sxx / n, 4.0 / 3.0, 0.05 * 4.0 / 3.0);  // variance h^2/3; 5 % >> its 1 % sampling error
}

// Augmentation asked for on features without an image shape is one clear error naming the data.
TEST(Augmentation, NonImageDataIsAnError) {
  Dataset d;
  d.name = "drones";
  d.source = "drones.h5";
  d.classes = 2;
  d.features = FeatureMatrix::Zero(4, 5);
  d.labels = {0, 1, 0, 1};
  SoftwareMlp<float> model(SoftwareMlpSpec::initial({5, 3, 2}, 1));
  TrainingOptions o;
  o.epochs = 1;
  o.augmentation.shift_pixels = 1;
  TrainingState state;
  Dataset none = d;
  none.features.resize(0, 5);
  none.labels.clear();
  try {
    train_model(model, d, none, o, state, {});
    FAIL() << "expected an error";
  } catch (const std::exception& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("drones.h5"), std::string::npos) << what;
    EXPECT_NE(what.find("training.augment"), std::string::npos) << what;
  }
}

// In a config: augmentation of a non-image set, or with a per-pixel scaling (which does not commute
// with moving pixels), is a ConfigError at training.augment naming what was given.
TEST(Augmentation, ConfigErrorsNameThePath) {
  const auto expect_error = [](const json& config, const std::string& given) {
    try {
      read_rf_experiment(config, "study.json");
      FAIL() << "expected a ConfigError for " << config.dump();
    } catch (const ConfigError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("training.augment"), std::string::npos) << what;
      EXPECT_NE(what.find(given), std::string::npos) << what;
    }
  };
  json config = {{"data", {{"set", "drones"}}},
                 {"network", {{"layers", json::array({{{"chains", 10}}})}}},
                 {"training", {{"augment", {{"shift_pixels", 1}}}}}};
  expect_error(config, "drones");
  config["data"] = {{"set", "mnist"}, {"scaling", "min_max"}};
  expect_error(config, "min_max");
  config["data"] = {{"set", "mnist"}};
  EXPECT_NO_THROW(read_rf_experiment(config, "study.json"));
}
