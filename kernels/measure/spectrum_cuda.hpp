// CUDA backend of the Welch PSD: plain-type launch interface (no JSON, no Eigen here). The
// segmentation, the window's values and the normalization live in src/measure/spectrum.cpp, shared with
// the CPU backend; this driver only sums periodograms.
#pragma once

#include <cstddef>

namespace spinnet::cuda {

/// For each of `signal_count` signals of `signal_length` samples (row-major [signal][sample]),
/// adds over segments s = 0 .. segment_count-1 (segment s starts at sample s * hop) the raw
/// periodogram |X_k|^2, X_k = sum_n window[n] (x[s * hop + n] - segment mean) exp(-2 pi i k n / L),
/// k = 0 .. L/2, L = segment_length, and writes the sums to `sums` (host memory,
/// signal_count * (L/2 + 1) doubles). The FFT runs in T's precision (cuFFT R2C for float, D2Z for
/// double); means and sums are kept in double. `signals` is host memory, or device memory when
/// `signals_on_device`. `window` is host memory, L values. Items (signal, segment) are processed
/// in chunks sized to fit in GPU memory, at most `max_chunk_items` per chunk when it is not 0
/// (tests use it to cross chunk boundaries). Throws spinnet::RunError when the GPU
/// lacks memory or a CUDA or cuFFT call fails.
template <class T>
void welch_periodogram_sums(const T* signals, bool signals_on_device, std::size_t signal_count,
                            std::size_t signal_length, std::size_t segment_length, std::size_t hop,
                            std::size_t segment_count, const double* window, double* sums,
                            std::size_t max_chunk_items = 0);

}  // namespace spinnet::cuda
