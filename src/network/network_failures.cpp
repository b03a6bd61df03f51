// The failure report of a network run (network_engine.hpp).
#include <sstream>
#include <string>
#include <vector>

#include "network/network_engine.hpp"

namespace spinnet::detail {

void report_network_failures(const std::vector<std::uint32_t>& status, const std::vector<std::uint64_t>& failed_step,
                             const std::vector<std::size_t>& oscillator_slot, std::uint32_t size,
                             std::uint64_t first_network, const RunControl& control, const std::string& bound_hint) {
  for (std::size_t i = 0; i < oscillator_slot.size(); ++i) {
    const std::size_t s = oscillator_slot[i];
    if (status[s] == status_ok) continue;
    const std::uint64_t step = failed_step[s] + 1;
    std::ostringstream time;
    time.precision(6);
    time << static_cast<double>(step) * control.dt * 1e9 << " ns";
    const std::string why =
        status[s] == status_not_finite ? "the state became non-finite; reduce integration.dt_ps" : bound_hint;
    throw RunError("numerical blow-up: network " + std::to_string(first_network + i / size) + ", oscillator " +
                   std::to_string(i % size) + " (device " + std::to_string(control.first_device_id + i) +
                   ") at t = " + time.str() + " (step " + std::to_string(step) + "): " + why);
  }
}

}  // namespace spinnet::detail
