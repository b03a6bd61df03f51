// CUDA RF network (kernels/rfnet/rf_network_cuda.hpp): synaptic matrices from the frequencies, STNO
// neurons, and the layer products on cuBLAS. The physics is rf_synapse.hpp's (chain_junction,
// spin_diode_response[_dfr], stno_power[_dI]), the same functions the CPU model loops over.
//
// Layout. Every matrix is stored row-major as on the host: X (batch x inputs), W (chains x inputs),
// V (batch x chains). cuBLAS is column-major: a row-major r x c matrix M with leading dimension c is,
// to cuBLAS, the column-major c x r matrix M^T with the same leading dimension. So with
//   Xc = X^T (inputs x batch, ld inputs), Wc = W^T (inputs x chains, ld inputs), Vc = V^T (chains x batch, ld chains):
//   forward   V  = X W^T    <=>  Vc  = Wc^T Xc     gemm(T, N, m=chains, n=batch,  k=inputs)
//   weights   gW = dV^T X   <=>  gWc = Xc dVc^T    gemm(N, T, m=inputs, n=chains, k=batch)
//   inputs    dX = dV W     <=>  dXc = Wc dVc      gemm(N, N, m=inputs, n=batch,  k=chains)
//   col. sums s_j = sum_b M_bj  <=>  s = Mc 1      gemv(N, m=chains, n=batch) with a vector of ones
// Products use FP32 compute (CUBLAS_COMPUTE_32F) unless tf32 was asked for.
//
// Debugging: SPINNET_CUDA_SYNC=1 synchronizes after every launch so that an error (or a
// compute-sanitizer report) names the kernel that caused it.
#include "kernels/rfnet/rf_network_cuda.hpp"

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <utility>

#include "kernels/core/cuda_check.hpp"
#include "kernels/core/lazy_library.hpp"
#include "spinnet/core/errors.hpp"

namespace spinnet::cuda {

namespace {

/// cublasGemmEx of the C API (cublas_api.h also declares C++ overloads of the name).
using GemmEx = cublasStatus_t (*)(cublasHandle_t, cublasOperation_t, cublasOperation_t, int, int, int, const void*,
                                  const void*, cudaDataType, int, const void*, cudaDataType, int, const void*, void*,
                                  cudaDataType, int, cublasComputeType_t, cublasGemmAlgo_t);

/// cuBLAS, opened on the first CUDA RF network (kernels/core/lazy_library.hpp).
LazyLibrary& cublas_library() {
  static LazyLibrary library("libcublas.so." SPINNET_LAZY_STRINGIFY(CUBLAS_VER_MAJOR), SPINNET_CUDA_LIBRARY_DIR, "cuBLAS");
  return library;
}

void check_cublas(cublasStatus_t status, const char* what) {
  if (status != CUBLAS_STATUS_SUCCESS)
    throw RunError(std::string("cuBLAS error in ") + what + ": " + SPINNET_LAZY_CALL(cublas_library, cublasGetStatusString)(status) + " (" +
                   std::to_string(static_cast<int>(status)) + ")");
}

/// A device array that only grows; freed when destroyed.
template <class U>
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  DeviceBuffer(DeviceBuffer&& other) noexcept { swap(other); }
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept {
    swap(other);
    return *this;
  }
  ~DeviceBuffer() {
    if (data_) cudaFree(data_);
  }
  /// Makes room for `count` elements (contents are lost when it grows).
  void reserve(std::size_t count, const char* what) {
    if (count <= capacity_) return;
    if (data_) check(cudaFree(data_), "cudaFree");
    data_ = nullptr;
    capacity_ = 0;
    check(cudaMalloc(reinterpret_cast<void**>(&data_), count * sizeof(U)), what);
    capacity_ = count;
  }
  U* get() const { return data_; }
  std::size_t capacity() const { return capacity_; }
  void swap(DeviceBuffer& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(capacity_, other.capacity_);
  }

