// Backend selection, memory checks, chunked stepping with progress, blow-up reporting and result
// extraction for the macrospin engine.
#include <omp.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>

#include "macrospin_cpu.hpp"
#include "macrospin_host_batch.hpp"
#include "spinnet/engine.hpp"
#include "spinnet/errors.hpp"

#if defined(SPINNET_HAVE_CUDA)
#include "macrospin_cuda.hpp"
#endif

namespace spinnet {

std::string to_string(Precision p) { return p == Precision::float32 ? "float32" : "float64"; }

std::string to_string(Backend b) {
  switch (b) {
    case Backend::automatic: return "auto";
    case Backend::cpu: return "cpu";
    case Backend::cuda: return "cuda";
  }
  return "?";
}

bool cuda_available() {
#if defined(SPINNET_HAVE_CUDA)
  return cuda::device_count() > 0;
#else
  return false;
#endif
}

std::uint64_t estimated_bytes(const MacrospinProblem& problem) {
  const std::uint64_t n = problem.devices.size();
  const std::uint64_t value = problem.precision == Precision::float32 ? 4 : 8;
  const std::uint64_t tones = problem.field_tones.size() + problem.current_tones.size();
  const std::uint64_t samples = problem.trace_every > 0 ? problem.steps / problem.trace_every : 0;
  const std::uint64_t per_device = sizeof(MacrospinParameters<double>) + 24 * value + 3 * value + 9 * 8 + 16 +
                                   tones * (5 * 8 + 3 * value + 2 * 8) + 16 * 8;
  return n * per_device + samples * problem.trace_devices.size() * 3 * (value + 8);
}

namespace {

std::uint64_t available_host_bytes() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  std::uint64_t kib = 0;
  std::string unit;
  while (meminfo >> key >> kib >> unit) {
    if (key == "MemAvailable:") return kib * 1024;
  }
  return ~std::uint64_t{0};
}

std::string format_time(double seconds) {
  std::ostringstream s;
  s.precision(6);
  s << seconds * 1e9 << " ns";
  return s.str();
}

template <class T>
MacrospinResult run_typed(const MacrospinProblem& problem, bool use_cuda, const RunOptions& options) {
  detail::MacrospinHostBatch<T> batch(problem);
  const bool thermal = [&] {
    for (const auto& d : problem.devices)
      if (d.temperature > 0) return true;
    return false;
  }();
  // Chunks short enough for progress reports, long enough to amortize launches and thread teams.
  const std::uint64_t chunk = std::max<std::uint64_t>(1, std::min<std::uint64_t>(problem.steps, std::max<std::uint64_t>(
                                                                                                     1000, problem.steps / 100)));
  MacrospinResult result;
  const auto start = std::chrono::steady_clock::now();
  if (use_cuda) {
#if defined(SPINNET_HAVE_CUDA)
    auto callback = [](void* context, double fraction) {
      const auto* opts = static_cast<const RunOptions*>(context);
      if (opts->progress) opts->progress(fraction);
    };
    cuda::run<T>(batch.view, problem.steps, chunk, batch.trace_samples, thermal, callback,
                 const_cast<RunOptions*>(&options));
    result.backend = std::string("cuda (") + cuda::device_name() + ")";
#endif
  } else {
    const int threads = options.threads > 0 ? options.threads : omp_get_max_threads();
    for (std::uint64_t begin = 0; begin < problem.steps; begin += chunk) {
      const std::uint64_t end = std::min(problem.steps, begin + chunk);
      detail::cpu_advance<T>(batch.view, begin, end, thermal, threads);
      if (options.progress) options.progress(static_cast<double>(end) / static_cast<double>(problem.steps));
    }
    result.backend = "cpu (" + std::to_string(threads) + " threads)";
  }
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.device_steps_per_second =
      static_cast<double>(problem.steps) * static_cast<double>(batch.devices) / std::max(result.wall_seconds, 1e-12);

  for (std::size_t i = 0; i < batch.devices; ++i) {
    if (batch.status[i] == status_ok) continue;
    const std::uint64_t step = batch.failed_step[i];
    const std::string why = batch.status[i] == status_not_finite
                                ? "m became non-finite"
                                : "|m| drifted by more than " + std::to_string(problem.drift_limit) +
                                      " in one step (time step too large for the fields and torques)";
    throw RunError("numerical blow-up: instance 0, device " + std::to_string(problem.first_device_id + i) + " at t = " +
                   format_time(static_cast<double>(step + 1) * problem.dt) + " (step " + std::to_string(step + 1) +
                   "): " + why + "; reduce integration.dt_ps");
  }

  const std::size_t n = batch.devices;
  const double samples = static_cast<double>(problem.steps - problem.transient_steps);
  auto mean = [&](const std::vector<double>& sums) {
    std::vector<double> out(n);
    for (std::size_t i = 0; i < n; ++i) out[i] = sums[i] / samples;
    return out;
  };
  result.mean_mx = mean(batch.accumulators.mx);
  result.mean_my = mean(batch.accumulators.my);
  result.mean_mz = mean(batch.accumulators.mz);
  result.mean_mx2 = mean(batch.accumulators.mx2);
  result.mean_my2 = mean(batch.accumulators.my2);
  result.mean_mz2 = mean(batch.accumulators.mz2);
  result.mean_resistance = mean(batch.accumulators.resistance);
  result.rectified_voltage = mean(batch.accumulators.power);
  result.frequency.resize(n);
  for (std::size_t i = 0; i < n; ++i)
    result.frequency[i] = batch.accumulators.phase[i] / (constants::two_pi * samples * problem.dt);
  result.final_mx.assign(batch.mx.begin(), batch.mx.begin() + static_cast<std::ptrdiff_t>(n));
  result.final_my.assign(batch.my.begin(), batch.my.begin() + static_cast<std::ptrdiff_t>(n));
  result.final_mz.assign(batch.mz.begin(), batch.mz.begin() + static_cast<std::ptrdiff_t>(n));
  result.trace_samples = batch.trace_samples;
  result.trace_time.resize(batch.trace_samples);
  for (std::uint64_t s = 0; s < batch.trace_samples; ++s)
    result.trace_time[s] = static_cast<double>((s + 1) * problem.trace_every) * problem.dt;
  result.trace_x.assign(batch.trace_x.begin(), batch.trace_x.end());
  result.trace_y.assign(batch.trace_y.begin(), batch.trace_y.end());
  result.trace_z.assign(batch.trace_z.begin(), batch.trace_z.end());
  return result;
}

}  // namespace

