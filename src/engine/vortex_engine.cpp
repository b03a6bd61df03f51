// Host side of the vortex model: instantiates the generic batch run (and its vectorized CPU loops)
// for VortexModel.
#include "engine/run_model.hpp"
#include "spinnet/models/vortex.hpp"

namespace spinnet {

template <>
ModelResult<VortexModel> run_model(const ModelProblem<VortexModel>& problem, const RunOptions& options) {
  return detail::run_model_checked(problem, options,
                                   "the vortex core reached the disk edge (s >= 1), where the Thiele model no "
                                   "longer holds; lower the current or the drive");
}

}  // namespace spinnet
