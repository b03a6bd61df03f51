// Dipolar coupling between the oscillators of a network at given positions (docs/networks.md):
// the geometric tensors of the point-dipole field, for macrospins (of the moments Ms V m) and for
// vortex cores (of the in-plane moment a C (z x X) that a core shift X gives the disk).
#pragma once

#include <array>
#include <cmath>

#include "spinnet/core/constants.hpp"

namespace spinnet {

/// The field at r_j of a unit dipole moment at r_k, per unit moment (1/m^3): H = D (Ms V m_k) with
/// D = (3 r^ r^T - I) / (4 pi r^3), r = r_j - r_k. Row-major 3 x 3.
inline std::array<double, 9> point_dipole_tensor(const std::array<double, 3>& r) {
  const double d2 = r[0] * r[0] + r[1] * r[1] + r[2] * r[2];
  const double d = std::sqrt(d2);
  const double scale = 1.0 / (4 * constants::pi * d2 * d);
  std::array<double, 9> t{};
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 3; ++b) t[a * 3 + b] = scale * (3 * r[a] * r[b] / d2 - (a == b ? 1.0 : 0.0));
  return t;
}

/// The force on vortex core j from the shift X_k of core k, per unit product of their in-plane
/// moments per unit shift (a_j a_k C_j C_k mu0): F_j = -(mu0 a_j a_k C_j C_k / (4 pi r^3)) (I - 3 t t^T) X_k,
/// t = r^ turned by -90 degrees in the disk plane. It follows from the dipole energy
/// W = (mu0 / 4 pi r^3)(mu_j . mu_k - 3 (mu_j . r^)(mu_k . r^)) of the moments mu = a C (z x X):
/// W = K (X_j . X_k - 3 (X_j . t)(X_k . t)), the far-field (point-dipole) limit of the core-core
/// interaction of Belanovsky et al., PRB 85, 100409 (2012) (eta_x = 1, eta_y = 2 along the pair
/// axis). It underestimates the interaction of disks closer than about one diameter. Row-major 2 x 2
/// of -(I - 3 t t^T) / (4 pi r^3), 1/m^3.
inline std::array<double, 4> vortex_dipole_tensor(const std::array<double, 3>& r) {
  const double d2 = r[0] * r[0] + r[1] * r[1];
  const double d = std::sqrt(d2);
  const double scale = -1.0 / (4 * constants::pi * d2 * d);
  const double tx = r[1] / d, ty = -r[0] / d;
  return {scale * (1 - 3 * tx * tx), scale * (-3 * tx * ty), scale * (-3 * ty * tx), scale * (1 - 3 * ty * ty)};
}

}  // namespace spinnet