MacrospinResult run_macrospin(const MacrospinProblem& problem, const RunOptions& options) {
  if (problem.devices.empty()) throw RunError("the batch has no devices");
  if (problem.steps <= problem.transient_steps) throw RunError("the run has no steps after the transient");
  const std::uint64_t needed = estimated_bytes(problem);
  const std::uint64_t available = available_host_bytes();
  if (needed > available) {
    throw RunError("run needs " + std::to_string(needed >> 20) + " MiB of memory, the machine has " +
                   std::to_string(available >> 20) + " MiB available; use fewer devices or a sparser trace");
  }
  bool use_cuda = false;
  switch (options.backend) {
    case Backend::cpu: use_cuda = false; break;
    case Backend::automatic: use_cuda = cuda_available(); break;
    case Backend::cuda:
#if defined(SPINNET_HAVE_CUDA)
      if (!cuda_available()) throw RunError("--backend cuda: no CUDA device is visible on this machine");
      use_cuda = true;
#else
      throw RunError("--backend cuda: this spinnet was built without CUDA (configure with nvcc available)");
#endif
      break;
  }
  return problem.precision == Precision::float32 ? run_typed<float>(problem, use_cuda, options)
                                                 : run_typed<double>(problem, use_cuda, options);
}

}  // namespace spinnet
