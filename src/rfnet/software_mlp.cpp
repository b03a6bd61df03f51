// Plain software MLP (see software_mlp.hpp).
#include "spinnet/rfnet/software_mlp.hpp"

#include <cmath>
#include <random>

namespace spinnet {

SoftwareMlpSpec SoftwareMlpSpec::initial(const std::vector<int>& sizes, std::uint64_t seed) {
  SoftwareMlpSpec spec;
  spec.sizes = sizes;
  std::mt19937_64 rng(seed);
  for (std::size_t l = 0; l + 1 < sizes.size(); ++l) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(sizes[l]));
    std::uniform_real_distribution<double> u(-bound, bound);
    RowMatrix<double> w(sizes[l + 1], sizes[l]);
    for (Eigen::Index i = 0; i < w.size(); ++i) w.data()[i] = u(rng);
    std::vector<double> b(sizes[l + 1]);
    for (double& x : b) x = u(rng);
    spec.weight.push_back(std::move(w));
    spec.bias.push_back(std::move(b));
  }
  return spec;
}

json software_mlp_to_json(const SoftwareMlpSpec& spec) {
  json out = {{"format", "spinnet-software-mlp"}, {"version", 1}, {"sizes", spec.sizes},
              {"encoding", {{"offset", spec.offset}, {"scale", spec.scale}}}};
  json layers = json::array();
  for (std::size_t l = 0; l < spec.weight.size(); ++l) {
    std::vector<double> w(spec.weight[l].data(), spec.weight[l].data() + spec.weight[l].size());
    layers.push_back({{"weight_row_major", w}, {"bias", spec.bias[l]}});
  }
  out["layers"] = layers;
  return out;
}

SoftwareMlpSpec software_mlp_from_json(const json& document, const std::string& source) {
  if (!document.is_object() || document.value("format", "") != "spinnet-software-mlp")
    throw ConfigError(source + ": format", "\"spinnet-software-mlp\"", "something else");
  SoftwareMlpSpec spec;
  try {
    spec.sizes = document.at("sizes").get<std::vector<int>>();
    spec.offset = document.at("encoding").at("offset").get<std::vector<double>>();
    spec.scale = document.at("encoding").at("scale").get<std::vector<double>>();
    const json& layers = document.at("layers");
    if (layers.size() + 1 != spec.sizes.size()) throw std::runtime_error("layer count does not match sizes");
    for (std::size_t l = 0; l < layers.size(); ++l) {
      const auto w = layers[l].at("weight_row_major").get<std::vector<double>>();
      RowMatrix<double> m(spec.sizes[l + 1], spec.sizes[l]);
      if (static_cast<Eigen::Index>(w.size()) != m.size()) throw std::runtime_error("weight size does not match sizes");
      std::copy(w.begin(), w.end(), m.data());
      spec.weight.push_back(std::move(m));
      spec.bias.push_back(layers[l].at("bias").get<std::vector<double>>());
    }
  } catch (const json::exception& e) {
    throw ConfigError(source, std::string("not a valid software MLP file: ") + e.what(), 0);
  } catch (const std::runtime_error& e) {
    throw ConfigError(source, std::string("not a valid software MLP file: ") + e.what(), 0);
  }
  return spec;
}

template <class T>
SoftwareMlp<T>::SoftwareMlp(const SoftwareMlpSpec& spec) {
  for (std::size_t l = 0; l < spec.weight.size(); ++l) {
    weight_.push_back(spec.weight[l].cast<T>());
    weight_grad_.push_back(RowMatrix<T>::Zero(spec.weight[l].rows(), spec.weight[l].cols()));
    bias_.push_back(Eigen::Map<const Eigen::VectorXd>(spec.bias[l].data(), spec.bias[l].size()).cast<T>());
    bias_grad_.push_back(Eigen::Matrix<T, Eigen::Dynamic, 1>::Zero(spec.bias[l].size()));
  }
  activation_.resize(weight_.size());
}

template <class T>
void SoftwareMlp<T>::forward(const RowMatrix<T>& inputs, RowMatrix<T>& logits) {
  activation_[0] = inputs;
  for (std::size_t l = 0; l < weight_.size(); ++l) {
    RowMatrix<T> z = activation_[l] * weight_[l].transpose();
    z.rowwise() += bias_[l].transpose();
    if (l + 1 == weight_.size()) {
      logits = std::move(z);
    } else {
      activation_[l + 1] = z.cwiseMax(T(0));
    }
  }
}

template <class T>
void SoftwareMlp<T>::backward(const RowMatrix<T>& dlogits) {
  RowMatrix<T> dz = dlogits;
  for (std::size_t l = weight_.size(); l-- > 0;) {
    weight_grad_[l].noalias() = dz.transpose() * activation_[l];
    bias_grad_[l] = dz.colwise().sum().transpose();
    if (l == 0) break;
    RowMatrix<T> da = dz * weight_[l];
    dz = (activation_[l].array() > T(0)).select(da, T(0));
  }
}

template <class T>
std::vector<ParameterBlock<T>> SoftwareMlp<T>::parameters() {
  std::vector<ParameterBlock<T>> blocks;
  for (std::size_t l = 0; l < weight_.size(); ++l) {
    blocks.push_back({"layers[" + std::to_string(l) + "].weight", weight_[l].data(), weight_grad_[l].data(),
                      static_cast<std::size_t>(weight_[l].size()), T(1)});
    blocks.push_back({"layers[" + std::to_string(l) + "].bias", bias_[l].data(), bias_grad_[l].data(),
                      static_cast<std::size_t>(bias_[l].size()), T(1)});
  }
  return blocks;
}

template <class T>
SoftwareMlpSpec SoftwareMlp<T>::to_spec(const SoftwareMlpSpec& base) const {
  SoftwareMlpSpec spec = base;
  for (std::size_t l = 0; l < weight_.size(); ++l) {
    spec.weight[l] = weight_[l].template cast<double>();
    for (Eigen::Index j = 0; j < bias_[l].size(); ++j) spec.bias[l][j] = bias_[l][j];
  }
  return spec;
}

template class SoftwareMlp<float>;
template class SoftwareMlp<double>;

}  // namespace spinnet
