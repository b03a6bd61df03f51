// RF spintronic network (include/spinnet/rfnet/rf_network.hpp): the synaptic matrix against the naive
// triple sum, analytic gradients against central finite differences (float64), chip draws, the
// network file round trip.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "spinnet/rfnet/rf_network.hpp"
#include "spinnet/rfnet/software_mlp.hpp"

using namespace spinnet;

namespace {

/// A small two-layer network built through the config reader (the path users take).
RfNetworkSpec small_network(int inputs, int hidden, int outputs, double max_power_uW, std::uint64_t seed,
                            bool train_neurons) {
  json config = json::parse(R"({
    "input": {"tones": {"plan": "linear", "f_min_GHz": 2, "f_max_GHz": 12}, "max_power_uW": 1},
    "layers": [
      {"chains": 4, "junctions": 5, "resonances": {"plan": "linear", "f_min_GHz": 2.5, "f_max_GHz": 11}},
      {"junctions": 4, "resonances": {"plan": "geometric", "f_min_GHz": 3, "f_max_GHz": 10}}
    ],
    "init_shift_std_linewidths": 2.0,
    "neurons": {"bias_mV": 7.4}
  })");
  config["input"]["max_power_uW"] = max_power_uW;
  config["layers"][0]["chains"] = hidden;
  config["neurons"]["train_gain"] = train_neurons;
  config["neurons"]["train_bias_voltage"] = train_neurons;
  json resolved;
  ObjectReader reader(config, "network", resolved);
  RfNetworkSpec spec = read_rf_network_config(reader, inputs, outputs, seed);
  reader.finish();
  return spec;
}

double naive_weight(const RfChainLayer& L, int j, int i, const RowMatrix<double>* m, const RowMatrix<double>* a) {
  double w = 0;
  for (int k = 0; k < L.junctions(); ++k) {
    const double f_r = L.resonance_Hz(j, k) * (m ? (*m)(j, k) : 1.0);
    w += L.orientation[k] * spin_diode_response(L.input_frequency_Hz[i], f_r, a ? (*a)(j, k) * L.alpha : L.alpha,
                                                 L.K_SD_V_per_W);
  }
  return w;
}

}  // namespace

// W_ji = sum_k s_k G(f_i; f_r,jk): the kernel (vectorized over i, threaded over j) against the
// naive sum, in float64 (rounding only: 1e-12 relative) and float32 (a sum of K terms each with
// relative error ~1e-6 of magnitude <= K_SD: tolerance 1e-5 K_SD K).
TEST(RfNetwork, WeightsEqualNaiveSum) {
  const RfNetworkSpec spec = small_network(7, 3, 2, 1.0, 11, false);
  ChipSpread spread{0.02, 0.05, 0.0};
  const ChipDeviation chip = draw_chip(spec, spread, 5, 3);
  RfNetworkModel<double> model64(spec);
  RfNetworkModel<float> model32(spec);
  for (int pass = 0; pass < 2; ++pass) {
    if (pass == 1) {
      model64.set_chip(chip);
      model32.set_chip(chip);
      model64.prepare();
      model32.prepare();
    }
    for (std::size_t l = 0; l < spec.layers.size(); ++l) {
      const auto& L = spec.layers[l];
      const double scale = L.K_SD_V_per_W * L.junctions();
      for (int j = 0; j < L.chains(); ++j)
        for (int i = 0; i < L.inputs(); ++i) {
          const double want = naive_weight(L, j, i, pass ? &chip.resonance[l] : nullptr, pass ? &chip.alpha[l] : nullptr);
          EXPECT_NEAR(model64.weights(l)(j, i), want, 1e-12 * scale) << "layer " << l << " j " << j << " i " << i;
          EXPECT_NEAR(model32.weights(l)(j, i), want, 1e-5 * scale);
        }
    }
  }
}

