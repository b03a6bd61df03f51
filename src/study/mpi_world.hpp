// MPI when spinnet is launched by mpirun: ranks, the node-local rank (-> CUDA device), and the few
// collective steps the study needs. Without MPI in the build, or without mpirun, one rank.
#pragma once

#include <string>

namespace spinnet {

struct MpiWorld {
  int rank = 0, size = 1, local_rank = 0;
  bool active = false;  // MPI_Init was called
};

/// Initializes MPI only when this process was started by mpirun (OpenMPI, PMI or PMIx variables in
/// the environment), so `spinnet run` works without mpirun. Throws RunError when mpirun started
/// several ranks and this build has no MPI.
MpiWorld mpi_start(int* argc, char*** argv);

/// True on every rank when `ok` is true on every rank (a barrier as well). One rank: `ok`.
bool mpi_all(const MpiWorld& world, bool ok);

/// Finalizes MPI when it was initialized.
void mpi_finish(const MpiWorld& world);

}  // namespace spinnet
