// Shared data for the RF training tests (test_rf_training.cpp, test_rf_network_cuda.cpp).
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>

#include "spinnet/dataset.hpp"

namespace spinnet::testing {

/// Three classes of 12 features: class c lights up features 4c..4c+3 (0.8 +- 0.1) over a
/// background of 0.15 +- 0.1 (clipped to [0, 1]). Linearly separable with a wide margin: a
/// working trainer classifies it almost perfectly.
inline Dataset blocks_dataset(int samples, std::uint64_t seed) {
  Dataset d;
  d.name = "blocks";
  d.source = "synthetic";
  d.classes = 3;
  d.features.resize(samples, 12);
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> noise(0, 0.1f);
  for (int s = 0; s < samples; ++s) {
    const int c = s % 3;
    d.labels.push_back(c);
    for (int i = 0; i < 12; ++i)
      d.features(s, i) = std::clamp((i / 4 == c ? 0.8f : 0.15f) + noise(rng), 0.0f, 1.0f);
  }
  return d;
}

}  // namespace spinnet::testing