namespace {

double batch_loss(TrainableModel<double>& model, const RowMatrix<double>& x, const std::vector<int>& y) {
  RowMatrix<double> logits;
  model.prepare();
  model.forward(x, logits);
  return softmax_cross_entropy<double>(logits, y.data(), nullptr, nullptr);
}

/// Every parameter's analytic gradient against (L(x + h) - L(x - h)) / 2h with h = 1e-5 of the
/// block's natural scale (a linewidth for resonance shifts, 1 mV for voltages, the gain itself):
/// truncation h^2 L'''/6 ~ 1e-10 and roundoff eps L / h ~ 1e-11 in scaled units, so the scaled
/// gradients must agree to 1e-7 of the block's largest scaled gradient (plus 1e-9 absolute).
void check_gradients(TrainableModel<double>& model, const RowMatrix<double>& x, const std::vector<int>& y) {
  RowMatrix<double> logits, dlogits;
  model.prepare();
  model.forward(x, logits);
  softmax_cross_entropy<double>(logits, y.data(), &dlogits, nullptr);
  model.backward(dlogits);
  auto blocks = model.parameters();
  for (auto& b : blocks) {
    const std::vector<double> analytic(b.gradient, b.gradient + b.size);
    double largest = 0;
    for (double g : analytic) largest = std::max(largest, std::abs(g * b.scale));
    EXPECT_GT(largest, 0.0) << b.name << " has an all-zero gradient: the check would be empty";
    for (std::size_t i = 0; i < b.size; ++i) {
      const double h = 1e-5 * b.scale, saved = b.value[i];
      b.value[i] = saved + h;
      const double up = batch_loss(model, x, y);
      b.value[i] = saved - h;
      const double down = batch_loss(model, x, y);
      b.value[i] = saved;
      const double numeric = (up - down) / (2 * h);
      EXPECT_NEAR(analytic[i] * b.scale, numeric * b.scale, 1e-7 * largest + 1e-9) << b.name << "[" << i << "]";
    }
  }
}

}  // namespace

// Inputs at 0.05 uW keep every chain voltage below ~1 mV, so the STNO currents stay near
// 25 uA, far from the clamps at 10 and 40 uA where P(I) has kinks (a finite difference across a
// kink is not the derivative).
TEST(RfNetwork, GradientsMatchFiniteDifferences) {
  const RfNetworkSpec spec = small_network(6, 4, 3, 0.05, 7, true);
  RfNetworkModel<double> model(spec);
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(0, 1);
  RowMatrix<double> x(5, 6);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = u(rng);
  check_gradients(model, x, {0, 2, 1, 1, 0});
}

// The same check on a fabricated chip (resonance, damping and power multipliers in the chain rule).
TEST(RfNetwork, GradientsMatchFiniteDifferencesOnAChip) {
  const RfNetworkSpec spec = small_network(6, 4, 3, 0.05, 8, true);
  RfNetworkModel<double> model(spec);
  model.set_chip(draw_chip(spec, ChipSpread{0.01, 0.05, 0.05}, 9, 4));
  std::mt19937_64 rng(4);
  std::uniform_real_distribution<double> u(0, 1);
  RowMatrix<double> x(4, 6);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = u(rng);
  check_gradients(model, x, {2, 0, 1, 2});
}

TEST(SoftwareMlp, GradientsMatchFiniteDifferences) {
  SoftwareMlp<double> model(SoftwareMlpSpec::initial({5, 7, 3}, 2));
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(0, 1);
  RowMatrix<double> x(6, 5);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = u(rng);
  check_gradients(model, x, {0, 1, 2, 2, 1, 0});
}

