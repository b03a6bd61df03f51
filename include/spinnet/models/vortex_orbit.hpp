// The amplitude (orbit-radius) equation of the vortex model (vortex.hpp) and what follows from it:
// the threshold current, the steady orbit and the amplitude relaxation time that sets a vortex
// reservoir's fading memory (Torrejon et al., Nature 547, 428 (2017); Abreu Araujo et al., Sci. Rep.
// 10, 328 (2020)). Host-side helpers; the time stepping stays in vortex.hpp.
//
// Without noise, the reduced Thiele equation of vortex.hpp, (g J - d) du/dt = A u - B J u, gives for
// s = |u| exactly (u . J u = 0, u x J u = s^2):
//   ds/dt = s (p B(I) - A(s) d(s)) / (1 + d(s)^2),   A = k(s) / |G|,  B = kappa p_z I / |G|,  d = D(s) / |G|,
// a closed equation in s, whatever the phase. Above threshold the orbit settles where
// p B = A(s*) d(s*); a small change of the current relaxes toward the new orbit as exp(-t / tau) with
//   1 / tau = s* (dA/ds d + A dd/ds)(s*) / (1 + d(s*)^2)                 (linearization at s*),
// and below threshold the core spirals in at 1 / tau = (A(0) d0 - p B) / (1 + d0^2).
#pragma once

#include <cmath>

#include "spinnet/models/vortex.hpp"

namespace spinnet {

/// ds/dt of the noiseless radial equation at radius s and current I (A), 1/s.
inline double vortex_radial_rate(const VortexParameters& p, double s, double current) {
  const VortexCoefficients<double> c = make_coefficients<double>(p, 1.0);
  const double s2 = s * s;
  const double A = c.omega_ms * (1 + c.zeta_ms * s2) + c.omega_Oe * current * (1 + c.zeta_Oe * s2);
  const double d = c.d0 * (1 + c.xi * s2);
  const double B = c.spin_transfer * current;
  return s * (c.polarity * B - A * d) / (1 + d * d);
}

/// The current above which the centred core is unstable: p B(I) = A(0, I) d0, A.
inline double vortex_threshold_current(const VortexParameters& p) {
  const VortexCoefficients<double> c = make_coefficients<double>(p, 1.0);
  return c.d0 * c.omega_ms / (c.polarity * c.spin_transfer - c.d0 * c.omega_Oe);
}

/// The steady orbit radius s* (units of R) at a current: 0 below threshold, the root of the radial
/// rate in (0, 1) above it (bisection to 1e-12), or 1 when the core would be expelled.
inline double vortex_steady_orbit(const VortexParameters& p, double current) {
  const double tiny = 1e-9;
  if (vortex_radial_rate(p, tiny, current) <= 0) return 0.0;
  double low = tiny, high = 1.0;
  if (vortex_radial_rate(p, high, current) > 0) return 1.0;
  for (int k = 0; k < 200 && high - low > 1e-12; ++k) {
    const double mid = 0.5 * (low + high);
    (vortex_radial_rate(p, mid, current) > 0 ? low : high) = mid;
  }
  return 0.5 * (low + high);
}

/// The amplitude relaxation time tau at a current (s): minus the inverse slope of the radial rate at
/// the steady orbit (at s = 0 below threshold), by a central difference (relative error ~1e-8).
inline double vortex_amplitude_relaxation_time(const VortexParameters& p, double current) {
  const double s = vortex_steady_orbit(p, current);
  if (s >= 1.0) return 0.0;
  if (s == 0.0) {
    const double h = 1e-6;
    return -h / vortex_radial_rate(p, h, current);
  }
  const double h = 1e-6 * s;
  const double slope = (vortex_radial_rate(p, s + h, current) - vortex_radial_rate(p, s - h, current)) / (2 * h);
  return -1.0 / slope;
}

}  // namespace spinnet
