#include "progress.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace leafcheck::cli {

Progress::Progress(size_t total, bool enabled)
    : total_(total), enabled_(enabled && total > 1), tty_(isatty(STDERR_FILENO)) {}

void Progress::update(size_t done) {
  if (!enabled_) return;
  const auto now = Clock::now();
  const double since_last = std::chrono::duration<double>(now - last_).count();
  if (tty_ ? since_last < 0.1 && done != total_ : since_last < 10.0) return;
  last_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0;
  const double eta = rate > 0 ? static_cast<double>(total_ - done) / rate : 0;
  const int percent = static_cast<int>(100 * done / total_);
  if (tty_) {
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(kWidth * done / total_);
    std::fprintf(stderr, "\r[%s%s] %zu/%zu %3d%%  %.1f images/s  ETA %s\x1b[K",
                 std::string(static_cast<size_t>(filled), '#').c_str(),
                 std::string(static_cast<size_t>(kWidth - filled), '.').c_str(), done, total_, percent, rate,
                 duration(eta).c_str());
    drawn_ = true;
  } else {
    std::fprintf(stderr, "progress: %zu/%zu images (%d%%), %.1f images/s, ETA %s\n", done, total_, percent, rate,
                 duration(eta).c_str());
  }
  std::fflush(stderr);
}

void Progress::clear() {
  if (drawn_) std::fputs("\r\x1b[K", stderr);
  drawn_ = false;
}

std::string Progress::duration(double seconds) {
  const long s = std::lround(seconds);
  char text[32];
  std::snprintf(text, sizeof text, "%ld:%02ld", s / 60, s % 60);
  return text;
}

}  // namespace leafcheck::cli
