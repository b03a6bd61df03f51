// measure.line_shape: the spin-diode line fit on a macrospin sweep (docs/spin_diode.md).
#include "study/line_shape_measurement.hpp"

#include <map>
#include <string>
#include <vector>

#include "spinnet/core/errors.hpp"
#include "spinnet/measure/spin_diode.hpp"

namespace spinnet {

void measure_line_shape(const RunConfig& config, ExperimentResult& out) {
  const SweepPlan& sweep = config.sweep;
  const std::size_t a = config.line_shape.frequency_axis;
  const std::vector<double>& V = out.observables.at("rectified_voltage_V");
  // Group points by the indices of the other axes: stride of axis a in the point index (last axis fastest).
  std::size_t stride = 1;
  for (std::size_t b = sweep.axes.size(); b-- > a + 1;) stride *= sweep.axes[b].values.size();
  const std::size_t count = sweep.axes[a].values.size();
  const std::size_t n = V.size(), per_point = sweep.devices_per_point;
  std::vector<double> resonance(n), width(n), symmetric(n), antisymmetric(n), residual(n);
  for (std::size_t p0 = 0; p0 < sweep.points; ++p0) {
    if ((p0 / stride) % count != 0) continue;  // p0: first point of its line
    for (std::size_t slot = 0; slot < per_point; ++slot) {
      std::vector<double> f, v;
      std::vector<std::size_t> devices;
      for (std::size_t k = 0; k < count; ++k) {
        const std::size_t device = (p0 + k * stride) * per_point + slot;
        f.push_back(sweep.axes[a].values[k] * 1e9);
        v.push_back(V[device]);
        devices.push_back(device);
      }
      const LineShapeFit fit = fit_line_shape(f, v);
      for (std::size_t d : devices) {
        resonance[d] = fit.resonance;
        width[d] = fit.half_width;
        symmetric[d] = fit.symmetric;
        antisymmetric[d] = fit.antisymmetric;
        residual[d] = fit.rms_residual;
      }
    }
  }
  out.observables["line_resonance_Hz"] = resonance;
  out.observables["line_half_width_Hz"] = width;
  out.observables["line_symmetric_V"] = symmetric;
  out.observables["line_antisymmetric_V"] = antisymmetric;
  out.observables["line_rms_residual_V"] = residual;
}

}  // namespace spinnet
