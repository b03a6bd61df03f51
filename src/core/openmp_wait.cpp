// Passive OpenMP waiting by default (see openmp_wait.hpp).
#include "spinnet/core/openmp_wait.hpp"

#include <unistd.h>

#include <cstdlib>

namespace spinnet {

void prefer_passive_openmp_wait(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") || std::getenv("GOMP_SPINCOUNT")) return;
  if (::setenv("OMP_WAIT_POLICY", "passive", 1) != 0) return;
  ::execv("/proc/self/exe", argv);  // returns only on failure
  ::unsetenv("OMP_WAIT_POLICY");
}

}  // namespace spinnet
