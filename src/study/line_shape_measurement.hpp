// The spin-diode line-shape measurement of a macrospin run config (measure.line_shape): the fit
// after the run (its config checks are in src/config/measure_config.cpp).
#pragma once

#include "spinnet/study/experiment.hpp"
#include "spinnet/config/run_config.hpp"

namespace spinnet {

/// Fits V(f) for every device slot and every combination of the other axes; adds per-device
/// observables line_resonance_Hz, line_half_width_Hz, line_symmetric_V, line_antisymmetric_V,
/// line_rms_residual_V (the same values for every device of one fitted line).
void measure_line_shape(const RunConfig& config, ExperimentResult& out);

}  // namespace spinnet
