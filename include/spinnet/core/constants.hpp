// Physical constants, SI (CODATA 2018 exact values where defined).
#pragma once

namespace spinnet::constants {

inline constexpr double mu0 = 1.25663706212e-6;        // vacuum permeability, T m / A
inline constexpr double hbar = 1.054571817e-34;        // reduced Planck constant, J s
inline constexpr double electron_charge = 1.602176634e-19;  // C
inline constexpr double boltzmann = 1.380649e-23;      // J / K
inline constexpr double gyromagnetic_ratio = 1.76085963e11;  // gamma of the electron, rad / (s T)
inline constexpr double pi = 3.141592653589793238462643383279502884;
inline constexpr double two_pi = 2.0 * pi;

}  // namespace spinnet::constants
