// Network-size study (include/spinnet/rfnet/size_study.hpp, `spinnet size-study`): the config rewriting
// puts `depth` hidden layers of `width` chains before the readout, a tiny grid writes one table row
// per size with every seed, a resumed study keeps finished runs, and bad grids are one-line errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli_helpers.hpp"
#include "spinnet/rfnet/rf_experiment.hpp"
#include "spinnet/rfnet/size_study.hpp"

using namespace spinnet;

namespace {

json base_config() {
  return json::parse(R"({
    "name": "tiny",
    "data": {"set": "digits8x8", "scaling": "min_max"},
    "network": {
      "input": {"tones": {"plan": "linear", "f_min_GHz": 2, "f_max_GHz": 12}},
      "readout_scale_mV": 10,
      "layers": [
        {"chains": 128, "junctions": 16, "resonances": {"plan": "linear", "f_min_GHz": 2, "f_max_GHz": 12}},
        {"chains": 10, "resonances": {"plan": "geometric", "f_min_GHz": 2, "f_max_GHz": 12}}
      ]
    },
    "training": {"epochs": 50, "batch_size": 64, "seed": 7, "variability_aware": {"resonance": 0.001}},
    "variability": {"chips": 100}
  })");
}

/// Number of data lines of a CSV text (the header excluded).
std::vector<std::string> data_lines(const std::string& csv) {
  std::vector<std::string> lines;
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line))
    if (!line.empty()) lines.push_back(line);
  return lines;
}

}  // namespace

// depth hidden layers, each a copy of the first layer object with `width` chains, then the readout
// (the config's last layer, one chain per class); the network reads back with those sizes and the
// parameter count of an RF network: per chain layer chains x junctions shifts + chains biases, per
// hidden STNO layer a gain and a bias voltage per neuron (both trained here).
TEST(SizeStudy, RewritesDepthAndWidthIntoTheLayers) {
  const json base = base_config();
  for (int depth : {1, 2, 3})
    for (int width : {4, 32}) {
      const json network = size_study_network(base["network"], depth, width, "tiny.json");
      ASSERT_EQ(network["layers"].size(), static_cast<std::size_t>(depth + 1));
      for (int l = 0; l < depth; ++l) {
        EXPECT_EQ(network["layers"][l]["chains"], width);
        EXPECT_EQ(network["layers"][l]["junctions"], 16);
        EXPECT_EQ(network["layers"][l]["resonances"]["plan"], "linear");
      }
      EXPECT_FALSE(network["layers"][depth].contains("chains"));
      EXPECT_EQ(network["layers"][depth]["resonances"]["plan"], "geometric");
      json resolved;
      ObjectReader reader(network, "network", resolved);
      const RfNetworkSpec spec = read_rf_network_config(reader, 64, 10, 0);
      ASSERT_EQ(spec.layers.size(), static_cast<std::size_t>(depth + 1));
      EXPECT_EQ(spec.layers[0].inputs(), 64);
      for (int l = 0; l < depth; ++l) EXPECT_EQ(spec.layers[l].chains(), width);
      EXPECT_EQ(spec.layers.back().chains(), 10);
      EXPECT_EQ(spec.layers.back().junctions(), width) << "readout junctions default to its inputs";
      EXPECT_EQ(spec.neurons.size(), static_cast<std::size_t>(depth));
    }
  // The run config: seed offset, epochs override, no chips study; the MLP has depth x width hidden.
  SizeStudyOptions options;
  options.epochs = 2;
  const json rf = size_study_run_config(base, "rf_network", 2, 8, 1, options, "tiny.json");
  EXPECT_EQ(rf["training"]["seed"], 8);
  EXPECT_EQ(rf["training"]["epochs"], 2);
  EXPECT_FALSE(rf.contains("variability"));
  EXPECT_TRUE(rf["training"].contains("variability_aware"));
  options.baseline_learning_rate = 1e-3;
  const json mlp = size_study_run_config(base, "software_mlp", 2, 8, 0, options, "tiny.json");
  EXPECT_EQ(mlp["model"], "software_mlp");
  EXPECT_EQ(mlp["software_mlp"]["hidden"], json::array({8, 8}));
  EXPECT_EQ(mlp["training"]["learning_rate"], 1e-3);
  EXPECT_FALSE(mlp["training"].contains("variability_aware"));
  EXPECT_NO_THROW(read_rf_experiment(rf, "tiny.json"));
  EXPECT_NO_THROW(read_rf_experiment(mlp, "tiny.json"));

  json no_layers = base;
  no_layers["network"].erase("layers");
  try {
    size_study_run_config(no_layers, "rf_network", 1, 8, 0, options, "tiny.json");
    FAIL() << "a network without layers must be rejected";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("tiny.json: network.layers"), std::string::npos) << e.what();
  }
  EXPECT_THROW(size_study_network(base["network"], 0, 8, "tiny.json"), ConfigError);
  EXPECT_THROW(size_study_network(base["network"], 1, 0, "tiny.json"), ConfigError);
}

