#include "study/mpi_world.hpp"

#include <cstdlib>

#include "spinnet/core/errors.hpp"

#if defined(SPINNET_HAVE_MPI)
// The C API only: OpenMPI and MPICH otherwise pull in their deprecated C++ bindings.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif

namespace spinnet {

namespace {

int environment_integer(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value ? std::atoi(value) : fallback;
}

}  // namespace

MpiWorld mpi_start(int* argc, char*** argv) {
  MpiWorld world;
  const int launched_size = environment_integer("OMPI_COMM_WORLD_SIZE", environment_integer("PMI_SIZE", 0));
  const bool launched = launched_size > 0 || std::getenv("PMIX_RANK") != nullptr;
  if (!launched) return world;
#if defined(SPINNET_HAVE_MPI)
  int provided = 0;
  MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
  world.active = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &world.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &world.size);
  MPI_Comm node;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, world.rank, MPI_INFO_NULL, &node);
  MPI_Comm_rank(node, &world.local_rank);
  MPI_Comm_free(&node);
#else
  (void)argc;
  (void)argv;
  if (launched_size > 1)
    throw RunError("launched by mpirun with " + std::to_string(launched_size) +
                   " ranks, but this spinnet was built without MPI (install libopenmpi-dev and reconfigure)");
#endif
  return world;
}

bool mpi_all(const MpiWorld& world, bool ok) {
#if defined(SPINNET_HAVE_MPI)
  if (world.active) {
    int mine = ok ? 1 : 0, all = 0;
    MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    return all == 1;
  }
#endif
  (void)world;
  return ok;
}

void mpi_finish(const MpiWorld& world) {
#if defined(SPINNET_HAVE_MPI)
  if (world.active) MPI_Finalize();
#endif
  (void)world;
}

}  // namespace spinnet
