// Progress on stderr while a folder is classified: a bar on a terminal, a line every 10 s in a log.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace leafcheck::cli {

class Progress {
 public:
  Progress(size_t total, bool enabled);

  void update(size_t done);
  // Erases the bar so that lines written to the same terminal start clean.
  void clear();

 private:
  using Clock = std::chrono::steady_clock;

  static std::string duration(double seconds);

  size_t total_;
  bool enabled_;
  bool tty_;
  bool drawn_ = false;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_ = Clock::now();
};

}  // namespace leafcheck::cli
