// Passive OpenMP waiting by default (see openmp_wait.hpp).
#include "spinnet/core/openmp_wait.hpp"

#include <cstdlib>
#include <cstring>

namespace spinnet {

namespace {

bool passive_requested = false;

/// Runs from .preinit_array: after the dynamic linker has relocated every library (so getenv and
/// setenv work) and before any library initializer, libgomp's initialize_env included.
void set_passive_wait(int, char**, char**) {
  if (std::getenv("OMP_WAIT_POLICY") || std::getenv("GOMP_SPINCOUNT")) return;
  passive_requested = ::setenv("OMP_WAIT_POLICY", "passive", 1) == 0;
}

}  // namespace

// glibc calls the executable's DT_PREINIT_ARRAY first in _dl_init (elf/dl-init.c), then the
// libraries' initializers in dependency order. The entry is ignored in shared objects.
__attribute__((section(".preinit_array"), used)) static void (*preinit_wait_policy)(int, char**, char**) =
    &set_passive_wait;

bool prefer_passive_openmp_wait() {
  const char* policy = std::getenv("OMP_WAIT_POLICY");
  return passive_requested && policy && std::strcmp(policy, "passive") == 0;
}

}  // namespace spinnet
