// Instantiates run_network (and its vectorized CPU loops) for networks of the macrospin model.
#include "network/network_engine.hpp"
#include "spinnet/models/coupled_macrospin.hpp"

namespace spinnet {

template std::uint64_t network_bytes<CoupledMacrospin>(const NetworkProblem<CoupledMacrospin>&);

template <>
NetworkResult<CoupledMacrospin> run_network(const NetworkProblem<CoupledMacrospin>& problem, const RunOptions& options) {
  return detail::run_network_checked(problem, options);
}

}  // namespace spinnet
