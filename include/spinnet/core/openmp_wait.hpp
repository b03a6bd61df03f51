// How idle OpenMP threads wait. libgomp's default spins for a while at every barrier and between
// parallel regions; on a machine with more runnable threads than cores (a shared 2-core box: two
// spinnet threads plus other jobs) a spinning thread burns the time slice its descheduled partner
// needs, and every region costs milliseconds: 8x8-digits training ran 5-30x slower on two threads
// than on one, the MNIST training step 5x slower (perf: libgomp spin loops; docs/rfnet.md,
// "Threads"). Passive waiting (threads sleep on a futex) costs microseconds per region instead.
#pragma once

namespace spinnet {

/// Re-executes this program with OMP_WAIT_POLICY=passive unless OMP_WAIT_POLICY or GOMP_SPINCOUNT
/// is already set (the user's choice stands). libgomp reads the variable when it is loaded, before
/// main, hence the re-exec; call this first thing in main, before any thread or MPI starts. Returns
/// (and the program runs with the default policy) when /proc/self/exe cannot be executed. Under a
/// wrapper that is itself /proc/self/exe (valgrind), set OMP_WAIT_POLICY to skip the re-exec.
void prefer_passive_openmp_wait(char** argv);

}  // namespace spinnet