// A 2 x 2 grid (plus the MLP baseline) with 2 seeds and 1 epoch from the CLI: one CSV row per
// (model, depth, width) holding both seeds' accuracies, parameter counts that match the shapes,
// positive throughputs, every run's folder; then a resumed study redoes nothing.
TEST(SizeStudy, TinyGridFromTheCliThenResume) {
  if (default_data_directory().empty()) GTEST_SKIP() << "no shared data folder (set SPINNET_DATA)";
  test::TempDir scratch;
  const auto config = scratch / "tiny.json";
  test::write_text(config, base_config().dump());
  const auto out = scratch / "study";
  const auto r = test::run_cli({"size-study", config.string(), "--widths", "4", "8", "--depths", "1", "2", "--seeds",
                                "2", "--epochs", "1", "--baseline", "--threads", "1", "--out", out.string()},
                               scratch.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.error_lines().size(), 16u) << "one progress line per run: " << r.err;
  EXPECT_NE(r.out.find("test accuracy %"), std::string::npos) << "the table at the end: " << r.out;

  const auto rows = data_lines(test::read_text(out / "size_study.csv"));
  ASSERT_EQ(rows.size(), 8u);
  // RF, depth 1, width 4: 4 x 16 shifts + 4 biases (layer 0), 10 x 4 + 10 (readout) = 118 (the
  // STNO gains and bias voltages are not trained: train_gain, train_bias_voltage default to false).
  EXPECT_EQ(rows[0].rfind("rf_network,1,4,118,2,", 0), 0u) << rows[0];
  // RF, depth 2, width 8: 8 x 16 + 8, 8 x 16 + 8, 10 x 8 + 10 = 362.
  EXPECT_EQ(rows[3].rfind("rf_network,2,8,362,2,", 0), 0u) << rows[3];
  // MLP, depth 1, width 4: 64 x 4 + 4 + 4 x 10 + 10 = 310.
  EXPECT_EQ(rows[4].rfind("software_mlp,1,4,310,2,", 0), 0u) << rows[4];
  for (const auto& row : rows) {
    std::vector<std::string> cells;
    std::stringstream s(row);
    for (std::string cell; std::getline(s, cell, ',');) cells.push_back(cell);
    ASSERT_EQ(cells.size(), 12u) << row;
    EXPECT_NE(cells[5].find(';'), std::string::npos) << "both seeds' accuracies: " << row;
    EXPECT_GT(std::stod(cells[6]), 0.0) << row;
    EXPECT_LE(std::stod(cells[6]), 1.0) << row;
    EXPECT_GT(std::stod(cells[8]), 0.0) << "training throughput: " << row;
    EXPECT_GT(std::stod(cells[10]), 0.0) << "evaluation throughput: " << row;
  }
  EXPECT_EQ(data_lines(test::read_text(out / "size_study_runs.csv")).size(), 16u);
  const json study = json::parse(test::read_text(out / "size_study.json"));
  EXPECT_EQ(study["training_seeds"], json::array({7, 8}));
  EXPECT_EQ(study["config"], base_config());

  // Resume: a finished run is read back, not retrained (its summary stays byte for byte); a run
  // whose folder lost its summary is trained again.
  const auto kept = out / "runs" / "rf_network_d1_w4_s0" / "summary.json";
  const std::string before = test::read_text(kept);
  const auto redo = out / "runs" / "software_mlp_d2_w8_s1";
  std::filesystem::remove_all(redo);
  const auto resumed = test::run_cli({"size-study", "--resume", out.string(), "--threads", "1"}, scratch.path());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(test::read_text(kept), before);
  std::size_t earlier = 0;
  for (const auto& line : resumed.error_lines()) earlier += line.find("(finished earlier)") != std::string::npos;
  EXPECT_EQ(earlier, 15u) << resumed.err;
  EXPECT_TRUE(std::filesystem::is_regular_file(redo / "summary.json"));
  EXPECT_EQ(data_lines(test::read_text(out / "size_study.csv")).size(), 8u);
}

// Bad grids and flags: one line on stderr, exit code 2, nothing trained.
TEST(SizeStudy, BadFlagsAreOneLineErrors) {
  test::TempDir scratch;
  const auto config = scratch / "tiny.json";
  test::write_text(config, base_config().dump());
  const std::vector<std::vector<std::string>> bad = {
      {"--widths", "0", "--depths", "1"},
      {"--widths", "-4"},
      {"--depths", "0"},
      {"--widths"},
      {"--depths"},
      {"--seeds", "0"},
      {"--no-such-flag"},
  };
  for (const auto& flags : bad) {
    std::vector<std::string> args{"size-study", config.string(), "--out", (scratch / "study").string()};
    args.insert(args.end(), flags.begin(), flags.end());
    const auto r = test::run_cli(args, scratch.path());
    std::string joined;
    for (const auto& f : flags) joined += f + " ";
    EXPECT_EQ(r.exit_code, 2) << joined << r.err;
    EXPECT_EQ(r.error_lines().size(), 1u) << joined << r.err;
    EXPECT_FALSE(std::filesystem::exists(scratch / "study" / "runs")) << joined;
  }
  // --resume of a directory that does not exist names it (every command resumes through one
  // reader of run directories since issue 17 #3, which no longer names size_study.json here).
  const auto none = test::run_cli({"size-study", "--resume", (scratch / "missing").string()}, scratch.path());
  EXPECT_EQ(none.exit_code, 2) << none.err;
  ASSERT_EQ(none.error_lines().size(), 1u) << none.err;
  EXPECT_NE(none.err.find((scratch / "missing").string() + ": no such directory"), std::string::npos) << none.err;
}
