// run_network for any coupled oscillator model: checks, memory, the backend, the run in chunks with
// progress, the failure report and the result. Included by src/network/network_<model>.cpp, which
// instantiates it (and so compiles that model's vectorized network loops).
#pragma once

#include <omp.h>

#include <chrono>
#include <cmath>
#include <string>

#include "engine/host_batch.hpp"
#include "engine/run_model.hpp"
#include "network/network_cpu.hpp"
#include "spinnet/core/errors.hpp"
#include "spinnet/network/network_run.hpp"

#if defined(SPINNET_HAVE_CUDA)
#include "kernels/network/network_cuda.hpp"
#endif

namespace spinnet {

template <class Adapter>
std::uint64_t network_bytes(const NetworkProblem<Adapter>& problem) {
  const std::uint64_t value = problem.control.precision == Precision::float32 ? 4 : 8;
  const std::uint64_t n = static_cast<std::uint64_t>(problem.networks) * problem.size;
  const std::uint64_t lanes = 64 / value;
  const std::uint64_t slots = n + (problem.networks + 1) * lanes;  // padding, at most a block per network
  const std::uint64_t state = sizeof(typename Adapter::template State<double>) / 8;
  const std::uint64_t per_slot = sizeof(typename Adapter::Parameters) +
                                 sizeof(typename Adapter::template Coefficients<double>) / 8 * value +
                                 3 * state * value + 2 * sizeof(typename Adapter::Accumulators) + 16 + 8 +
                                 (Adapter::dim + 4 + 6 * Adapter::noise_pairs) * value;
  std::uint64_t coupling = 0;
  for (const SparseCouplingInput& t : problem.coupling.sparse)
    coupling += t.local_partner.size() * 12 + t.weight.size() * (8 + value);
  const std::uint64_t tones = problem.drive.vector_tones.size() + problem.drive.current_tones.size();
  const std::uint64_t drive = slots * (tones * (5 * 8 + 3 * value + 2 * 8) + problem.drive.schedule.values.size() * (8 + value));
  std::uint64_t observed = 0;
  if (problem.observe.phase_locking) observed += problem.networks * problem.size * (problem.size - 1ull) * 16;
  if (problem.observe.order_trace_every > 0)
    observed += problem.control.steps / problem.observe.order_trace_every * problem.networks * 16;
  if (problem.observe.signal_every > 0)
    observed += problem.control.steps / problem.observe.signal_every * problem.networks * 16;
  const std::uint64_t samples = problem.control.trace_every > 0 ? problem.control.steps / problem.control.trace_every : 0;
  observed += samples * problem.control.trace_devices.size() * (state + 1) * 16;
  return slots * per_slot + coupling + drive + observed;
}

namespace detail {

/// Throws RunError for the first failed oscillator, naming its network, its index and the time.
void report_network_failures(const std::vector<std::uint32_t>& status, const std::vector<std::uint64_t>& failed_step,
                             const std::vector<std::size_t>& oscillator_slot, std::uint32_t size,
                             std::uint64_t first_network, const RunControl& control, const std::string& bound_hint);

template <class Adapter, class T>
NetworkResult<Adapter> run_network_typed(const NetworkProblem<Adapter>& problem, const RunOptions& options) {
  const RunControl& control = problem.control;
  HostNetworkBatch<Adapter, T> batch(problem);
  bool thermal = false;
  for (const auto& p : problem.oscillators) thermal = thermal || Adapter::Model::thermal(p);
  const bool inputs = has_inputs(batch.view.drive);

  NetworkResult<Adapter> result;
  const auto start = std::chrono::steady_clock::now();
  if (uses_cuda(options.backend)) {
    // One fixed launch length on the GPU (the CUDA driver checks progress between launches).
    const std::uint64_t chunk = std::max<std::uint64_t>(1000, control.steps / 100);
#if defined(SPINNET_HAVE_CUDA)
    auto callback = [](void* context, double fraction) {
      const auto* opts = static_cast<const RunOptions*>(context);
      if (opts->progress) opts->progress(fraction);
    };
    cuda::run_network<Adapter, T>(batch.view, control.steps, chunk, batch.trace_samples, batch.order_trace_samples,
                                  batch.signal_samples, thermal, callback, const_cast<RunOptions*>(&options));
    result.backend = std::string("cuda (") + cuda::device_name() + ")";
#endif
  } else {
    const int requested = options.threads > 0 ? options.threads : omp_get_max_threads();
    // About a quarter of an L2 cache of slots per unit (each slot holds ~40 numbers).
    // Units of about a quarter of an L2 cache of slots (each slot holds ~40 numbers), and at least
    // four per thread when the batch allows (256 slots at least): threads then take whole units,
    // without the barriers that sharing one unit needs at every pass.
    const std::size_t cache_slots = 4096 / (sizeof(T) / 4);
    const std::size_t per_thread = batch.view.slots / (4 * static_cast<std::size_t>(std::max(1, requested)));
    const std::size_t target = std::max<std::size_t>(256, std::min(cache_slots, per_thread));
    const std::vector<NetworkUnit> units = network_units(batch.view, target);
    const std::size_t blocks = batch.view.slots / simd_lanes<T>;
    const int threads = std::max(1, std::min<int>(requested, static_cast<int>(std::max<std::size_t>(
                                                                   units.size(), blocks / 64))));
    std::vector<T> scratch(batch.view.slots, T(0));
    // Chunks sized by wall time (ChunkClock), so progress and interruption stay responsive; results
    // do not depend on chunking (noise, drives and order samples key on the absolute step).
    ChunkClock clock(options.chunk_seconds);
    std::uint64_t chunk = clock.next(0, 0);
    for (std::uint64_t begin = 0; begin < control.steps;) {
      const std::uint64_t end = std::min(control.steps, begin + chunk);
      const auto chunk_start = std::chrono::steady_clock::now();
      if (thermal) {
        inputs ? cpu_advance_networks<Adapter, T, true, true>(batch, units, begin, end, threads, scratch)
               : cpu_advance_networks<Adapter, T, true, false>(batch, units, begin, end, threads, scratch);
      } else {
        inputs ? cpu_advance_networks<Adapter, T, false, true>(batch, units, begin, end, threads, scratch)
               : cpu_advance_networks<Adapter, T, false, false>(batch, units, begin, end, threads, scratch);
      }
      if (options.progress) options.progress(static_cast<double>(end) / static_cast<double>(control.steps));
      chunk = clock.next(end - begin, std::chrono::duration<double>(std::chrono::steady_clock::now() - chunk_start).count());
      begin = end;
      // No mid-batch snapshots for networks yet: an interruption loses this batch only.
      if (begin < control.steps && options.interrupted && options.interrupted()) throw RunInterrupted{};
    }
    result.backend = "cpu (" + std::to_string(threads) + " threads)";
  }
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::size_t n = problem.networks * problem.size;
  result.oscillator_steps_per_second =
      static_cast<double>(control.steps) * static_cast<double>(n) / std::max(result.wall_seconds, 1e-12);

  std::vector<std::size_t> slot(n);
  for (std::size_t i = 0; i < n; ++i) slot[i] = batch.slot_of_oscillator(i);
  report_network_failures(batch.status, batch.failed_step, slot, problem.size, batch.view.first_network, control,
                          std::string(Adapter::bound_hint));

  result.averaged_steps = control.steps - control.transient_steps;
  result.sums.resize(n);
  result.final_state.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    result.sums[i] = batch.accumulators.view.load(slot[i]);
    result.final_state[i] = widen<typename Adapter::Model, T>(batch.state.view.load(slot[i]));
  }
  result.trace_samples = batch.trace_samples;
  result.trace_time.resize(batch.trace_samples);
  for (std::uint64_t s = 0; s < batch.trace_samples; ++s)
    result.trace_time[s] = static_cast<double>((s + 1) * control.trace_every) * control.dt;
  result.trace_state.resize(batch.trace_signal.size());
  result.trace_signal.resize(batch.trace_signal.size());
  for (std::size_t j = 0; j < batch.trace_signal.size(); ++j) {
    result.trace_state[j] = widen<typename Adapter::Model, T>(batch.trace_state.view.load(j));
    result.trace_signal[j] = static_cast<double>(batch.trace_signal[j]);
  }
  const std::size_t G = problem.networks, N = problem.size;
  result.order_mean.assign(G, 0.0);
  result.order_std.assign(G, 0.0);
  for (std::size_t g = 0; g < G; ++g) {
    const double samples = static_cast<double>(batch.order_samples[g]);
    if (samples == 0) continue;
    const double mean = batch.order_sum[g] / samples;
    result.order_mean[g] = mean;
    result.order_std[g] = std::sqrt(std::max(0.0, batch.order_sum2[g] / samples - mean * mean));
  }
  result.order_trace_samples = batch.order_trace_samples;
  result.order_trace = batch.order_trace;
  if (!batch.plv.empty()) {
    const std::size_t pairs = N * (N - 1) / 2;
    result.phase_locking.assign(G * pairs, 0.0);
    for (std::size_t g = 0; g < G; ++g) {
      const double samples = std::max<double>(1.0, static_cast<double>(batch.order_samples[g]));
      for (std::size_t p = 0; p < pairs; ++p) {
        const double re = batch.plv[(g * pairs + p) * 2], im = batch.plv[(g * pairs + p) * 2 + 1];
        result.phase_locking[g * pairs + p] = std::sqrt(re * re + im * im) / samples;
      }
    }
  }
  result.signal_samples = batch.signal_samples;
  result.signal_trace = batch.signal_trace;
  return result;
}

template <class Adapter>
NetworkResult<Adapter> run_network_checked(const NetworkProblem<Adapter>& problem, const RunOptions& options) {
  if (problem.networks == 0 || problem.size == 0) throw RunError("the batch has no networks");
  if (problem.oscillators.size() != problem.networks * problem.size)
    throw RunError("a network problem needs networks x size oscillators");
  if (problem.control.steps <= problem.control.transient_steps) throw RunError("the run has no steps after the transient");
  if (static_cast<double>(problem.networks) * problem.size * Adapter::noise_pairs > 4294967295.0)
    throw RunError("at most 4294967295 oscillators x noise pairs in a study (32-bit noise ids)");
  for (std::uint32_t d : problem.control.trace_devices)
    if (d >= problem.oscillators.size()) throw RunError("traced oscillator " + std::to_string(d) + " is not in the batch");
  for (const SparseCouplingInput& t : problem.coupling.sparse) {
    const std::size_t entries = static_cast<std::size_t>(t.width) * problem.size;
    if (t.local_partner.size() != entries) throw RunError("a sparse coupling term has the wrong number of entries");
    const std::size_t expected = entries * static_cast<std::size_t>(block_size(t.kind, Adapter::dim)) *
                                 (t.per_network ? problem.networks : 1);
    if (t.weight.size() != expected) throw RunError("a sparse coupling term has the wrong number of weights");
    for (std::uint32_t k : t.local_partner)
      if (k >= problem.size) throw RunError("a sparse coupling term names an oscillator outside the network");
  }
  check_host_memory(network_bytes(problem));
  uses_cuda(options.backend);
  return problem.control.precision == Precision::float32 ? run_network_typed<Adapter, float>(problem, options)
                                                         : run_network_typed<Adapter, double>(problem, options);
}

}  // namespace detail
}  // namespace spinnet
