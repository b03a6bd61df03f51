// RF spintronic network: chip variability draws, the synaptic-matrix kernels and the
// forward/backward passes (see rf_network.hpp and docs/rfnet.md); the spec's config and file
// format are rf_network_spec.cpp.
#include "spinnet/rfnet/rf_network.hpp"

#include <algorithm>
#include <cmath>
#include <random>

#include <omp.h>

#include "spinnet/core/random.hpp"

namespace spinnet {

// ---------------------------------------------------------------------------------------------
// Chip variability

namespace {

enum class DeviationKind : std::uint64_t { resonance = 1, alpha = 2, neuron_power = 3, input_power = 4, calibration = 5 };

double deviation(std::uint64_t seed, std::uint64_t chip, DeviationKind kind, std::uint64_t layer, std::uint64_t index,
                 double spread) {
  if (spread <= 0) return 1.0;
  double n0, n1;
  const std::uint64_t counter = (static_cast<std::uint64_t>(kind) << 56) | (layer << 48) | index;
  normal2<double>(seed, static_cast<std::uint32_t>(chip), counter, RandomStream::variability, n0, n1);
  return std::max(0.0, 1.0 + spread * n0);
}

}  // namespace

ChipDeviation draw_chip(const RfNetworkSpec& spec, const ChipSpread& spread, std::uint64_t seed, std::uint64_t chip_id) {
  ChipDeviation chip;
  for (std::size_t l = 0; l < spec.layers.size(); ++l) {
    const auto& L = spec.layers[l];
    RowMatrix<double> r(L.chains(), L.junctions()), a(L.chains(), L.junctions());
    for (int j = 0; j < L.chains(); ++j)
      for (int k = 0; k < L.junctions(); ++k) {
        const std::uint64_t index = static_cast<std::uint64_t>(j) * L.junctions() + k;
        r(j, k) = deviation(seed, chip_id, DeviationKind::resonance, l, index, spread.resonance);
        a(j, k) = deviation(seed, chip_id, DeviationKind::alpha, l, index, spread.alpha);
      }
    chip.resonance.push_back(std::move(r));
    chip.alpha.push_back(std::move(a));
    if (l + 1 < spec.layers.size()) {
      std::vector<double> p(L.chains());
      for (int j = 0; j < L.chains(); ++j) p[j] = deviation(seed, chip_id, DeviationKind::neuron_power, l, j, spread.power);
      chip.neuron_power.push_back(std::move(p));
    }
  }
  chip.input_power.resize(spec.input_count());
  for (int i = 0; i < spec.input_count(); ++i)
    chip.input_power[i] = deviation(seed, chip_id, DeviationKind::input_power, 0, i, spread.power);
  return chip;
}

ChipDeviation calibrate_chip(const ChipDeviation& chip, double precision, std::uint64_t seed, std::uint64_t chip_id) {
  ChipDeviation out = chip;
  for (std::size_t l = 0; l < out.resonance.size(); ++l)
    for (Eigen::Index i = 0; i < out.resonance[l].size(); ++i) {
      const double measured = deviation(seed, chip_id, DeviationKind::calibration, l, static_cast<std::uint64_t>(i), precision);
      out.resonance[l].data()[i] = 1.0 / std::max(measured, 1e-6);
    }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Kernels

namespace {

/// Smallest work (Lorentzian evaluations, or multiply-adds of a product) worth an OpenMP region:
/// about 0.6 ms on one core (13 G Lorentzians/s measured by BM_ChainWeights; products run faster).
/// Below it a region costs more than it shares: threads are woken and joined at every optimizer
/// step, and on a busy machine a descheduled partner stalls the other for a time slice. The 8x8
/// digits network (64 x 128 x 64 Lorentzians, batch 32) stays on one thread; the MNIST reference
/// layer (784 x 128 x 256) is split.
constexpr long min_parallel_work = 8000000;

}  // namespace

template <class T>
void compute_chain_weights(const T* input_frequency, int inputs, const T* base_resonance, const int* orientation,
                           const T* shift, const T* resonance_multiplier, const T* alpha, T K_SD, int chains,
                           int junctions, T* W) {
#pragma omp parallel for schedule(static) if (static_cast<long>(chains) * junctions * inputs >= min_parallel_work)
  for (int j = 0; j < chains; ++j) {
    T* row = W + static_cast<std::size_t>(j) * inputs;
    for (int i = 0; i < inputs; ++i) row[i] = T(0);
    for (int k = 0; k < junctions; ++k) {
      const ChainJunction<T> c =
          chain_junction(base_resonance, orientation, shift, resonance_multiplier, alpha, K_SD, junctions, j, k);
#pragma omp simd
      for (int i = 0; i < inputs; ++i) row[i] += spin_diode_response(input_frequency[i], c.f_r, c.alpha, c.K);
    }
  }
}

template <class T>
void chain_shift_gradient(const T* input_frequency, int inputs, const T* base_resonance, const int* orientation,
                          const T* shift, const T* resonance_multiplier, const T* alpha, T K_SD, int chains,
                          int junctions, const T* dL_dW, T* dL_dshift) {
#pragma omp parallel for schedule(static) if (static_cast<long>(chains) * junctions * inputs >= min_parallel_work)
  for (int j = 0; j < chains; ++j) {
    const T* g = dL_dW + static_cast<std::size_t>(j) * inputs;
    for (int k = 0; k < junctions; ++k) {
      const ChainJunction<T> c =
          chain_junction(base_resonance, orientation, shift, resonance_multiplier, alpha, K_SD, junctions, j, k);
      T sum = 0;
#pragma omp simd reduction(+ : sum)
      for (int i = 0; i < inputs; ++i) sum += g[i] * spin_diode_response_dfr(input_frequency[i], c.f_r, c.alpha, c.K);
      dL_dshift[static_cast<std::size_t>(j) * junctions + k] = sum * c.m;  // df_r/dDelta = m
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Matrix products split into one coarse block per OpenMP thread (Eigen never threads itself:
// EIGEN_DONT_PARALLELIZE, CMakeLists.txt). Eigen's own threaded GEMM synchronizes its threads many
// times per product with spin waits; on a shared, oversubscribed CPU a descheduled partner stalls
// the other (measured 6x slower MNIST training than these independent blocks).

namespace {

std::pair<Eigen::Index, Eigen::Index> block_of(Eigen::Index n, int part, int parts) {
  const Eigen::Index begin = n * part / parts, end = n * (part + 1) / parts;
  return {begin, end - begin};
}

bool worth_threads(Eigen::Index a, Eigen::Index b, Eigen::Index c) { return a * b * c >= min_parallel_work; }

/// out = in * W^T (+ nothing), split over the columns of out (rows of W).
template <class T>
void product_input_weights(const RowMatrix<T>& in, const RowMatrix<T>& W, RowMatrix<T>& out) {
  out.resize(in.rows(), W.rows());
#pragma omp parallel if (worth_threads(in.rows(), in.cols(), W.rows()))
  {
    const auto [j0, nj] = block_of(W.rows(), omp_get_thread_num(), omp_get_num_threads());
    if (nj > 0) out.middleCols(j0, nj).noalias() = in * W.middleRows(j0, nj).transpose();
  }
}

/// gW = dV^T * in, split over the rows of gW.
template <class T>
void product_weight_gradient(const RowMatrix<T>& dV, const RowMatrix<T>& in, RowMatrix<T>& gW) {
  gW.resize(dV.cols(), in.cols());
#pragma omp parallel if (worth_threads(dV.rows(), dV.cols(), in.cols()))
  {
    const auto [j0, nj] = block_of(dV.cols(), omp_get_thread_num(), omp_get_num_threads());
    if (nj > 0) gW.middleRows(j0, nj).noalias() = dV.middleCols(j0, nj).transpose() * in;
  }
}

/// dP = dV * W, split over the columns of dP.
template <class T>
void product_input_gradient(const RowMatrix<T>& dV, const RowMatrix<T>& W, RowMatrix<T>& dP) {
  dP.resize(dV.rows(), W.cols());
#pragma omp parallel if (worth_threads(dV.rows(), dV.cols(), W.cols()))
  {
    const auto [i0, ni] = block_of(W.cols(), omp_get_thread_num(), omp_get_num_threads());
    if (ni > 0) dP.middleCols(i0, ni).noalias() = dV * W.middleCols(i0, ni);
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Model

template <class T>
RfNetworkModel<T>::RfNetworkModel(const RfNetworkSpec& spec)
    : inputs_(spec.input_count()),
      max_power_(static_cast<T>(spec.encoding.max_power_W)),
      readout_scale_(static_cast<T>(spec.readout_scale_V)),
      train_gain_(spec.train_gain),
      train_bias_voltage_(spec.train_bias_voltage) {
  spec.validate(spec.name.empty() ? "network" : spec.name);
  for (const auto& L : spec.layers) {
    Layer layer;
    layer.input_frequency = Eigen::Map<const Eigen::VectorXd>(L.input_frequency_Hz.data(), L.inputs()).cast<T>();
    layer.base_resonance = Eigen::Map<const Eigen::VectorXd>(L.base_resonance_Hz.data(), L.junctions()).cast<T>();
    layer.orientation = L.orientation;
    layer.shift = L.shift_Hz.cast<T>();
    layer.shift_grad = RowMatrix<T>::Zero(L.chains(), L.junctions());
    layer.bias = Eigen::Map<const Eigen::VectorXd>(L.bias_V.data(), L.chains()).cast<T>();
    layer.bias_grad = Eigen::Matrix<T, Eigen::Dynamic, 1>::Zero(L.chains());
    layer.alpha0 = static_cast<T>(L.alpha);
    layer.K_SD = static_cast<T>(L.K_SD_V_per_W);
    layer.shift_scale = static_cast<T>(L.alpha * layer.base_resonance.template cast<double>().mean());
    layer.alpha = RowMatrix<T>::Constant(L.chains(), L.junctions(), layer.alpha0);
    layer.W.resize(L.chains(), L.inputs());
    layers_.push_back(std::move(layer));
  }
  for (const auto& n : spec.neurons) {
    Neurons neurons;
    const int count = static_cast<int>(n.gain_A_per_V.size());
    neurons.gain = Eigen::Map<const Eigen::VectorXd>(n.gain_A_per_V.data(), count).cast<T>();
    neurons.bias_voltage = Eigen::Map<const Eigen::VectorXd>(n.bias_voltage_V.data(), count).cast<T>();
    neurons.gain_grad = Eigen::Matrix<T, Eigen::Dynamic, 1>::Zero(count);
    neurons.bias_voltage_grad = Eigen::Matrix<T, Eigen::Dynamic, 1>::Zero(count);
    neurons.power_multiplier = Eigen::Matrix<T, Eigen::Dynamic, 1>::Ones(count);
    neurons.stno = {static_cast<T>(n.stno.I_th), static_cast<T>(n.stno.Q), static_cast<T>(n.stno.R),
                    static_cast<T>(n.stno.A), static_cast<T>(n.stno.I_max)};
    neurons_.push_back(std::move(neurons));
  }
  input_power_multiplier_ = Eigen::Matrix<T, Eigen::Dynamic, 1>::Ones(inputs_);
  prepare();
}

template <class T>
void RfNetworkModel<T>::set_chip(const ChipDeviation& chip) {
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    layers_[l].resonance_multiplier = chip.resonance[l].cast<T>();
    layers_[l].alpha = (chip.alpha[l] * static_cast<double>(layers_[l].alpha0)).cast<T>();
  }
  for (std::size_t l = 0; l < neurons_.size(); ++l)
    neurons_[l].power_multiplier =
        Eigen::Map<const Eigen::VectorXd>(chip.neuron_power[l].data(), neurons_[l].gain.size()).cast<T>();
  input_power_multiplier_ = Eigen::Map<const Eigen::VectorXd>(chip.input_power.data(), inputs_).cast<T>();
  chip_nominal_ = false;
}

template <class T>
void RfNetworkModel<T>::nominal_chip() {
  for (auto& L : layers_) {
    L.resonance_multiplier.resize(0, 0);
    L.alpha.setConstant(L.alpha0);
  }
  for (auto& n : neurons_) n.power_multiplier.setOnes();
  input_power_multiplier_.setOnes();
  chip_nominal_ = true;
}

template <class T>
void RfNetworkModel<T>::prepare() {
  for (auto& L : layers_)
    compute_chain_weights<T>(L.input_frequency.data(), static_cast<int>(L.input_frequency.size()), L.base_resonance.data(),
                             L.orientation.data(), L.shift.data(),
                             L.resonance_multiplier.size() ? L.resonance_multiplier.data() : nullptr, L.alpha.data(),
                             L.K_SD, static_cast<int>(L.shift.rows()), static_cast<int>(L.shift.cols()), L.W.data());
}

template <class T>
void RfNetworkModel<T>::forward(const RowMatrix<T>& inputs, RowMatrix<T>& logits) {
  const Eigen::Index batch = inputs.rows();
  layers_[0].input = inputs * max_power_;
  if (!chip_nominal_) layers_[0].input = layers_[0].input * input_power_multiplier_.asDiagonal();
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    Layer& L = layers_[l];
    product_input_weights(L.input, L.W, L.output);
    L.output.rowwise() += L.bias.transpose();
    if (l + 1 == layers_.size()) break;
    Neurons& n = neurons_[l];
    const Eigen::Index count = L.output.cols();
    n.current.resize(batch, count);
    RowMatrix<T>& next = layers_[l + 1].input;
    next.resize(batch, count);
    for (Eigen::Index b = 0; b < batch; ++b)
      for (Eigen::Index j = 0; j < count; ++j) {
        const T I = n.gain[j] * (L.output(b, j) + n.bias_voltage[j]);
        n.current(b, j) = I;
        next(b, j) = stno_power(I, n.stno) * n.power_multiplier[j];
      }
  }
  logits = layers_.back().output / readout_scale_;
}

template <class T>
void RfNetworkModel<T>::backward(const RowMatrix<T>& dlogits) {
  RowMatrix<T> dV = dlogits / readout_scale_;
  for (std::size_t l = layers_.size(); l-- > 0;) {
    Layer& L = layers_[l];
    product_weight_gradient(dV, L.input, L.W_grad);
    L.bias_grad = dV.colwise().sum().transpose();
    chain_shift_gradient<T>(L.input_frequency.data(), static_cast<int>(L.input_frequency.size()), L.base_resonance.data(),
                            L.orientation.data(), L.shift.data(),
                            L.resonance_multiplier.size() ? L.resonance_multiplier.data() : nullptr, L.alpha.data(),
                            L.K_SD, static_cast<int>(L.shift.rows()), static_cast<int>(L.shift.cols()), L.W_grad.data(),
                            L.shift_grad.data());
    if (l == 0) break;
    RowMatrix<T> dP;  // dL/d(input powers of layer l)
    product_input_gradient(dV, L.W, dP);
    Neurons& n = neurons_[l - 1];
    const Layer& prev = layers_[l - 1];
    dV.resize(dP.rows(), dP.cols());
    n.gain_grad.setZero();
    n.bias_voltage_grad.setZero();
    for (Eigen::Index b = 0; b < dP.rows(); ++b)
      for (Eigen::Index j = 0; j < dP.cols(); ++j) {
        const T dI = dP(b, j) * n.power_multiplier[j] * stno_power_dI(n.current(b, j), n.stno);
        n.gain_grad[j] += dI * (prev.output(b, j) + n.bias_voltage[j]);
        n.bias_voltage_grad[j] += dI * n.gain[j];
        dV(b, j) = dI * n.gain[j];
      }
  }
}

template <class T>
std::vector<ParameterBlock<T>> RfNetworkModel<T>::parameters() {
  return rf_parameter_blocks<T>(layers_, neurons_, train_gain_, train_bias_voltage_, readout_scale_);
}

template <class T>
RfNetworkSpec RfNetworkModel<T>::to_spec(const RfNetworkSpec& base) const {
  return rf_spec_with_values(base, layers_, neurons_);
}

void initialize_neurons_from_data(RfNetworkSpec& spec, const RowMatrix<float>& x, double center_over_I_th,
                                  double spread_over_I_th) {
  const Eigen::Index batch = x.rows();
  if (batch < 2 || spec.neurons.empty()) return;
  RowMatrix<double> input = x.cast<double>() * spec.encoding.max_power_W;  // tone powers
  for (std::size_t l = 0; l + 1 < spec.layers.size(); ++l) {
    const RfChainLayer& layer = spec.layers[l];
    const int chains = layer.chains(), junctions = layer.junctions();
    std::vector<double> alpha(static_cast<std::size_t>(chains) * junctions, layer.alpha);
    RowMatrix<double> shift = layer.shift_Hz, W(chains, layer.inputs());
    compute_chain_weights<double>(layer.input_frequency_Hz.data(), layer.inputs(), layer.base_resonance_Hz.data(),
                                  layer.orientation.data(), shift.data(), nullptr, alpha.data(), layer.K_SD_V_per_W,
                                  chains, junctions, W.data());
    RowMatrix<double> V = input * W.transpose();
    RfNeuronLayer& neurons = spec.neurons[l];
    const double I_th = neurons.stno.I_th;
    RowMatrix<double> power(batch, chains);
    for (int j = 0; j < chains; ++j) {
      V.col(j).array() += layer.bias_V[j];
      const double mean = V.col(j).mean();
      const double sigma = std::sqrt((V.col(j).array() - mean).square().mean());
      if (sigma > 1e-12 * std::max(1.0, std::abs(mean))) neurons.gain_A_per_V[j] = spread_over_I_th * I_th / sigma;
      neurons.bias_voltage_V[j] = center_over_I_th * I_th / neurons.gain_A_per_V[j] - mean;
      for (Eigen::Index b = 0; b < batch; ++b)
        power(b, j) = stno_power(neurons.gain_A_per_V[j] * (V(b, j) + neurons.bias_voltage_V[j]), neurons.stno);
    }
    input = std::move(power);
  }
}

template class RfNetworkModel<float>;
template class RfNetworkModel<double>;
template void compute_chain_weights<float>(const float*, int, const float*, const int*, const float*, const float*,
                                           const float*, float, int, int, float*);
template void compute_chain_weights<double>(const double*, int, const double*, const int*, const double*,
                                            const double*, const double*, double, int, int, double*);
template void chain_shift_gradient<float>(const float*, int, const float*, const int*, const float*, const float*,
                                          const float*, float, int, int, const float*, float*);
template void chain_shift_gradient<double>(const double*, int, const double*, const int*, const double*,
                                           const double*, const double*, double, int, int, const double*, double*);

}  // namespace spinnet
