// Thin CUDA driver of the Welch PSD: segments of all signals are windowed into one buffer, one
// batched cuFFT R2C (plan many) transforms them, and a small kernel adds |X_k|^2 per signal.
// Work is cut into chunks of (signal, segment) items that fit in GPU memory; one plan serves all
// chunks (a short last chunk is padded with zero rows that are not accumulated).
#include "kernels/measure/spectrum_cuda.hpp"

#include <cuda_runtime.h>
#include <cufft.h>

#include <algorithm>
#include <string>

#include "kernels/core/cuda_check.hpp"
#include "kernels/core/lazy_library.hpp"
#include "spinnet/core/errors.hpp"

namespace spinnet::cuda {
namespace {

/// cuFFT, opened on the first CUDA spectrum (kernels/core/lazy_library.hpp).
LazyLibrary& cufft_library() {
  static LazyLibrary library("libcufft.so." SPINNET_LAZY_STRINGIFY(CUFFT_VER_MAJOR), SPINNET_CUDA_LIBRARY_DIR, "cuFFT");
  return library;
}

const char* cufft_error_name(cufftResult code) {
  switch (code) {
    case CUFFT_INVALID_PLAN: return "CUFFT_INVALID_PLAN";
    case CUFFT_ALLOC_FAILED: return "CUFFT_ALLOC_FAILED (out of GPU memory)";
    case CUFFT_INVALID_TYPE: return "CUFFT_INVALID_TYPE";
    case CUFFT_INVALID_VALUE: return "CUFFT_INVALID_VALUE";
    case CUFFT_INTERNAL_ERROR: return "CUFFT_INTERNAL_ERROR";
    case CUFFT_EXEC_FAILED: return "CUFFT_EXEC_FAILED";
    case CUFFT_SETUP_FAILED: return "CUFFT_SETUP_FAILED";
    case CUFFT_INVALID_SIZE: return "CUFFT_INVALID_SIZE";
    case CUFFT_NOT_SUPPORTED: return "CUFFT_NOT_SUPPORTED";
    default: return "cuFFT error";
  }
}

void check_cufft(cufftResult code, const char* what) {
  if (code != CUFFT_SUCCESS) {
    throw RunError(std::string("cuFFT error in ") + what + ": " + cufft_error_name(code) + " (" +
                   std::to_string(static_cast<int>(code)) + ")");
  }
}

/// The cuFFT entry points for one precision.
template <class T>
struct RealFft;
template <>
struct RealFft<float> {
  using Complex = cufftComplex;
  static constexpr cufftType type = CUFFT_R2C;
  static cufftResult execute(cufftHandle plan, float* in, Complex* out) { return SPINNET_LAZY_CALL(cufft_library, cufftExecR2C)(plan, in, out); }
};
template <>
struct RealFft<double> {
  using Complex = cufftDoubleComplex;
  static constexpr cufftType type = CUFFT_D2Z;
  static cufftResult execute(cufftHandle plan, double* in, Complex* out) { return SPINNET_LAZY_CALL(cufft_library, cufftExecD2Z)(plan, in, out); }
};

class FftPlan {
 public:
  ~FftPlan() {
    if (created_) SPINNET_LAZY_CALL(cufft_library, cufftDestroy)(plan_);
  }
  void create_many(int length, int bins, cufftType type, int batch) {
    int n[1] = {length};
    check_cufft(SPINNET_LAZY_CALL(cufft_library, cufftPlanMany)(&plan_, 1, n, nullptr, 1, length, nullptr, 1, bins, type, batch), "cufftPlanMany");
    created_ = true;
  }
  cufftHandle get() const { return plan_; }