 private:
  U* data_ = nullptr;
  std::size_t capacity_ = 0;
};

constexpr int block_size = 256;
constexpr int warps_per_block = block_size / 32;

int blocks_for(long n) { return static_cast<int>((n + block_size - 1) / block_size); }

// ---------------------------------------------------------------------------------------------
// Kernels (thin loops over rf_synapse.hpp)

/// W_ji = sum_k s_k G(f_i; f_r,jk, alpha_jk): grid (ceil(inputs / 256), chains), one thread per
/// (j, i), summing k in the CPU's order. The junctions of chain j are staged in shared memory in
/// tiles of 256 (every thread of the block takes part in the staging, also those with i >= inputs).
__global__ void chain_weights_kernel(const float* __restrict__ input_frequency, int inputs,
                                     const float* __restrict__ base_resonance, const int* __restrict__ orientation,
                                     const float* __restrict__ shift, const float* __restrict__ resonance_multiplier,
                                     const float* __restrict__ alpha, float K_SD, int junctions,
                                     float* __restrict__ W) {
  __shared__ ChainJunction<float> tile[block_size];
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  const int j = blockIdx.y;
  const float f_in = i < inputs ? input_frequency[i] : 0.0f;
  float sum = 0.0f;
  for (int k0 = 0; k0 < junctions; k0 += block_size) {
    __syncthreads();  // the previous tile is no longer read
    if (k0 + static_cast<int>(threadIdx.x) < junctions)
      tile[threadIdx.x] = chain_junction(base_resonance, orientation, shift, resonance_multiplier, alpha, K_SD,
                                         junctions, j, k0 + static_cast<int>(threadIdx.x));
    __syncthreads();
    const int n = min(block_size, junctions - k0);
    if (i < inputs)
      for (int t = 0; t < n; ++t) sum += spin_diode_response(f_in, tile[t].f_r, tile[t].alpha, tile[t].K);
  }
  if (i < inputs) W[static_cast<long>(j) * inputs + i] = sum;
}

/// dL/dDelta_jk = m_jk sum_i dL/dW_ji dG/df_r(f_i; f_r,jk): one warp per (j, k) (grid
/// ceil(chains junctions / 8) blocks of 8 warps), lanes striding over i, then a shuffle reduction.
/// The condition on jk is uniform over a warp, so every shuffle has its 32 lanes.
__global__ void chain_shift_gradient_kernel(const float* __restrict__ input_frequency, int inputs,
                                            const float* __restrict__ base_resonance,
                                            const int* __restrict__ orientation, const float* __restrict__ shift,
                                            const float* __restrict__ resonance_multiplier,
                                            const float* __restrict__ alpha, float K_SD, int chains, int junctions,
                                            const float* __restrict__ dL_dW, float* __restrict__ dL_dshift) {
  const int lane = threadIdx.x % 32;
  const long jk = static_cast<long>(blockIdx.x) * warps_per_block + threadIdx.x / 32;
  if (jk >= static_cast<long>(chains) * junctions) return;
  const int j = static_cast<int>(jk / junctions), k = static_cast<int>(jk % junctions);
  const ChainJunction<float> c =
      chain_junction(base_resonance, orientation, shift, resonance_multiplier, alpha, K_SD, junctions, j, k);
  const float* g = dL_dW + static_cast<long>(j) * inputs;
  float sum = 0.0f;
  for (int i = lane; i < inputs; i += 32) sum += g[i] * spin_diode_response_dfr(input_frequency[i], c.f_r, c.alpha, c.K);
  for (int offset = 16; offset > 0; offset /= 2) sum += __shfl_down_sync(0xffffffffu, sum, offset);
  if (lane == 0) dL_dshift[jk] = sum * c.m;  // df_r/dDelta = m
}

/// Input tones: P_bi = (x_bi P_max) m_i (m = chip input-power multiplier; null = 1).
__global__ void encode_kernel(const float* __restrict__ x, long count, int inputs, float max_power,
                              const float* __restrict__ multiplier, float* __restrict__ P) {
  const long idx = static_cast<long>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (idx >= count) return;
  float p = x[idx] * max_power;
  if (multiplier) p = p * multiplier[idx % inputs];
  P[idx] = p;
}

/// Hidden layer: V_bj += b_j; I_bj = g_j (V_bj + Vb_j); next_bj = P_stno(I_bj) m_j.
__global__ void neuron_forward_kernel(float* __restrict__ V, long count, int chains, const float* __restrict__ bias,
                                      const float* __restrict__ gain, const float* __restrict__ bias_voltage,
                                      const float* __restrict__ power_multiplier, StnoNeuron<float> stno,
                                      float* __restrict__ current, float* __restrict__ next) {
  const long idx = static_cast<long>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (idx >= count) return;
  const int j = static_cast<int>(idx % chains);
  const float v = V[idx] + bias[j];
  V[idx] = v;
  const float I = gain[j] * (v + bias_voltage[j]);
  current[idx] = I;
  next[idx] = stno_power(I, stno) * (power_multiplier ? power_multiplier[j] : 1.0f);
}

/// Last layer: V_bj += b_j; logits = V / readout_scale.
__global__ void readout_kernel(float* __restrict__ V, long count, int chains, const float* __restrict__ bias,
                               float readout_scale, float* __restrict__ logits) {
  const long idx = static_cast<long>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (idx >= count) return;
  const float v = V[idx] + bias[idx % chains];
  V[idx] = v;
  logits[idx] = v / readout_scale;
}

__global__ void divide_kernel(const float* __restrict__ in, long count, float divisor, float* __restrict__ out) {
  const long idx = static_cast<long>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (idx < count) out[idx] = in[idx] / divisor;
}

/// Through the STNOs: dI = dP m_j P_stno'(I); dV = dI g_j; gain_term = dI (V + Vb_j). The column
/// sums of dV and gain_term are the bias-voltage and gain gradients.
__global__ void neuron_backward_kernel(const float* __restrict__ dP, long count, int chains,
                                       const float* __restrict__ current, const float* __restrict__ V,
                                       const float* __restrict__ gain, const float* __restrict__ bias_voltage,
                                       const float* __restrict__ power_multiplier, StnoNeuron<float> stno,
                                       float* __restrict__ dV, float* __restrict__ gain_term) {
  const long idx = static_cast<long>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (idx >= count) return;
  const int j = static_cast<int>(idx % chains);
  const float dI = dP[idx] * (power_multiplier ? power_multiplier[j] : 1.0f) * stno_power_dI(current[idx], stno);
  gain_term[idx] = dI * (V[idx] + bias_voltage[j]);
  dV[idx] = dI * gain[j];
}

__global__ void fill_kernel(float* __restrict__ out, long count, float value) {
  const long idx = static_cast<long>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (idx < count) out[idx] = value;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// State

struct RfNetworkDevice::Impl {
  struct Layer {
    RfLayerShape shape;
    DeviceBuffer<float> input_frequency, base_resonance, shift, bias, alpha, resonance_multiplier, W;
    DeviceBuffer<int> orientation;
    DeviceBuffer<float> W_gradient, shift_gradient, bias_gradient;
    DeviceBuffer<float> input, output;  // per batch: input powers (batch x inputs), voltages (batch x chains)
    bool chip = false;                  // resonance_multiplier holds a chip's values
  };
  struct Neurons {
    int count = 0;
    StnoNeuron<float> stno{};
    DeviceBuffer<float> gain, bias_voltage, power_multiplier, gain_gradient, bias_voltage_gradient;
    DeviceBuffer<float> current;  // per batch
    bool chip = false;
  };

  std::vector<Layer> layers;
  std::vector<Neurons> neurons;
  float max_power = 0, readout_scale = 1;
  cublasComputeType_t compute = CUBLAS_COMPUTE_32F;
  cudaStream_t stream = nullptr;
  cublasHandle_t handle = nullptr;
  bool sync_each_launch = false;

  // Per-batch work arrays.
  int capacity = 0, forward_batch = 0;
  DeviceBuffer<float> x, logits, dlogits, ones, dV, dV_next, dP, gain_term;
  DeviceBuffer<float> input_power_multiplier;
  bool input_chip = false;

  ~Impl() {
    // No throwing here: the buffers free themselves after this body.
    if (handle) SPINNET_LAZY_CALL(cublas_library, cublasDestroy)(handle);
    if (stream) cudaStreamDestroy(stream);
  }

  void launched(const char* kernel) const {
    check(cudaGetLastError(), kernel);
    if (sync_each_launch) check(cudaStreamSynchronize(stream), kernel);
  }

  void to_device(float* device, const float* host, std::size_t count, const char* what) {
    if (count) check(cudaMemcpyAsync(device, host, count * sizeof(float), cudaMemcpyHostToDevice, stream), what);
  }

  /// C = op(A) op(B), float32 in and out (see the layout note at the top of the file).
  void gemm(cublasOperation_t op_a, cublasOperation_t op_b, int m, int n, int k, const float* A, int lda,
            const float* B, int ldb, float* C, int ldc, const char* what) {
    const float one = 1.0f, zero = 0.0f;
    check_cublas(SPINNET_LAZY_CALL_AS(cublas_library, cublasGemmEx, GemmEx)(handle, op_a, op_b, m, n, k, &one, A, CUDA_R_32F, lda, B, CUDA_R_32F, ldb, &zero, C,
                              CUDA_R_32F, ldc, compute, CUBLAS_GEMM_DEFAULT),
                 what);
  }

  /// s_j = sum_b M_bj for a row-major batch x columns matrix M.
  void column_sums(const float* M, int batch, int columns, float* s, const char* what) {
    const float one = 1.0f, zero = 0.0f;
    check_cublas(SPINNET_LAZY_CALL(cublas_library, cublasSgemv)(handle, CUBLAS_OP_N, columns, batch, &one, M, columns, ones.get(), 1, &zero, s, 1), what);
  }

  void reserve_batch(int batch) {
    if (batch <= capacity) return;
    const std::size_t b = static_cast<std::size_t>(batch);
    std::size_t widest = 0;
    for (Layer& L : layers) {
      L.input.reserve(b * L.shape.inputs, "cudaMalloc(layer input powers)");
      L.output.reserve(b * L.shape.chains, "cudaMalloc(layer voltages)");
      widest = std::max<std::size_t>(widest, std::max(L.shape.inputs, L.shape.chains));
    }
    for (Neurons& n : neurons) n.current.reserve(b * n.count, "cudaMalloc(STNO currents)");
    x.reserve(b * layers.front().shape.inputs, "cudaMalloc(batch features)");
    logits.reserve(b * layers.back().shape.chains, "cudaMalloc(logits)");
    dlogits.reserve(b * layers.back().shape.chains, "cudaMalloc(dlogits)");
    dV.reserve(b * widest, "cudaMalloc(dL/dV)");
    dV_next.reserve(b * widest, "cudaMalloc(dL/dV)");
    dP.reserve(b * widest, "cudaMalloc(dL/dP)");
    gain_term.reserve(b * widest, "cudaMalloc(gain gradient terms)");
    ones.reserve(b, "cudaMalloc(ones)");
    fill_kernel<<<blocks_for(batch), block_size, 0, stream>>>(ones.get(), batch, 1.0f);
    launched("fill_kernel(ones)");
    capacity = batch;
  }
};

namespace {

void require(bool ok, const std::string& what) {
  if (!ok) throw RunError("CUDA RF network: " + what);
}

}  // namespace

RfNetworkDevice::RfNetworkDevice(const std::vector<RfLayerShape>& layers, const std::vector<StnoNeuron<float>>& neurons,
                                 float max_power, float readout_scale, bool tf32)
    : impl_(std::make_unique<Impl>()) {
  Impl& s = *impl_;
  require(!layers.empty() && neurons.size() + 1 == layers.size(),
          "expected one neuron layer per hidden layer, got " + std::to_string(layers.size()) + " layers and " +
              std::to_string(neurons.size()) + " neuron layers");
  const char* sync = std::getenv("SPINNET_CUDA_SYNC");
  s.sync_each_launch = sync && std::string(sync) == "1";
  s.max_power = max_power;
  s.readout_scale = readout_scale;
  s.compute = tf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
  check(cudaStreamCreateWithFlags(&s.stream, cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
  check_cublas(SPINNET_LAZY_CALL(cublas_library, cublasCreate)(&s.handle), "cublasCreate");
  check_cublas(SPINNET_LAZY_CALL(cublas_library, cublasSetStream)(s.handle, s.stream), "cublasSetStream");
  check_cublas(SPINNET_LAZY_CALL(cublas_library, cublasSetMathMode)(s.handle, tf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH),
               "cublasSetMathMode");

  s.layers.resize(layers.size());
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const RfLayerShape& shape = layers[l];
    Impl::Layer& L = s.layers[l];
    require(shape.inputs > 0 && shape.chains > 0 && shape.junctions > 0 &&
                static_cast<int>(shape.input_frequency.size()) == shape.inputs &&
                static_cast<int>(shape.base_resonance.size()) == shape.junctions &&
                static_cast<int>(shape.orientation.size()) == shape.junctions,
            "layer " + std::to_string(l) + ": inconsistent sizes");
    require(shape.chains <= 65535, "layer " + std::to_string(l) + ": " + std::to_string(shape.chains) +
                                       " chains, at most 65535 (one grid row of chain_weights_kernel per chain)");
    require(l == 0 || shape.inputs == layers[l - 1].chains,
            "layer " + std::to_string(l) + ": " + std::to_string(shape.inputs) + " tones, expected " +
                std::to_string(layers[l - 1].chains));
    L.shape = shape;
    const std::size_t cj = static_cast<std::size_t>(shape.chains) * shape.junctions;
    L.input_frequency.reserve(shape.inputs, "cudaMalloc(input frequencies)");
    L.base_resonance.reserve(shape.junctions, "cudaMalloc(base resonances)");
    L.orientation.reserve(shape.junctions, "cudaMalloc(orientations)");
    L.shift.reserve(cj, "cudaMalloc(shifts)");
    L.alpha.reserve(cj, "cudaMalloc(damping)");
    L.resonance_multiplier.reserve(cj, "cudaMalloc(resonance multipliers)");
    L.bias.reserve(shape.chains, "cudaMalloc(biases)");
    L.W.reserve(static_cast<std::size_t>(shape.chains) * shape.inputs, "cudaMalloc(W)");
    L.W_gradient.reserve(static_cast<std::size_t>(shape.chains) * shape.inputs, "cudaMalloc(dL/dW)");
    L.shift_gradient.reserve(cj, "cudaMalloc(shift gradients)");
    L.bias_gradient.reserve(shape.chains, "cudaMalloc(bias gradients)");
    s.to_device(L.input_frequency.get(), shape.input_frequency.data(), shape.inputs, "cudaMemcpyAsync(input frequencies)");
    s.to_device(L.base_resonance.get(), shape.base_resonance.data(), shape.junctions, "cudaMemcpyAsync(base resonances)");
    check(cudaMemcpyAsync(L.orientation.get(), shape.orientation.data(), shape.junctions * sizeof(int),
                          cudaMemcpyHostToDevice, s.stream),
          "cudaMemcpyAsync(orientations)");
  }
  s.neurons.resize(neurons.size());
  for (std::size_t l = 0; l < neurons.size(); ++l) {
    Impl::Neurons& n = s.neurons[l];
    n.count = layers[l].chains;
    n.stno = neurons[l];
    for (DeviceBuffer<float>* b : {&n.gain, &n.bias_voltage, &n.power_multiplier, &n.gain_gradient,
                                   &n.bias_voltage_gradient})
      b->reserve(n.count, "cudaMalloc(neuron parameters)");
  }
  s.input_power_multiplier.reserve(layers.front().inputs, "cudaMalloc(input power multipliers)");
  check(cudaStreamSynchronize(s.stream), "cudaStreamSynchronize(after setup)");
}

RfNetworkDevice::~RfNetworkDevice() = default;

void RfNetworkDevice::upload(RfArray which, int layer, const float* host, std::size_t count) {
  Impl& s = *impl_;
  const bool neuron_array = which == RfArray::gain || which == RfArray::bias_voltage ||
                            which == RfArray::neuron_power_multiplier;
  const int layers = static_cast<int>(neuron_array ? s.neurons.size() : s.layers.size());
  require(layer >= 0 && layer < layers, "upload: no layer " + std::to_string(layer));
  auto put = [&](DeviceBuffer<float>& buffer, std::size_t expected, const char* what) {
    require(count == expected, std::string(what) + ": expected " + std::to_string(expected) + " values, got " +
                                   std::to_string(count));
    s.to_device(buffer.get(), host, count, what);
  };
  switch (which) {
    case RfArray::shift: {
      auto& L = s.layers[layer];
      put(L.shift, static_cast<std::size_t>(L.shape.chains) * L.shape.junctions, "cudaMemcpyAsync(shifts)");
      return;
    }
    case RfArray::bias: put(s.layers[layer].bias, s.layers[layer].shape.chains, "cudaMemcpyAsync(biases)"); return;
    case RfArray::alpha: {
      auto& L = s.layers[layer];
      put(L.alpha, static_cast<std::size_t>(L.shape.chains) * L.shape.junctions, "cudaMemcpyAsync(damping)");
      return;
    }
    case RfArray::resonance_multiplier: {
      auto& L = s.layers[layer];
      L.chip = count > 0;
      if (L.chip)
        put(L.resonance_multiplier, static_cast<std::size_t>(L.shape.chains) * L.shape.junctions,
            "cudaMemcpyAsync(resonance multipliers)");
      return;
    }
    case RfArray::gain: put(s.neurons[layer].gain, s.neurons[layer].count, "cudaMemcpyAsync(gains)"); return;
    case RfArray::bias_voltage:
      put(s.neurons[layer].bias_voltage, s.neurons[layer].count, "cudaMemcpyAsync(bias voltages)");
      return;
    case RfArray::neuron_power_multiplier: {
      auto& n = s.neurons[layer];
      n.chip = count > 0;
      if (n.chip) put(n.power_multiplier, n.count, "cudaMemcpyAsync(STNO power multipliers)");
      return;
    }
    case RfArray::input_power_multiplier:
      s.input_chip = count > 0;
      if (s.input_chip)
        put(s.input_power_multiplier, s.layers.front().shape.inputs, "cudaMemcpyAsync(input power multipliers)");
      return;
    default: require(false, "upload: a read-only array");
  }
}

void RfNetworkDevice::download(RfArray which, int layer, float* host, std::size_t count) {
  Impl& s = *impl_;
  const bool neuron_array = which == RfArray::gain || which == RfArray::bias_voltage ||
                            which == RfArray::neuron_power_multiplier || which == RfArray::gain_gradient ||
                            which == RfArray::bias_voltage_gradient;
  const int layers = static_cast<int>(neuron_array ? s.neurons.size() : s.layers.size());
  require(layer >= 0 && layer < layers, "download: no layer " + std::to_string(layer));
  const float* source = nullptr;
  std::size_t expected = 0;
  if (neuron_array) {
    auto& n = s.neurons[layer];
    expected = n.count;
    source = which == RfArray::gain                    ? n.gain.get()
             : which == RfArray::bias_voltage          ? n.bias_voltage.get()
             : which == RfArray::neuron_power_multiplier ? n.power_multiplier.get()
             : which == RfArray::gain_gradient         ? n.gain_gradient.get()
                                                       : n.bias_voltage_gradient.get();
  } else {
    auto& L = s.layers[layer];
    const std::size_t cj = static_cast<std::size_t>(L.shape.chains) * L.shape.junctions;
    switch (which) {
      case RfArray::shift: source = L.shift.get(), expected = cj; break;
      case RfArray::bias: source = L.bias.get(), expected = L.shape.chains; break;
      case RfArray::alpha: source = L.alpha.get(), expected = cj; break;
      case RfArray::resonance_multiplier: source = L.resonance_multiplier.get(), expected = cj; break;
      case RfArray::weights: source = L.W.get(), expected = static_cast<std::size_t>(L.shape.chains) * L.shape.inputs; break;
      case RfArray::shift_gradient: source = L.shift_gradient.get(), expected = cj; break;
      case RfArray::bias_gradient: source = L.bias_gradient.get(), expected = L.shape.chains; break;
      case RfArray::input_power_multiplier:
        source = s.input_power_multiplier.get(), expected = s.layers.front().shape.inputs;
        break;
      default: break;
    }
  }
  require(source != nullptr, "download: unknown array");
  require(count == expected, "download: expected " + std::to_string(expected) + " values, got " + std::to_string(count));
  check(cudaMemcpyAsync(host, source, count * sizeof(float), cudaMemcpyDeviceToHost, s.stream), "cudaMemcpyAsync(to host)");
  check(cudaStreamSynchronize(s.stream), "cudaStreamSynchronize(download)");
}

void RfNetworkDevice::prepare() {
  Impl& s = *impl_;
  for (auto& L : s.layers) {
    const dim3 grid((L.shape.inputs + block_size - 1) / block_size, L.shape.chains);
    chain_weights_kernel<<<grid, block_size, 0, s.stream>>>(
        L.input_frequency.get(), L.shape.inputs, L.base_resonance.get(), L.orientation.get(), L.shift.get(),
        L.chip ? L.resonance_multiplier.get() : nullptr, L.alpha.get(), L.shape.K_SD, L.shape.junctions, L.W.get());
    s.launched("chain_weights_kernel");
  }
}

void RfNetworkDevice::forward(const float* inputs, int batch, float* logits) {
  Impl& s = *impl_;
  require(batch > 0, "forward: an empty batch");
  s.reserve_batch(batch);
  auto& first = s.layers.front();
  const long n_in = static_cast<long>(batch) * first.shape.inputs;
  s.to_device(s.x.get(), inputs, n_in, "cudaMemcpyAsync(batch features)");
  encode_kernel<<<blocks_for(n_in), block_size, 0, s.stream>>>(s.x.get(), n_in, first.shape.inputs, s.max_power,
                                                               s.input_chip ? s.input_power_multiplier.get() : nullptr,
                                                               first.input.get());
  s.launched("encode_kernel");
  for (std::size_t l = 0; l < s.layers.size(); ++l) {
    auto& L = s.layers[l];
    // V = P W^T (row-major) = (Wc^T Pc)^T: gemm(T, N, chains, batch, inputs).
    s.gemm(CUBLAS_OP_T, CUBLAS_OP_N, L.shape.chains, batch, L.shape.inputs, L.W.get(), L.shape.inputs, L.input.get(),
           L.shape.inputs, L.output.get(), L.shape.chains, "cublasGemmEx(forward V = P W^T)");
    const long count = static_cast<long>(batch) * L.shape.chains;
    if (l + 1 == s.layers.size()) {
      readout_kernel<<<blocks_for(count), block_size, 0, s.stream>>>(L.output.get(), count, L.shape.chains, L.bias.get(),
                                                                     s.readout_scale, s.logits.get());
      s.launched("readout_kernel");
    } else {
      auto& n = s.neurons[l];
      neuron_forward_kernel<<<blocks_for(count), block_size, 0, s.stream>>>(
          L.output.get(), count, L.shape.chains, L.bias.get(), n.gain.get(), n.bias_voltage.get(),
          n.chip ? n.power_multiplier.get() : nullptr, n.stno, n.current.get(), s.layers[l + 1].input.get());
      s.launched("neuron_forward_kernel");
    }
  }
  s.forward_batch = batch;
  const std::size_t out = static_cast<std::size_t>(batch) * s.layers.back().shape.chains;
  check(cudaMemcpyAsync(logits, s.logits.get(), out * sizeof(float), cudaMemcpyDeviceToHost, s.stream),
        "cudaMemcpyAsync(logits to host)");
  check(cudaStreamSynchronize(s.stream), "cudaStreamSynchronize(forward)");
}

void RfNetworkDevice::backward(const float* dlogits, int batch) {
  Impl& s = *impl_;
  require(batch == s.forward_batch, "backward: dlogits of " + std::to_string(batch) +
                                        " samples, the last forward batch had " + std::to_string(s.forward_batch));
  const long n_out = static_cast<long>(batch) * s.layers.back().shape.chains;
  s.to_device(s.dlogits.get(), dlogits, n_out, "cudaMemcpyAsync(dlogits)");
  divide_kernel<<<blocks_for(n_out), block_size, 0, s.stream>>>(s.dlogits.get(), n_out, s.readout_scale, s.dV.get());
  s.launched("divide_kernel(dL/dV = dL/dlogits / readout_scale)");
  for (std::size_t l = s.layers.size(); l-- > 0;) {
    auto& L = s.layers[l];
    const int I = L.shape.inputs, J = L.shape.chains;
    // dL/dW = dV^T P (row-major J x I) = (Pc dVc^T)^T: gemm(N, T, inputs, chains, batch).
    s.gemm(CUBLAS_OP_N, CUBLAS_OP_T, I, J, batch, L.input.get(), I, s.dV.get(), J, L.W_gradient.get(), I,
           "cublasGemmEx(dL/dW = dV^T P)");
    s.column_sums(s.dV.get(), batch, J, L.bias_gradient.get(), "cublasSgemv(bias gradient)");
    const long cj = static_cast<long>(J) * L.shape.junctions;
    chain_shift_gradient_kernel<<<static_cast<int>((cj + warps_per_block - 1) / warps_per_block), block_size, 0,
                                  s.stream>>>(L.input_frequency.get(), I, L.base_resonance.get(), L.orientation.get(),
                                              L.shift.get(), L.chip ? L.resonance_multiplier.get() : nullptr,
                                              L.alpha.get(), L.shape.K_SD, J, L.shape.junctions, L.W_gradient.get(),
                                              L.shift_gradient.get());
    s.launched("chain_shift_gradient_kernel");
    if (l == 0) break;
    // dL/dP = dV W (row-major batch x I) = (Wc dVc)^T: gemm(N, N, inputs, batch, chains).
    s.gemm(CUBLAS_OP_N, CUBLAS_OP_N, I, batch, J, L.W.get(), I, s.dV.get(), J, s.dP.get(), I,
           "cublasGemmEx(dL/dP = dV W)");
    auto& n = s.neurons[l - 1];
    const auto& previous = s.layers[l - 1];
    const long count = static_cast<long>(batch) * n.count;  // n.count == I
    neuron_backward_kernel<<<blocks_for(count), block_size, 0, s.stream>>>(
        s.dP.get(), count, n.count, n.current.get(), previous.output.get(), n.gain.get(), n.bias_voltage.get(),
        n.chip ? n.power_multiplier.get() : nullptr, n.stno, s.dV_next.get(), s.gain_term.get());
    s.launched("neuron_backward_kernel");
    s.column_sums(s.gain_term.get(), batch, n.count, n.gain_gradient.get(), "cublasSgemv(gain gradient)");
    s.column_sums(s.dV_next.get(), batch, n.count, n.bias_voltage_gradient.get(), "cublasSgemv(bias-voltage gradient)");
    s.dV.swap(s.dV_next);
  }
}

}  // namespace spinnet::cuda
