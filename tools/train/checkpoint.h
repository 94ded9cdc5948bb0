// What a resumable training loop keeps between epochs: progress state (a small text file), weights and
// optimizer state written atomically, the learning-rate schedule, and duration formatting for progress lines.
#pragma once

#include <torch/torch.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace leafcheck::train {

struct RunState {
  int epochs_done = 0;
  int epochs = 0;
  size_t examples = 0;
  double seconds = 0;
  double validation_top1 = -1;
  bool finished = false;
};

RunState read_state(const std::filesystem::path& file);
void write_state(const std::filesystem::path& file, const RunState& state);

// Written to a temporary file, then renamed: an interrupted save leaves the previous checkpoint.
template <typename T>
void save_atomically(const T& object, const std::filesystem::path& file) {
  const std::filesystem::path tmp = file.string() + ".tmp";
  torch::save(object, tmp.string());
  std::filesystem::rename(tmp, file);
}

// Linear warm-up over min(warmup_steps, total/5) steps, then cosine decay to 0.
double learning_rate_at(double peak, int warmup_steps, int64_t step, int64_t total_steps);

std::string format_duration(double seconds);  // "3m05s", "1h02m"

}  // namespace leafcheck::train