 private:
  cufftHandle plan_ = 0;
  bool created_ = false;
};

/// Geometry of the (signal, segment) items and of one chunk of them.
struct Segmentation {
  std::size_t signal_length, segment_length, hop, segment_count, bins;
};

constexpr int window_threads = 256;

/// One block per row of the chunk: item = first_item + row. Removes the segment's mean and
/// multiplies by the window; rows past `item_count` are zero padding. `source[i]` holds flat
/// sample source_offset + i of the row-major signal array.
template <class T>
__global__ void window_segments_kernel(const T* source, std::size_t source_offset, Segmentation geometry,
                                       std::size_t first_item, std::size_t item_count, const double* window,
                                       T* rows) {
  __shared__ double partial[window_threads];
  const std::size_t row = blockIdx.x;
  const std::size_t item = first_item + row;
  const std::size_t length = geometry.segment_length;
  T* out = rows + row * length;
  if (item >= item_count) {
    for (std::size_t n = threadIdx.x; n < length; n += blockDim.x) out[n] = T(0);
    return;
  }
  const std::size_t signal = item / geometry.segment_count;
  const std::size_t segment = item % geometry.segment_count;
  const T* in = source + (signal * geometry.signal_length + segment * geometry.hop - source_offset);

  double sum = 0;
  for (std::size_t n = threadIdx.x; n < length; n += blockDim.x) sum += static_cast<double>(in[n]);
  partial[threadIdx.x] = sum;
  __syncthreads();
  for (int half = blockDim.x / 2; half > 0; half /= 2) {
    if (static_cast<int>(threadIdx.x) < half) partial[threadIdx.x] += partial[threadIdx.x + half];
    __syncthreads();
  }
  const double mean = partial[0] / static_cast<double>(length);
  for (std::size_t n = threadIdx.x; n < length; n += blockDim.x) {
    out[n] = static_cast<T>((static_cast<double>(in[n]) - mean) * window[n]);
  }
}

/// One thread per (signal touched by the chunk, bin): adds |X_k|^2 of that signal's items in the
/// chunk, in segment order, to sums[signal][k].
template <class Complex>
__global__ void accumulate_kernel(const Complex* spectra, Segmentation geometry, std::size_t first_item,
                                  std::size_t end_item, std::size_t first_signal, std::size_t signal_span,
                                  double* sums) {
  const std::size_t total = signal_span * geometry.bins;
  for (std::size_t index = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; index < total;
       index += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
    const std::size_t signal = first_signal + index / geometry.bins;
    const std::size_t k = index % geometry.bins;
    const std::size_t begin = std::max(first_item, signal * geometry.segment_count);
    const std::size_t end = std::min(end_item, (signal + 1) * geometry.segment_count);
    double power = 0;
    for (std::size_t item = begin; item < end; ++item) {
      const Complex x = spectra[(item - first_item) * geometry.bins + k];
      const double re = x.x, im = x.y;
      power += re * re + im * im;
    }
    sums[signal * geometry.bins + k] += power;
  }
}

/// Flat sample range [first, end) that the items [first_item, end_item) read.
struct SampleRange {
  std::size_t first, end;
};
SampleRange samples_read(const Segmentation& g, std::size_t first_item, std::size_t end_item) {
  const std::size_t last_item = end_item - 1;
  return {(first_item / g.segment_count) * g.signal_length + (first_item % g.segment_count) * g.hop,
          (last_item / g.segment_count) * g.signal_length + (last_item % g.segment_count) * g.hop +
              g.segment_length};
}

}  // namespace

template <class T>
void welch_periodogram_sums(const T* signals, bool signals_on_device, std::size_t signal_count,
                            std::size_t signal_length, std::size_t segment_length, std::size_t hop,
                            std::size_t segment_count, const double* window, double* sums,
                            std::size_t max_chunk_items) {
  using Complex = typename RealFft<T>::Complex;
  const Segmentation geometry{signal_length, segment_length, hop, segment_count, segment_length / 2 + 1};
  const std::size_t items = signal_count * segment_count;
  if (items == 0) return;
  const std::size_t sums_count = signal_count * geometry.bins;

  // Memory plan: the sums and the window stay for the whole call; each item in a chunk needs its
  // windowed row, its spectrum and (host input) up to two segments of staged samples. Use at most
  // half of the free memory for chunk buffers, leaving room for cuFFT's work area.
  std::size_t free_bytes = 0, total_bytes = 0;
  check(cudaMemGetInfo(&free_bytes, &total_bytes), "cudaMemGetInfo");
  const std::size_t fixed_bytes = sums_count * sizeof(double) + segment_length * sizeof(double);
  const std::size_t item_bytes = segment_length * sizeof(T) + geometry.bins * sizeof(Complex) +
                                 (signals_on_device ? 0 : 2 * segment_length * sizeof(T));
  if (fixed_bytes + 2 * item_bytes > free_bytes / 2) {
    throw RunError("Welch PSD needs " + std::to_string((fixed_bytes + 2 * item_bytes) >> 20) +
                   " MiB of GPU memory, the GPU has " + std::to_string(free_bytes >> 20) +
                   " MiB free; use fewer signals or shorter segments");
  }
  constexpr std::size_t max_chunk_bytes = std::size_t{2} << 30;
  constexpr std::size_t max_chunk_elements = std::size_t{1} << 27;  // keeps cuFFT's int sizes safe
  std::size_t chunk = std::min((free_bytes / 2 - fixed_bytes) / item_bytes, max_chunk_bytes / item_bytes);
  chunk = std::min(chunk, std::max<std::size_t>(1, max_chunk_elements / segment_length));
  if (max_chunk_items > 0) chunk = std::min(chunk, max_chunk_items);
  chunk = std::max<std::size_t>(1, std::min(chunk, items));

  DeviceArena arena;
  double* device_sums = arena.allocate<double>(sums_count);
  const double* device_window = arena.mirror(window, segment_length);
  T* rows = arena.allocate<T>(chunk * segment_length);
  Complex* spectra = arena.allocate<Complex>(chunk * geometry.bins);
  check(cudaMemset(device_sums, 0, sums_count * sizeof(double)), "cudaMemset");

  std::size_t staging_count = 0;
  if (!signals_on_device) {
    for (std::size_t first = 0; first < items; first += chunk) {
      const SampleRange range = samples_read(geometry, first, std::min(items, first + chunk));
      staging_count = std::max(staging_count, range.end - range.first);
    }
  }
  T* staging = staging_count > 0 ? arena.allocate<T>(staging_count) : nullptr;

  FftPlan plan;
  plan.create_many(static_cast<int>(segment_length), static_cast<int>(geometry.bins), RealFft<T>::type,
                   static_cast<int>(chunk));

  for (std::size_t first = 0; first < items; first += chunk) {
    const std::size_t end = std::min(items, first + chunk);
    const SampleRange range = samples_read(geometry, first, end);
    const T* source = signals;
    std::size_t source_offset = 0;
    if (!signals_on_device) {
      check(cudaMemcpy(staging, signals + range.first, (range.end - range.first) * sizeof(T),
                       cudaMemcpyHostToDevice),
            "cudaMemcpy signals to device");
      source = staging;
      source_offset = range.first;
    }
    window_segments_kernel<T><<<static_cast<unsigned>(chunk), window_threads>>>(
        source, source_offset, geometry, first, items, device_window, rows);
    check(cudaGetLastError(), "window_segments_kernel launch");
    check_cufft(RealFft<T>::execute(plan.get(), rows, spectra), "cufftExec");

    const std::size_t first_signal = first / segment_count;
    const std::size_t signal_span = (end - 1) / segment_count - first_signal + 1;
    const std::size_t threads = 256;
    const std::size_t blocks = std::min<std::size_t>((signal_span * geometry.bins + threads - 1) / threads, 65535);
    accumulate_kernel<Complex><<<static_cast<unsigned>(blocks), static_cast<unsigned>(threads)>>>(
        spectra, geometry, first, end, first_signal, signal_span, device_sums);
    check(cudaGetLastError(), "accumulate_kernel launch");
  }
  check(cudaDeviceSynchronize(), "Welch PSD kernels");
  fetch(sums, device_sums, sums_count);
}

template void welch_periodogram_sums<float>(const float*, bool, std::size_t, std::size_t, std::size_t, std::size_t,
                                            std::size_t, const double*, double*, std::size_t);
template void welch_periodogram_sums<double>(const double*, bool, std::size_t, std::size_t, std::size_t,
                                             std::size_t, std::size_t, const double*, double*, std::size_t);

}  // namespace spinnet::cuda
