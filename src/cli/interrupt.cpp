// Interrupts (interrupt.hpp).
#include "interrupt.hpp"

#include <csignal>

namespace spinnet::cli {

namespace {

volatile std::sig_atomic_t signal_received = 0;

}  // namespace

void install_interrupt_handlers() {
  struct sigaction action = {};
  action.sa_handler = [](int signal) { signal_received = signal; };
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

int interrupted_by() { return signal_received; }

}  // namespace spinnet::cli
