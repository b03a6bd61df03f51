// RF network training throughput (samples/s) with the reference code's MNIST layer sizes: 784 input
// tones -> 128 chains of 256 junctions -> 128 STNOs -> 10 chains of 128 junctions. One training
// step = synaptic matrices from the frequencies (prepare), forward, backward, Adam update. Also the
// synaptic-matrix kernel alone (Lorentzian evaluations per second) and the throughput against the
// hidden width. CUDA cases (*Cuda*) run the same step on the GPU (skipped without a device).
// Run: ./build/bench/rfnet_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <random>

#include "spinnet/core/openmp_wait.hpp"
#include "spinnet/rfnet/rf_network.hpp"
#include "spinnet/rfnet/rf_training.hpp"
#if defined(SPINNET_HAVE_CUDA)
#include "spinnet/rfnet/rf_network_cuda.hpp"
#endif

using namespace spinnet;

namespace {

RfNetworkSpec mnist_network(int hidden) {
  json config = json::parse(R"({
    "input": {"tones": {"plan": "linear", "f_min_GHz": 2, "f_max_GHz": 12}},
    "layers": [
      {"chains": 128, "junctions": 256, "resonances": {"plan": "linear", "f_min_GHz": 2, "f_max_GHz": 12}},
      {"chains": 10, "junctions": 128, "resonances": {"plan": "geometric", "f_min_GHz": 2, "f_max_GHz": 12}}
    ]
  })");
  config["layers"][0]["chains"] = hidden;
  json resolved;
  ObjectReader reader(config, "network", resolved);
  return read_rf_network_config(reader, 784, 10, 0);
}

/// The timed loop of a training-step benchmark: forward, softmax cross-entropy, backward, one Adam
/// step and prepare() per iteration on a fixed random batch (features uniform in [0, 1), labels
/// b mod outputs); reports samples/s.
void run_training_steps(benchmark::State& state, TrainableModel<float>& model, int batch, double learning_rate) {
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<float> u(0, 1);
  RowMatrix<float> x(batch, model.input_count()), logits, dlogits;
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = u(rng);
  std::vector<int> y(batch);
  for (int b = 0; b < batch; ++b) y[b] = b % model.output_count();
  OptimizerOptions adam;
  adam.learning_rate = learning_rate;
  OptimizerState optimizer;
  auto blocks = model.parameters();
  for (auto _ : state) {
    model.forward(x, logits);
    softmax_cross_entropy<float>(logits, y.data(), &dlogits, nullptr);
    model.backward(dlogits);
    optimizer_step(adam, adam.learning_rate, blocks, optimizer);
    model.prepare();
  }
  state.counters["samples/s"] = benchmark::Counter(static_cast<double>(batch) * state.iterations(), benchmark::Counter::kIsRate);
}

void training_step(benchmark::State& state, int hidden, int batch, const RfBackendOptions& backend = {}) {
  if (backend.backend == Backend::cuda && !cuda_available()) {
    state.SkipWithError("no CUDA device visible (or built without CUDA)");
    return;
  }
  flush_denormals_to_zero();  // as train_model does
  const auto network = make_rf_network(mnist_network(hidden), backend);
  RfTrainableNetwork<float>& model = *network;
  run_training_steps(state, model, batch, 1e-3);
  state.counters["batch"] = batch;
  state.counters["hidden"] = hidden;
}

void BM_MnistTrainingStep(benchmark::State& state) { training_step(state, 128, static_cast<int>(state.range(0))); }
BENCHMARK(BM_MnistTrainingStep)->Arg(64)->Arg(128)->Arg(256)->Arg(512)->Arg(1024)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_MnistTrainingStepVsHidden(benchmark::State& state) { training_step(state, static_cast<int>(state.range(0)), 256); }
BENCHMARK(BM_MnistTrainingStepVsHidden)->Arg(32)->Arg(64)->Arg(128)->Arg(256)->Arg(512)->Unit(benchmark::kMillisecond)->UseRealTime();

// CUDA (cuBLAS): one training step as above, the batch uploaded once, logits and gradients
// downloaded, Adam on the host. Skipped without a device. `tf32`: TF32 tensor-core products.
void BM_MnistTrainingStepCuda(benchmark::State& state) {
  training_step(state, 128, static_cast<int>(state.range(0)), RfBackendOptions{Backend::cuda, false, "bench"});
}
BENCHMARK(BM_MnistTrainingStepCuda)->Arg(256)->Arg(1024)->Arg(4096)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_MnistTrainingStepCudaTf32(benchmark::State& state) {
  training_step(state, 128, static_cast<int>(state.range(0)), RfBackendOptions{Backend::cuda, true, "bench"});
}
BENCHMARK(BM_MnistTrainingStepCudaTf32)->Arg(256)->Arg(1024)->Arg(4096)->Unit(benchmark::kMillisecond)->UseRealTime();

