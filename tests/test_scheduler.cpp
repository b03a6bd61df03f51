// The study scheduler: batch sizing from given hardware numbers, shard and batch planning, and the
// property everything else rests on: a device's results do not depend on how the study is cut
// into batches or shards (noise is keyed by global device id, so every split must reproduce the
// one-batch run bit for bit).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "cli_helpers.hpp"
#include "h5_helpers.hpp"
#include "spinnet/study/scheduler.hpp"

namespace spinnet {
namespace {

/// A thermal auto-oscillator study: 5 current points x 8 devices, 4000 steps, RF drive (so drive
/// slicing is exercised) and a trace of devices 3, 17 and 30 (in three different batches).
json oscillator_study(std::size_t points = 5) {
  json study = json::parse(R"({
    "name": "scheduler_test", "model": "auto_oscillator", "seed": 11, "precision": "float32",
    "devices": {"count": 8, "frequency_GHz": 5.0, "nonlinear_shift_GHz": -2.0, "damping_rate_per_ns": 0.5,
                "nonlinear_damping_Q": 1.0, "threshold_current_mA": 1.0, "current_mA": 2.0,
                "temperature_K": 300, "energy_aJ": 2,
                "rf_drive": [{"amplitude_per_ns": 0.05, "frequency_GHz": {"values": [4.4, 4.5, 4.6, 4.7, 4.8, 4.9, 5.0, 5.1]}}]},
    "sweep": {"axes": [{"path": "devices.current_mA", "linear": {"start": 1.5, "stop": 3.0, "count": 5}}]},
    "integration": {"dt_ps": 2, "duration_ns": 8, "transient_ns": 2},
    "observables": {"trace": {"every_ps": 100, "devices": [30, 3, 17]}}
  })");
  study["sweep"]["axes"][0]["linear"]["count"] = points;
  return study;
}

TEST(BatchSizing, CpuFillsEveryThreadAndRespectsMemoryAndStepBounds) {
  BatchSizing s;
  s.bytes_per_device = 500;
  s.memory_budget = std::uint64_t{1} << 30;
  s.steps = 1000;
  // Plenty of memory and a short run: the default 65536 devices.
  EXPECT_EQ(cpu_batch_devices(s, 2, 16), 65536u);
  // Many threads: 4 SIMD blocks of 16 lanes each.
  EXPECT_EQ(cpu_batch_devices(s, 2048, 16), 4u * 2048 * 16);
  // 1 MiB of memory at 500 bytes a device: 2097 devices.
  s.memory_budget = 1 << 20;
  EXPECT_EQ(cpu_batch_devices(s, 2, 16), (1u << 20) / 500);
  // A long run: at most 8e9 device-steps (1e7 steps: 800 devices), never below one block a thread.
  s.memory_budget = std::uint64_t{1} << 30;
  s.steps = 10'000'000;
  EXPECT_EQ(cpu_batch_devices(s, 2, 16), 800u);
  s.steps = 1'000'000'000;
  EXPECT_EQ(cpu_batch_devices(s, 8, 16), 8u * 16);
}

TEST(BatchSizing, CudaFillsTheMultiprocessorsWithinFreeMemory) {
  BatchSizing s;
  s.bytes_per_device = 400;
  s.steps = 1000;
  s.max_device_steps = 2e12;
  // An H200: 132 SMs x 2048 resident threads x 8 waves, far below 80 % of 140 GB / 400 B.
  EXPECT_EQ(cuda_batch_devices(s, 140'000'000'000ull, 132), 132u * 2048 * 8);
  // 100 MB free: 80 % / 400 B = 200000 devices.
  EXPECT_EQ(cuda_batch_devices(s, 100'000'000ull, 132), 200'000u);
  // Long runs are cut by the device-step bound (2e12 / 1e8 steps = 20000 devices).
  s.steps = 100'000'000;
  EXPECT_EQ(cuda_batch_devices(s, 140'000'000'000ull, 132), 20'000u);
}

TEST(BatchPlan, ShardsCoverEveryItemOnceInBalancedContiguousRanges) {
  for (std::size_t items : {1u, 7u, 1000u, 1000003u}) {
    for (std::size_t shards : {1u, 2u, 3u, 16u}) {
      std::size_t next = 0, smallest = items, largest = 0;
      for (std::size_t s = 0; s < shards; ++s) {
        const BatchRange r = shard_range(items, s, shards);
        EXPECT_EQ(r.first_item, next);
        next = r.end_item();
        smallest = std::min(smallest, r.items);
        largest = std::max(largest, r.items);
      }
      EXPECT_EQ(next, items);
      EXPECT_LE(largest - smallest, 1u) << items << " items in " << shards << " shards";
    }
  }
  const auto batches = plan_batches({10, 25}, 7);
  ASSERT_EQ(batches.size(), 4u);
  EXPECT_EQ(batches[0].first_item, 10u);
  EXPECT_EQ(batches[3].first_item, 31u);
  EXPECT_EQ(batches[3].items, 4u);
}

TEST(BatchPlan, SliceKeepsGlobalIdentity) {
  const RunConfig config = read_run_config(oscillator_study(), "test");
  const RunConfig slice = slice_config(config, 16, 16);
  ASSERT_EQ(slice.auto_oscillator.size(), 16u);
  EXPECT_EQ(slice.control.first_device_id, 16u);  // noise of device 16 + i
  EXPECT_EQ(slice.auto_oscillator[0].current, config.auto_oscillator[16].current);
  ASSERT_EQ(slice.drive.vector_tones.size(), 1u);
  EXPECT_EQ(slice.drive.vector_tones[0].frequency[3], config.drive.vector_tones[0].frequency[19]);
  // Traced devices 30 and 17 fall in [16, 32), in the config's order.
  EXPECT_EQ(slice.control.trace_devices, (std::vector<std::uint32_t>{14, 1}));
}

/// Runs the study with a given batch size into a fresh directory; returns results.h5's path.
std::string run_with_batches(const test::TempDir& dir, const std::string& name, const json& document,
                             const RunConfig& config, std::size_t batch_items) {
  const std::string out = (dir / name).string();
  StudyOptions options;
  options.run.backend = Backend::cpu;
  options.batch_items = batch_items;
  const StudyOutcome outcome = run_study(document, "test.json", config, out, options);
  EXPECT_TRUE(outcome.complete);
  return out + "/results.h5";
}

TEST(Scheduler, ResultsDoNotDependOnBatchSize) {
  // The same study in 5 batches of one sweep point, 2 batches of 3 and 2 points, and one batch.
  const test::TempDir dir;
  const json document = oscillator_study();
  const RunConfig config = read_run_config(document, "test.json");
  const std::string one = run_with_batches(dir, "one", document, config, 1);
  const std::string three = run_with_batches(dir, "three", document, config, 3);
  const std::string all = run_with_batches(dir, "all", document, config, 100);
  EXPECT_EQ(test::compare_h5_datasets(one, all), "");
  EXPECT_EQ(test::compare_h5_datasets(three, all), "");
  // And they equal the engine run as one batch without the scheduler.
  RunOptions options;
  options.backend = Backend::cpu;
  const ExperimentResult direct = run_experiment(config, options);
  const auto sets = test::read_h5_datasets(one);
  for (const auto& [name, values] : direct.observables) {
    const auto& stored = sets.at(std::string("/observables/").append(name)).values;
    ASSERT_EQ(stored.size(), values.size());
    EXPECT_EQ(std::memcmp(stored.data(), values.data(), values.size() * sizeof(double)), 0) << name;
  }
  // The trace (devices in three batches) is identical too.
  EXPECT_EQ(test::read_text(dir / "one" / "trace.csv"), test::read_text(dir / "all" / "trace.csv"));
}

TEST(Scheduler, ShardsEqualOneRun) {
  const test::TempDir dir;
  const json document = oscillator_study();
  const RunConfig config = read_run_config(document, "test.json");
  const std::string single = run_with_batches(dir, "single", document, config, 2);
  std::vector<std::string> shards;
  for (std::size_t s = 0; s < 3; ++s) {
    StudyOptions options;
    options.run.backend = Backend::cpu;
    options.batch_items = 1;
    options.shard = s;
    options.shards = 3;
    shards.push_back((dir / "shard").string() + std::to_string(s));
    EXPECT_TRUE(run_study(document, "test.json", config, shards.back(), options).complete);
    EXPECT_FALSE(test::fs::exists(test::fs::path(shards.back()) / "results.h5")) << "a shard is not the whole study";
  }
  // Two of three shards: the message names the missing items.
  try {
    merge_shards({shards[0], shards[2]}, (dir / "partial").string());
    ADD_FAILURE() << "merging an incomplete set of shards must fail";
  } catch (const RunError& e) {
    EXPECT_NE(std::string(e.what()).find("work items 1 to 2"), std::string::npos) << e.what();
  }
  merge_shards(shards, (dir / "merged").string());
  EXPECT_EQ(test::compare_h5_datasets(single, (dir / "merged" / "results.h5").string()), "");
}

TEST(Scheduler, InstancesShapeTheDatasetsAndPointStatistics) {
  // 3 points x 4 instances x 2 devices (the layout a config with "instances": 4 gives), with one
  // varied parameter; results.h5 holds [3, 4, 2] datasets.
  const test::TempDir dir;
  json document = oscillator_study(3);
  document["observables"]["trace"]["devices"] = json::parse("[3, 17]");
  RunConfig config = read_run_config(document, "test.json");
  config.sweep.instances = 4;
  config.sweep.devices_per_instance = 2;
  std::vector<double> current;
  for (const auto& d : config.auto_oscillator) current.push_back(d.current * 1e3);
  config.varied_parameters["devices.current_mA"] = current;
  const std::string h5 = run_with_batches(dir, "run", document, config, 5);  // batches cut through points
  const auto sets = test::read_h5_datasets(h5);
  const auto& frequency = sets.at("/observables/frequency_Hz");
  EXPECT_EQ(frequency.shape, (std::vector<hsize_t>{3, 4, 2}));
  EXPECT_EQ(sets.at("/parameters/devices.current_mA").values, current);
  EXPECT_EQ(sets.at("/sweep/axis0").values, config.sweep.axes[0].values);
  EXPECT_EQ(std::stoull(json::parse(test::read_h5_text_attribute(h5, "config")).at("seed").dump()), 11u);

  // result.json statistics per point from the 8 values of each point: mean, population std and
  // type-7 quantiles, recomputed here from the HDF5 values.
  const json result = json::parse(test::read_text(dir / "run" / "result.json"));
  for (std::size_t p = 0; p < 3; ++p) {
    std::vector<double> v(frequency.values.begin() + static_cast<std::ptrdiff_t>(8 * p),
                          frequency.values.begin() + static_cast<std::ptrdiff_t>(8 * p + 8));
    std::sort(v.begin(), v.end());
    double mean = 0, var = 0;
    for (double x : v) mean += x / 8;
    for (double x : v) var += (x - mean) * (x - mean) / 8;
    const json& s = result.at("summary_per_point").at("frequency_Hz").at(p);
    // Sums of 8 doubles in a different order: within a few ulps of the mean.
    EXPECT_NEAR(s.at("mean").get<double>(), mean, 1e-12 * std::abs(mean));
    EXPECT_NEAR(s.at("std").get<double>(), std::sqrt(var), 1e-9 * std::sqrt(var) + 1e-6);
    // q25 at position 0.25 * 7 = 1.75: v[1] + 0.75 (v[2] - v[1]).
    EXPECT_DOUBLE_EQ(s.at("q25").get<double>(), v[1] + 0.75 * (v[2] - v[1]));
    EXPECT_DOUBLE_EQ(s.at("median").get<double>(), v[3] + 0.5 * (v[4] - v[3]));
    EXPECT_DOUBLE_EQ(s.at("q95").get<double>(), v[6] + 0.65 * (v[7] - v[6]));
    EXPECT_EQ(s.at("count").get<std::size_t>(), 8u);
  }
}

TEST(Scheduler, SpectraDoNotDependOnBatchSize) {
  // Welch spectra are per device: peak, linewidth and the saved PSDs (devices 0-5, in two
  // batches of 8 devices) are the same in batches of one point as in one batch.
  json document = oscillator_study(4);
  document["integration"]["duration_ns"] = 60;
  document["measure"] = json::parse(R"({"spectrum": {"sample_every_ps": 20, "segment_samples": 512, "saved_spectra": 12}})");
  const RunConfig config = read_run_config(document, "test.json");
  const test::TempDir dir;
  const std::string one = run_with_batches(dir, "one", document, config, 1);
  const std::string all = run_with_batches(dir, "all", document, config, 4);
  EXPECT_EQ(test::compare_h5_datasets(one, all), "");
  EXPECT_EQ(test::read_text(dir / "one" / "spectrum.csv"), test::read_text(dir / "all" / "spectrum.csv"));
}

TEST(Scheduler, CoupledNetworksDoNotDependOnBatchSize) {
  // Pairs of coupled oscillators: batches hold whole networks, and a network's noise id is
  // its global network index.
  json document = oscillator_study(4);
  document["coupling"] = {{"group_size", 2}, {"strength_per_ns", 0.1}};
  document["observables"]["trace"]["devices"] = json::parse("[0, 5]");
  document["devices"].erase("rf_drive");  // a network has one drive
  const RunConfig config = read_run_config(document, "test.json");
  const test::TempDir dir;
  const std::string one = run_with_batches(dir, "one", document, config, 1);
  const std::string all = run_with_batches(dir, "all", document, config, 4);
  EXPECT_EQ(test::compare_h5_datasets(one, all), "");
}

}  // namespace
}  // namespace spinnet