// Chip (seed, id) is the same chip wherever it is drawn; another id or seed is another chip; a
// zero spread is the nominal design; the multipliers have mean 1 and std = spread
// (1000 draws: standard errors 1/sqrt(n) on the mean and 1/sqrt(2n) on the std, in units of the spread; 5-sigma bounds).
TEST(RfNetwork, ChipDrawsAreKeyedBySeedAndChip) {
  const RfNetworkSpec spec = small_network(20, 40, 3, 1.0, 1, false);
  const ChipSpread spread{0.01, 0.02, 0.05};
  const ChipDeviation a = draw_chip(spec, spread, 42, 7), b = draw_chip(spec, spread, 42, 7);
  const ChipDeviation c = draw_chip(spec, spread, 42, 8), d = draw_chip(spec, spread, 43, 7);
  EXPECT_EQ(a.resonance[0], b.resonance[0]);
  EXPECT_EQ(a.neuron_power[0], b.neuron_power[0]);
  EXPECT_NE(a.resonance[0], c.resonance[0]);
  EXPECT_NE(a.resonance[0], d.resonance[0]);
  EXPECT_NE(a.resonance[0], a.alpha[0]);
  const ChipDeviation nominal = draw_chip(spec, ChipSpread{}, 42, 7);
  EXPECT_EQ(nominal.resonance[0], RowMatrix<double>::Ones(a.resonance[0].rows(), a.resonance[0].cols()));
  // Statistics over several chips of layer 0 (40 chains x 5 junctions per chip).
  double sum = 0, sum2 = 0;
  int n = 0;
  for (int chip = 0; chip < 5; ++chip) {
    const ChipDeviation x = draw_chip(spec, spread, 1, chip);
    for (Eigen::Index i = 0; i < x.resonance[0].size(); ++i, ++n) {
      const double e = (x.resonance[0].data()[i] - 1) / spread.resonance;
      sum += e;
      sum2 += e * e;
    }
  }
  const double mean = sum / n, sd = std::sqrt(sum2 / n - mean * mean);
  EXPECT_NEAR(mean, 0.0, 5 / std::sqrt(n));
  EXPECT_NEAR(sd, 1.0, 5 / std::sqrt(2.0 * n));
}

TEST(RfNetwork, FileRoundTripKeepsEveryArray) {
  RfNetworkSpec spec = small_network(6, 4, 3, 1.0, 2, true);
  spec.encoding.offset.assign(6, 0.0);
  spec.encoding.scale.assign(6, 1.0 / 16);
  const json file = rf_network_to_json(spec);
  const RfNetworkSpec back = rf_network_from_json(json::parse(file.dump()), "net.json");
  ASSERT_EQ(back.layers.size(), 2u);
  for (std::size_t l = 0; l < 2; ++l) {
    EXPECT_EQ(back.layers[l].shift_Hz, spec.layers[l].shift_Hz);
    EXPECT_EQ(back.layers[l].bias_V, spec.layers[l].bias_V);
    EXPECT_EQ(back.layers[l].input_frequency_Hz, spec.layers[l].input_frequency_Hz);
    EXPECT_EQ(back.layers[l].base_resonance_Hz, spec.layers[l].base_resonance_Hz);
    EXPECT_EQ(back.layers[l].orientation, spec.layers[l].orientation);
  }
  EXPECT_EQ(back.neurons[0].gain_A_per_V, spec.neurons[0].gain_A_per_V);
  EXPECT_EQ(back.encoding.scale, spec.encoding.scale);
  EXPECT_TRUE(back.train_gain);

  json broken = file;
  broken["layers"][1]["shift_Hz"][0] = json::array({1.0, 2.0});
  try {
    rf_network_from_json(broken, "net.json");
    FAIL() << "a shift row of the wrong length was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("net.json: layers[1].shift_Hz[0]"), std::string::npos) << e.what();
  }
  try {
    rf_network_from_json(json{{"format", "something"}}, "other.json");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("other.json: format"), std::string::npos) << e.what();
  }
}

