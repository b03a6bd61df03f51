#include "spinnet/study/progress.hpp"

#include <unistd.h>

#include <cstdio>
#include <string>

namespace spinnet {

ProgressReporter::ProgressReporter(bool quiet, std::string prefix)
    : quiet_(quiet),
      tty_(::isatty(STDERR_FILENO) != 0),
      prefix_(std::move(prefix)),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

void ProgressReporter::operator()(const StudyProgress& p) {
  if (quiet_) return;
  const auto now = std::chrono::steady_clock::now();
  if (start_fraction_ < 0) start_fraction_ = p.fraction;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double since = std::chrono::duration<double>(now - last_).count();
  const bool done = p.fraction >= 1.0;
  if (done && done_reported_) return;
  if (!done && since < (tty_ ? 0.2 : 5.0)) return;
  done_reported_ = done;
  last_ = now;
  // Rate and ETA from the work done in this process (a resumed run starts part-way).
  const double fraction_now = p.fraction - start_fraction_;
  const double items_per_second =
      elapsed > 0 ? fraction_now * static_cast<double>(p.items_total) / elapsed : 0.0;
  const double eta = fraction_now > 0 ? elapsed * (1 - p.fraction) / fraction_now : 0.0;
  char counts[160];
  std::snprintf(counts, sizeof counts, "batch %zu/%zu  %.3g items/s  %.1f s elapsed  ETA %.1f s", p.batches_done,
                p.batches_total, items_per_second, elapsed, eta);
  if (tty_) {
    const int width = 30, filled = static_cast<int>(p.fraction * width);
    std::fprintf(stderr, "\r%s[%s%s] %5.1f%%  %s", prefix_.c_str(), std::string(filled, '#').c_str(),
                 std::string(width - filled, '.').c_str(), 100 * p.fraction, counts);
    if (done) std::fprintf(stderr, "\n");
  } else {
    std::fprintf(stderr, "%sprogress %5.1f%%  %s\n", prefix_.c_str(), 100 * p.fraction, counts);
  }
  std::fflush(stderr);
}

}  // namespace spinnet
