// Training of RF networks (include/spinnet/rfnet/rf_training.hpp): a small problem is learned, a resumed
// run reproduces the uninterrupted one bit for bit, a diverging run stops naming the epoch, and bad
// data gives one clear error naming the file and the mismatch.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <random>

#include "cli_helpers.hpp"
#include "rf_fixtures.hpp"
#include "spinnet/rfnet/rf_experiment.hpp"

using namespace spinnet;

namespace {

using spinnet::testing::blocks_dataset;
using spinnet::testing::blocks_network;
using spinnet::testing::blocks_network_config;
using spinnet::testing::blocks_options;
using spinnet::testing::empty_like;
using spinnet::testing::network_from_config;


}  // namespace

// 300 training samples, 30 epochs: the RF network (12 tones -> 8 STNOs -> 3 chains) must reach
// >= 95 % on 300 held-out samples of a problem a linear classifier solves with a wide margin.
TEST(RfTraining, LearnsASmallProblem) {
  const Dataset train = blocks_dataset(300, 1), test = blocks_dataset(300, 2);
  RfNetworkModel<float> model(blocks_network(3));
  const double before = evaluate_model(model, test, 3).accuracy;
  TrainingState state;
  train_model(model, train, empty_like(train), blocks_options(), state, {});
  const double after = evaluate_model(model, test, 3).accuracy;
  EXPECT_GE(after, 0.95) << "accuracy before training " << before;
  EXPECT_EQ(state.history.size(), 30u);
  EXPECT_LT(state.history.back().train_loss, state.history.front().train_loss);
}

// The software MLP of the same shape on the same problem, with the same trainer.
TEST(RfTraining, SoftwareMlpLearnsTheSameProblem) {
  const Dataset train = blocks_dataset(300, 1), test = blocks_dataset(300, 2);
  SoftwareMlp<float> model(SoftwareMlpSpec::initial({12, 8, 3}, 3));
  TrainingOptions o = blocks_options();
  o.optimizer.learning_rate = 0.01;
  TrainingState state;
  train_model(model, train, empty_like(train), o, state, {});
  EXPECT_GE(evaluate_model(model, test, 3).accuracy, 0.95);
}

// Training 6 epochs in one go and training 3, writing the checkpoint to JSON text, reading it into
// a fresh model and training 3 more must give the same parameters and losses to the last bit
// (shuffles keyed by (seed, epoch), chip draws keyed by (seed, step), optimizer state saved).
// Variability-aware training (a chip per minibatch), image augmentation (keyed by (seed, epoch,
// sample)) and a validation split are on, so every piece of state is exercised.
TEST(RfTraining, ResumedRunReproducesUninterruptedRun) {
  Dataset train = blocks_dataset(120, 1);
  const Dataset validation = blocks_dataset(30, 3);
  train.image_rows = 3;  // the 12 features as a 3 x 4 image, so that augmentation is exercised too
  train.image_cols = 4;
  const RfNetworkSpec spec = blocks_network(4);
  TrainingOptions o = blocks_options();
  o.epochs = 6;
  o.patience = 100;
  o.augmentation.shift_pixels = 0.5;
  o.augmentation.rotation_deg = 5;
  o.augmentation.zoom = 0.05;

  auto hooks_for = [&](RfNetworkModel<float>& model) {
    TrainingHooks hooks;
    hooks.before_step = [&](std::uint64_t step) { model.set_chip(draw_chip(spec, ChipSpread{0.002, 0.01, 0.01}, 9, step)); };
    hooks.before_evaluation = [&] { model.nominal_chip(); };
    return hooks;
  };

  // Uninterrupted.
  RfNetworkModel<float> whole(spec);
  TrainingState whole_state;
  train_model(whole, train, validation, o, whole_state, hooks_for(whole));

  // Interrupted after epoch 3: emulate a crash by throwing from the checkpoint hook.
  RfNetworkModel<float> first(spec);
  TrainingState first_state;
  json checkpoint;
  {
    TrainingHooks hooks = hooks_for(first);
    std::vector<std::string> names;
    for (const auto& b : first.parameters()) names.push_back(b.name);
    struct Crash {};
    hooks.on_checkpoint = [&](const TrainingState& s) {
      checkpoint = json::parse(training_state_to_json(s, names).dump());  // through text, as on disk
      if (s.next_epoch == 3) throw Crash{};
    };
    EXPECT_THROW(train_model(first, train, validation, o, first_state, hooks), Crash);
  }
  ASSERT_EQ(checkpoint.at("next_epoch"), 3);

  RfNetworkModel<float> resumed(spec);
  TrainingState resumed_state = training_state_from_json(checkpoint, "checkpoint.json");
  train_model(resumed, train, validation, o, resumed_state, hooks_for(resumed));

  ASSERT_EQ(resumed_state.history.size(), whole_state.history.size());
  for (std::size_t e = 0; e < whole_state.history.size(); ++e) {
    EXPECT_EQ(resumed_state.history[e].train_loss, whole_state.history[e].train_loss) << "epoch " << e + 1;
    EXPECT_EQ(resumed_state.history[e].validation_accuracy, whole_state.history[e].validation_accuracy);
  }
  auto a = whole.parameters(), b = resumed.parameters();
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i)
    for (std::size_t k = 0; k < a[i].size; ++k) ASSERT_EQ(a[i].value[k], b[i].value[k]) << a[i].name << "[" << k << "]";
  EXPECT_EQ(resumed_state.optimizer.steps, whole_state.optimizer.steps);
}

