// One finished batch's results as the checkpoint stores them (checkpoint/items-<first>-<end>.bin):
// a flat little-endian binary record, so that the doubles come back bit for bit.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "spinnet/study/scheduler.hpp"

namespace spinnet::detail {

struct BatchRecord {
  BatchRange range;
  std::uint64_t first_device = 0, devices = 0;
  std::string backend;
  double wall_seconds = 0;
  double device_steps = 0;
  /// Observable name -> one value per device of the batch.
  std::vector<std::pair<std::string, std::vector<double>>> observables;
  /// Traces of the batch's traced devices: trace_index[j] is the position of local traced device
  /// j in the config's observables.trace.devices; values are [column][sample * traced + j].
  std::vector<double> trace_time;
  std::vector<std::uint64_t> trace_index;
  std::vector<std::string> trace_columns;
  std::vector<std::vector<double>> trace_values;
  /// Full PSDs of global devices first_spectrum_row, first_spectrum_row + 1, ...
  std::vector<double> spectrum_frequency;
  std::uint64_t first_spectrum_row = 0;
  std::vector<std::vector<double>> spectrum_density;
  /// Per-network traces (coupled networks: the order parameter r(t)) of global networks
  /// first_network, first_network + 1, ...: values are [column][sample * networks + g].
  std::vector<double> network_trace_time;
  std::uint64_t first_network = 0;
  std::vector<std::string> network_trace_columns;
  std::vector<std::vector<double>> network_trace_values;
};

/// File name of a batch in the checkpoint directory.
std::string batch_file_name(const BatchRange& range);

std::string encode_batch(const BatchRecord& record);

/// Throws RunError naming `file` when the bytes are not a complete batch record.
BatchRecord decode_batch(const std::string& bytes, const std::string& file);

}  // namespace spinnet::detail