TEST(RfNetwork, FrequencyPlans) {
  FrequencyPlan plan{FrequencyPlan::Kind::geometric, 2e9, 12e9};
  const auto f = plan.frequencies(11);
  EXPECT_DOUBLE_EQ(f.front(), 2e9);
  EXPECT_NEAR(f.back(), 12e9, 1e-3);
  for (int i = 1; i < 11; ++i) EXPECT_NEAR(f[i] / f[i - 1], std::pow(6.0, 0.1), 1e-12);
  plan.kind = FrequencyPlan::Kind::linear;
  const auto g = plan.frequencies(11);
  for (int i = 1; i < 11; ++i) EXPECT_NEAR(g[i] - g[i - 1], 1e9, 1e-3);
}

TEST(RfNetwork, ConfigErrorsNameThePath) {
  json config = json::parse(R"({"layers": [{"chains": 5, "junctions": 3}]})");
  json resolved;
  ObjectReader reader(config, "network", resolved);
  try {
    read_rf_network_config(reader, 4, 3, 0);
    FAIL() << "a last layer with 5 chains for 3 classes was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("network.layers[0].chains"), std::string::npos) << e.what();
  }
}

// Data-dependent neuron initialization: after it, the STNO currents of every hidden layer over the
// batch have mean center I_th and standard deviation spread I_th. Checked layer by layer with the
// naive double-precision forward pass (sums of <= 12 x 5 terms: 1e-12 relative is rounding only),
// through a second hidden layer whose inputs are the first layer's STNO powers.
TEST(RfNetwork, DataInitializationCentresTheNeuronCurrents) {
  json config = json::parse(R"({
    "input": {"tones": {"plan": "linear", "f_min_GHz": 2, "f_max_GHz": 12}},
    "layers": [
      {"chains": 9, "junctions": 5, "resonances": {"plan": "linear", "f_min_GHz": 2.5, "f_max_GHz": 11}},
      {"chains": 7, "junctions": 6, "resonances": {"plan": "linear", "f_min_GHz": 2.5, "f_max_GHz": 11}},
      {"junctions": 4, "resonances": {"plan": "geometric", "f_min_GHz": 3, "f_max_GHz": 10}}
    ],
    "init_shift_std_linewidths": 2.0,
    "neurons": {"init": "data", "init_current_over_I_th": 2.2, "init_spread_over_I_th": 0.6}
  })");
  json resolved;
  ObjectReader reader(config, "network", resolved);
  RfNetworkSpec spec = read_rf_network_config(reader, 12, 3, 5);
  reader.finish();
  ASSERT_TRUE(spec.neuron_init.from_data);
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<float> u(0, 1);
  RowMatrix<float> x(200, 12);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = u(rng);
  initialize_neurons_from_data(spec, x, 2.2, 0.6);

  RowMatrix<double> input = x.cast<double>() * spec.encoding.max_power_W;
  for (std::size_t l = 0; l < 2; ++l) {
    const RfChainLayer& L = spec.layers[l];
    const RfNeuronLayer& N = spec.neurons[l];
    RowMatrix<double> power(x.rows(), L.chains());
    for (int j = 0; j < L.chains(); ++j) {
      std::vector<double> current(x.rows());
      for (Eigen::Index b = 0; b < x.rows(); ++b) {
        double V = L.bias_V[j];
        for (int i = 0; i < L.inputs(); ++i) V += input(b, i) * naive_weight(L, j, i, nullptr, nullptr);
        current[b] = N.gain_A_per_V[j] * (V + N.bias_voltage_V[j]);
        power(b, j) = stno_power(current[b], N.stno);
      }
      double mean = 0, square = 0;
      for (double I : current) mean += I / current.size();
      for (double I : current) square += (I - mean) * (I - mean) / current.size();
      EXPECT_NEAR(mean / N.stno.I_th, 2.2, 1e-9) << "layer " << l << " neuron " << j;
      EXPECT_NEAR(std::sqrt(square) / N.stno.I_th, 0.6, 1e-9) << "layer " << l << " neuron " << j;
    }
    input = power;
  }
}