// A non-finite loss (here from a NaN feature in the first minibatch) stops training with an error
// naming the epoch; no checkpoint is written for the bad epoch.
TEST(RfTraining, DivergenceStopsNamingTheEpoch) {
  Dataset train = blocks_dataset(64, 1);
  train.features(0, 0) = std::nanf("");
  RfNetworkModel<float> model(blocks_network(1));
  TrainingOptions o = blocks_options();
  o.batch_size = 64;
  TrainingState state;
  int checkpoints = 0;
  TrainingHooks hooks;
  hooks.on_checkpoint = [&](const TrainingState&) { ++checkpoints; };
  try {
    train_model(model, train, empty_like(train), o, state, hooks);
    FAIL() << "a NaN loss did not stop training";
  } catch (const RunError& e) {
    EXPECT_NE(std::string(e.what()).find("diverged at epoch 1"), std::string::npos) << e.what();
  }
  EXPECT_EQ(checkpoints, 0);
}

TEST(RfTraining, MissingDataFileNamesTheFile) {
  DataOptions d;
  d.set = "digits8x8";
  d.path = "/nonexistent/digits.csv";
  try {
    load_experiment_data(d, "config.json");
    FAIL();
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/digits.csv"), std::string::npos) << e.what();
  }
}

// A network trained on 10 features evaluated on the 64-feature digits: the error names the data
// file, the network file and both counts.
TEST(RfTraining, FeatureCountMismatchNamesBoth) {
  if (default_data_directory().empty()) GTEST_SKIP() << "no shared data folder (set SPINNET_DATA)";
  DataOptions d;
  d.set = "digits8x8";
  FeatureScaling ten;
  ten.kind = FeatureScaling::Kind::min_max;
  ten.offset = Eigen::VectorXf::Zero(10);
  ten.scale = Eigen::VectorXf::Ones(10);
  try {
    load_experiment_data(d, "network.json", &ten);
    FAIL();
  } catch (const DataError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("digits_8x8.csv: 64 features"), std::string::npos) << m;
    EXPECT_NE(m.find("network.json expects 10"), std::string::npos) << m;
  }
}

// The CLI turns a bad data path into one line on stderr and exit code 2.
TEST(RfTraining, CliReportsBadDataOnOneLine) {
  test::TempDir scratch;
  const auto config = scratch / "bad.json";
  test::write_text(config, R"({"data": {"set": "drones", "path": "/nonexistent/drones.h5"},
                               "network": {"layers": [{"junctions": 4}]}})");
  const auto r = test::run_cli({"train", config.string(), "--out", (scratch / "out").string(), "--quiet"}, scratch.path());
  EXPECT_EQ(r.exit_code, 2);
  ASSERT_EQ(r.error_lines().size(), 1u) << r.err;
  EXPECT_NE(r.err.find("/nonexistent/drones.h5"), std::string::npos) << r.err;
}

// The shipped configs read without error (the CLI's train path parses them the same way).
TEST(RfTraining, ShippedConfigsRead) {
  for (const char* name : {"rfnet_digits8x8", "rfnet_mnist", "rfnet_drones", "rfnet_size_study_digits8x8"}) {
    const auto file = test::source_dir() / "configs" / (std::string(name) + ".json");
    ASSERT_TRUE(std::filesystem::is_regular_file(file)) << file;
    EXPECT_NO_THROW(read_rf_experiment(load_json_file(file.string()), file.string())) << name;
  }
}

