// Progress of a study on stderr: a redrawn bar with rate and ETA on a terminal, a plain line every
// few seconds otherwise.
#pragma once

#include <chrono>
#include <string>

#include "spinnet/study/scheduler.hpp"

namespace spinnet {

class ProgressReporter {
 public:
  /// `quiet`: report nothing; `prefix`: put before every line (e.g. "rank 1: ").
  explicit ProgressReporter(bool quiet, std::string prefix = "");
  void operator()(const StudyProgress& progress);

 private:
  bool quiet_, tty_;
  std::string prefix_;
  std::chrono::steady_clock::time_point start_, last_;
  bool done_reported_ = false;
  double start_fraction_ = -1;  // fraction already done at the first report (resumed runs)
};

}  // namespace spinnet
