// The chip-variability study of a trained RF network (docs/rfnet.md, "Variability"): chips drawn
// with a relative spread of resonance, damping or power (draw_chip, rf_network.hpp), evaluated one
// by one, optionally after per-chip calibration.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "spinnet/rfnet/rf_training.hpp"

namespace spinnet {

struct VariabilityOptions {
  int chips = 0;  // 0 = no study
  std::vector<double> spreads;  // relative std
  std::vector<std::string> parameters;  // resonance, alpha, power, all
  std::uint64_t seed = 1;
  double calibration_precision = -1;  // >= 0: also evaluate every chip after calibrate_chip
};

/// Accuracy of a trained network over `chips` fabricated chips per spread.
struct VariabilityRow {
  std::string parameter;
  double spread = 0;
  std::vector<double> accuracies;             // one per chip
  std::vector<double> calibrated_accuracies;  // after per-chip calibration (when enabled)
};
std::vector<VariabilityRow> variability_study(const RfNetworkSpec& spec, const Dataset& test, int classes,
                                              const VariabilityOptions& options, const RfBackendOptions& backend = {});

/// variability.csv: parameter, spread, calibrated, chips, mean/std/min/p05/median/max accuracy.
std::string variability_table_csv(const std::vector<VariabilityRow>& rows);

}  // namespace spinnet