// Inference only (what evaluate_model does per batch): upload, forward, logits back.
void BM_MnistForwardCuda(benchmark::State& state) {
  if (!cuda_available()) {
    state.SkipWithError("no CUDA device visible (or built without CUDA)");
    return;
  }
  const int batch = static_cast<int>(state.range(0));
  const auto model = make_rf_network(mnist_network(128), RfBackendOptions{Backend::cuda, false, "bench"});
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<float> u(0, 1);
  RowMatrix<float> x(batch, 784), logits;
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = u(rng);
  for (auto _ : state) model->forward(x, logits);
  state.counters["samples/s"] = benchmark::Counter(static_cast<double>(batch) * state.iterations(), benchmark::Counter::kIsRate);
  state.counters["batch"] = batch;
}
BENCHMARK(BM_MnistForwardCuda)->Arg(1024)->Arg(10000)->Unit(benchmark::kMillisecond)->UseRealTime();
// Training step against hidden width and depth on the 8x8-digits shape of the size study
// (configs/rfnet_size_study_digits8x8.json): 64 input tones, `depth` hidden layers of `width`
// chains of 64 junctions, 10 readout chains (junctions = width), batch 32.
void BM_TrainingStepSize(benchmark::State& state) {
  const int width = static_cast<int>(state.range(0)), depth = static_cast<int>(state.range(1)), batch = 32;
  json config = json::parse(R"({"input": {"tones": {"plan": "linear", "f_min_GHz": 2, "f_max_GHz": 12}},
    "readout_scale_mV": 10, "layers": []})");
  for (int l = 0; l < depth; ++l)
    config["layers"].push_back({{"chains", width}, {"junctions", 64},
                                {"resonances", {{"plan", "linear"}, {"f_min_GHz", 2}, {"f_max_GHz", 12}}}});
  config["layers"].push_back({{"resonances", {{"plan", "geometric"}, {"f_min_GHz", 2}, {"f_max_GHz", 12}}}});
  json resolved;
  ObjectReader reader(config, "network", resolved);
  flush_denormals_to_zero();
  RfNetworkModel<float> model(read_rf_network_config(reader, 64, 10, 0));
  run_training_steps(state, model, batch, OptimizerOptions{}.learning_rate);
  state.counters["width"] = width;
  state.counters["depth"] = depth;
}
BENCHMARK(BM_TrainingStepSize)
    ->ArgNames({"width", "depth"})
    ->ArgsProduct({{16, 32, 64, 128, 256}, {1, 2, 3}})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// The synaptic matrix of the first layer alone: 784 x 128 x 256 = 25.7 M Lorentzians.
void BM_ChainWeights(benchmark::State& state) {
  RfNetworkModel<float> model(mnist_network(128));
  for (auto _ : state) model.prepare();
  const double lorentzians = 784.0 * 128 * 256 + 128.0 * 10 * 128;
  state.counters["lorentzians/s"] = benchmark::Counter(lorentzians * state.iterations(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ChainWeights)->Unit(benchmark::kMillisecond)->UseRealTime();

// The same on the GPU: prepare() (parameter upload + chain_weights_kernel) and, to wait for it,
// the download of the small last-layer W (10 x 128 floats).
void BM_ChainWeightsCuda(benchmark::State& state) {
  if (!cuda_available()) {
    state.SkipWithError("no CUDA device visible (or built without CUDA)");
    return;
  }
#if defined(SPINNET_HAVE_CUDA)
  RfNetworkCuda model(mnist_network(128));
  for (auto _ : state) {
    model.prepare();
    benchmark::DoNotOptimize(model.weights(1));
  }
  const double lorentzians = 784.0 * 128 * 256 + 128.0 * 10 * 128;
  state.counters["lorentzians/s"] = benchmark::Counter(lorentzians * state.iterations(), benchmark::Counter::kIsRate);
#endif
}
BENCHMARK(BM_ChainWeightsCuda)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  spinnet::prefer_passive_openmp_wait();  // links in the passive wait policy, as the spinnet CLI does (openmp_wait.hpp)
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
