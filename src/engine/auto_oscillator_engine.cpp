// Host side of the auto-oscillator model: instantiates the generic batch run (and its vectorized
// CPU loops) for AutoOscillatorModel.
#include "engine/run_model.hpp"
#include "spinnet/models/auto_oscillator.hpp"

namespace spinnet {

template <>
ModelResult<AutoOscillatorModel> run_model(const ModelProblem<AutoOscillatorModel>& problem,
                                           const RunOptions& options) {
  return detail::run_model_checked(problem, options, "the amplitude diverged");
}

}  // namespace spinnet
