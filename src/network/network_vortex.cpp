// Instantiates run_network (and its vectorized CPU loops) for networks of the vortex model.
#include "network/network_engine.hpp"
#include "spinnet/models/coupled_vortex.hpp"

namespace spinnet {

template std::uint64_t network_bytes<CoupledVortex>(const NetworkProblem<CoupledVortex>&);

template <>
NetworkResult<CoupledVortex> run_network(const NetworkProblem<CoupledVortex>& problem, const RunOptions& options) {
  return detail::run_network_checked(problem, options);
}

}  // namespace spinnet
