// The chip-variability study of a trained RF network: accuracy over fabricated chips per spread,
// with and without per-chip calibration (chip_variability.hpp), and its table.
#include "spinnet/rfnet/chip_variability.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <sstream>

namespace spinnet {

std::vector<VariabilityRow> variability_study(const RfNetworkSpec& spec, const Dataset& test, int classes,
                                              const VariabilityOptions& options, const RfBackendOptions& backend) {
  std::vector<VariabilityRow> rows;
  const std::unique_ptr<RfTrainableNetwork<float>> network = make_rf_network(spec, backend);
  RfTrainableNetwork<float>& model = *network;
  for (const std::string& parameter : options.parameters)
    for (double spread : options.spreads) {
      VariabilityRow row;
      row.parameter = parameter;
      row.spread = spread;
      ChipSpread s;
      if (parameter == "resonance" || parameter == "all") s.resonance = spread;
      if (parameter == "alpha" || parameter == "all") s.alpha = spread;
      if (parameter == "power" || parameter == "all") s.power = spread;
      for (int chip = 0; chip < options.chips; ++chip) {
        const ChipDeviation drawn = draw_chip(spec, s, options.seed, static_cast<std::uint64_t>(chip));
        model.set_chip(drawn);
        model.prepare();
        row.accuracies.push_back(evaluate_model(model, test, classes).accuracy);
        // Calibration measures and resets the resonances: it applies to chips whose resonances
        // vary. On an alpha- or power-only chip it would only add its own residual error to
        // exact resonances (issue 17: "alpha (calibrated)" was worse than uncalibrated).
        if (options.calibration_precision >= 0 && s.resonance > 0) {
          model.set_chip(calibrate_chip(drawn, options.calibration_precision, options.seed, static_cast<std::uint64_t>(chip)));
          model.prepare();
          row.calibrated_accuracies.push_back(evaluate_model(model, test, classes).accuracy);
        }
      }
      rows.push_back(std::move(row));
    }
  return rows;
}

std::string variability_table_csv(const std::vector<VariabilityRow>& rows) {
  std::ostringstream s;
  s.precision(6);
  s << "parameter,spread,calibrated,chips,mean_accuracy,std_accuracy,min_accuracy,p05_accuracy,median_accuracy,max_accuracy\n";
  for (const auto& row : rows)
  for (int calibrated = 0; calibrated < 2; ++calibrated) {
    const auto& r = row;
    std::vector<double> a = calibrated ? r.calibrated_accuracies : r.accuracies;
    if (a.empty()) continue;
    std::sort(a.begin(), a.end());
    double mean = 0, var = 0;
    for (double x : a) mean += x / a.size();
    for (double x : a) var += (x - mean) * (x - mean) / std::max<std::size_t>(a.size() - 1, 1);
    auto q = [&](double p) { return a.empty() ? 0.0 : a[static_cast<std::size_t>(p * (a.size() - 1) + 0.5)]; };
    s << r.parameter << ',' << r.spread << ',' << calibrated << ',' << a.size() << ',' << mean << ',' << std::sqrt(var) << ','
      << (a.empty() ? 0 : a.front()) << ',' << q(0.05) << ',' << q(0.5) << ',' << (a.empty() ? 0 : a.back()) << '\n';
  }
  return s.str();
}

}  // namespace spinnet
