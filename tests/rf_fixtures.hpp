// Shared data, network and options for the RF training tests (test_rf_training.cpp, test_rf_network_cuda.cpp).
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>

#include "spinnet/config/config.hpp"
#include "spinnet/data/dataset.hpp"
#include "spinnet/rfnet/rf_network.hpp"
#include "spinnet/rfnet/rf_training.hpp"

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

/// The network config for it: 12 tones -> 8 STNOs (12 junctions per chain) -> 3 chains of 8.
inline json blocks_network_config() {
  return json::parse(R"({
    "input": {"tones": {"plan": "linear", "f_min_GHz": 2, "f_max_GHz": 12}},
    "alpha": 0.01,
    "readout_scale_mV": 10,
    "layers": [
      {"chains": 8, "junctions": 12, "resonances": {"plan": "linear", "f_min_GHz": 2, "f_max_GHz": 12}},
      {"junctions": 8, "resonances": {"plan": "geometric", "f_min_GHz": 2, "f_max_GHz": 12}}
    ]
  })");
}

/// An untrained network read from `config` (the config reader is the path users take).
inline RfNetworkSpec network_from_config(const json& config, std::uint64_t seed) {
  json resolved;
  ObjectReader reader(config, "network", resolved);
  return read_rf_network_config(reader, 12, 3, seed);
}

inline RfNetworkSpec blocks_network(std::uint64_t seed) { return network_from_config(blocks_network_config(), seed); }

/// Adam 0.02, cosine schedule, 30 epochs of minibatches of 16, seed 5.
inline TrainingOptions blocks_options() {
  TrainingOptions o;
  o.optimizer.learning_rate = 0.02;
  o.optimizer.schedule = OptimizerOptions::Schedule::cosine;
  o.epochs = 30;
  o.batch_size = 16;
  o.seed = 5;
  return o;
}

/// A data set with no samples and the features of `d` (no validation split).
inline Dataset empty_like(const Dataset& d) {
  Dataset e = d;
  e.features.resize(0, d.features.cols());
  e.labels.clear();
  return e;
}

}  // namespace spinnet::testing