// End to end on the real 8x8 digits with a short schedule: `spinnet train` then `spinnet evaluate`
// on the written network file agree on the test accuracy; the run directory has every output.
TEST(RfTraining, TrainThenEvaluateDigitsFromTheCli) {
  if (default_data_directory().empty()) GTEST_SKIP() << "no shared data folder (set SPINNET_DATA)";
  test::TempDir scratch;
  json config = load_json_file((test::source_dir() / "configs" / "rfnet_digits8x8.json").string());
  config["training"]["epochs"] = 3;
  config["variability"]["chips"] = 3;
  config["variability"]["spreads"] = json::array({0.01});
  const auto file = scratch / "digits.json";
  test::write_text(file, config.dump());
  const auto out = scratch / "run";
  const auto r = test::run_cli({"train", file.string(), "--out", out.string(), "--quiet"}, scratch.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* f : {"resolved.json", "history.csv", "confusion.csv", "network.json", "checkpoint.json",
                        "resonances.csv", "summary.json", "variability.csv"})
    EXPECT_TRUE(std::filesystem::is_regular_file(out / f)) << f;
  const json summary = json::parse(test::read_text(out / "summary.json"));
  const double trained = summary.at("test_accuracy").get<double>();
  EXPECT_GT(trained, 0.5) << "3 epochs on digits should be far above chance (10 %)";
  const auto e = test::run_cli({"evaluate", (out / "network.json").string()}, scratch.path());
  ASSERT_EQ(e.exit_code, 0) << e.err;
  char expected[64];
  std::snprintf(expected, sizeof expected, "test accuracy %g %%", 100 * trained);
  EXPECT_NE(e.out.find(expected), std::string::npos) << e.out << " (expected " << expected << ")";
}

// The per-epoch progress line shows validation loss and accuracy only when there is a validation
// split (without one it printed "val_acc 0.00%").
TEST(RfTraining, ProgressShowsValidationOnlyWithASplit) {
  if (default_data_directory().empty()) GTEST_SKIP() << "no shared data folder (set SPINNET_DATA)";
  test::TempDir scratch;
  json config = load_json_file((test::source_dir() / "configs" / "rfnet_digits8x8.json").string());
  config["training"]["epochs"] = 1;
  config["variability"]["chips"] = 0;
  for (double validation : {0.0, 0.2}) {
    config["data"]["validation_fraction"] = validation;
    const auto file = scratch / "digits.json";
    test::write_text(file, config.dump());
    const auto r = test::run_cli({"train", file.string(), "--out", (scratch / "run").string(), "--threads", "1"},
                                 scratch.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_NE(r.err.find("epoch   1/1"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("val_acc") != std::string::npos, validation > 0) << r.err;
    std::filesystem::remove_all(scratch / "run");
  }
}

// Two hidden STNO layers, neurons initialized from data (currents centred inside (I_th, I_max)):
// the deeper network must learn the same wide-margin problem to >= 95 %.
TEST(RfTraining, DeepNetworkLearnsWithDataInitialization) {
  const Dataset train = blocks_dataset(300, 1), test = blocks_dataset(300, 2);
  json config = blocks_network_config();  // a second hidden layer of 8 STNOs before the readout
  config["layers"].insert(config["layers"].begin() + 1, json::parse(R"(
      {"chains": 8, "junctions": 8, "resonances": {"plan": "linear", "f_min_GHz": 2, "f_max_GHz": 12}})"));
  config["neurons"] = json::parse(R"({"init": "data", "train_gain": true, "train_bias_voltage": true})");
  RfNetworkSpec spec = network_from_config(config, 3);
  initialize_neurons_from_data(spec, train.features, spec.neuron_init.current_over_I_th,
                               spec.neuron_init.spread_over_I_th);
  RfNetworkModel<float> model(spec);
  TrainingState state;
  train_model(model, train, empty_like(train), blocks_options(), state, {});
  EXPECT_GE(evaluate_model(model, test, 3).accuracy, 0.95);
}

// The initial current must lie between threshold and the limiter.
TEST(RfTraining, DataInitializationCurrentOutsideTheRangeIsAnError) {
  json config = json::parse(R"({"layers": [{"chains": 4}, {}], "neurons": {"init": "data", "init_current_over_I_th": 4.5}})");
  json resolved;
  ObjectReader reader(config, "network", resolved);
  try {
    read_rf_network_config(reader, 12, 3, 3);
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("network.neurons.init_current_over_I_th"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("4.5"), std::string::npos) << e.what();
  }
}
