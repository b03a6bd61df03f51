// How idle OpenMP threads wait. libgomp's default spins for a while at every barrier and between
// parallel regions; on a machine with more runnable threads than cores (a shared 2-core box: two
// spinnet threads plus other jobs) a spinning thread burns the time slice its descheduled partner
// needs, and every region costs milliseconds: 8x8-digits training ran 5-30x slower on two threads
// than on one, the MNIST training step 5x slower (perf: libgomp spin loops; docs/rfnet.md,
// "Threads"). Passive waiting (threads sleep on a futex) costs microseconds per region instead.
#pragma once

namespace spinnet {

/// Whether this program asked for passive waiting before libgomp started: OMP_WAIT_POLICY=passive
/// is set, unless OMP_WAIT_POLICY or GOMP_SPINCOUNT was already set (the user's choice stands).
/// libgomp reads its environment once, in its own initializer, before any C++ static initializer
/// of the program runs; so the variable is set from the executable's .preinit_array
/// (src/core/openmp_wait.cpp), which glibc runs before the initializer of any shared library. An
/// executable that calls this function links that entry in (a test or a library that does not
/// call it keeps libgomp's default). No second process: the program starts once.
bool prefer_passive_openmp_wait();

}  // namespace spinnet
