// Instantiates run_network (and its vectorized CPU loops) for networks of the auto_oscillator model.
#include "network/network_engine.hpp"
#include "spinnet/models/coupled_auto_oscillator.hpp"

namespace spinnet {

template std::uint64_t network_bytes<CoupledAutoOscillator>(const NetworkProblem<CoupledAutoOscillator>&);

template <>
NetworkResult<CoupledAutoOscillator> run_network(const NetworkProblem<CoupledAutoOscillator>& problem, const RunOptions& options) {
  return detail::run_network_checked(problem, options);
}

}  // namespace spinnet
