// Bounds checks on JSON numbers and vectors shared by the config readers (config.cpp,
// device_columns.cpp). Private to src/config/.
#pragma once

#include <array>
#include <string>

#include "spinnet/config/config.hpp"

namespace spinnet::detail {

/// "a number > 0" and the like.
std::string bound_text(Bound bound);
/// Whether v is finite and satisfies the bound.
bool within(double v, Bound bound);
/// The number at `path`, or a ConfigError naming it.
double checked_number(const json& value, const std::string& path, Bound bound);
/// The vector [x, y, z] at `path` (non-zero when asked), or a ConfigError naming it.
std::array<double, 3> checked_vector(const json& value, const std::string& path, bool nonzero);

}  // namespace spinnet::detail
