// A number as an error message shows it (ostream's default format). Private to src/measure/.
#pragma once

#include <sstream>
#include <string>

namespace spinnet::detail {

inline std::string number_text(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

}  // namespace spinnet::detail
