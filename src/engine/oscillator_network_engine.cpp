// Host side of coupled auto-oscillator networks (2, 3 and 4 oscillators per network).
#include "engine/run_model.hpp"
#include "spinnet/models/oscillator_network.hpp"

namespace spinnet {

#define SPINNET_NETWORK_RUN(M)                                                                               \
  template <>                                                                                                \
  ModelResult<OscillatorNetworkModel<M>> run_model(const ModelProblem<OscillatorNetworkModel<M>>& problem,  \
                                                   const RunOptions& options) {                              \
    return detail::run_model_checked(problem, options, "the amplitude diverged");                          \
  }
SPINNET_NETWORK_RUN(2)
SPINNET_NETWORK_RUN(3)
SPINNET_NETWORK_RUN(4)
#undef SPINNET_NETWORK_RUN

}  // namespace spinnet
