// The spin-diode line-shape measurement of a macrospin run config (measure.line_shape): checks at
// config time, the fit after the run. Kept out of run_config.cpp and experiment.cpp, which call it.
#pragma once

#include "spinnet/study/experiment.hpp"
#include "spinnet/config/run_config.hpp"

namespace spinnet {

/// Throws ConfigError (path "measure.line_shape...") unless the model is macrospin and the chosen
/// sweep axis is an RF frequency with at least 5 values.
void check_line_shape(const RunConfig& config);

/// Fits V(f) for every device slot and every combination of the other axes; adds per-device
/// observables line_resonance_Hz, line_half_width_Hz, line_symmetric_V, line_antisymmetric_V,
/// line_rms_residual_V (the same values for every device of one fitted line).
void measure_line_shape(const RunConfig& config, ExperimentResult& out);

}  // namespace spinnet
