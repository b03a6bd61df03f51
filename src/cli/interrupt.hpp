// SIGINT / SIGTERM during a run: the run stops at its next check (within a second: the engine's
// chunks are bounded in wall time), keeps what it finished, says how to resume and exits with
// 128 + the signal number. A second signal kills at once.
#pragma once

namespace spinnet::cli {

void install_interrupt_handlers();
/// The signal that interrupted the run, 0 while none has.
int interrupted_by();

}  // namespace spinnet::cli
