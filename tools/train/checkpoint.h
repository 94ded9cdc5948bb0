// What a resumable training loop keeps between epochs: progress state (a small text file), weights and
// optimizer state written atomically, the learning-rate schedule, and duration formatting for progress lines.
#pragma once

#include <torch/torch.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <stdexcept>
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

// The files of one resumable training loop in `dir`.
struct CheckpointFiles {
  explicit CheckpointFiles(const std::filesystem::path& dir)
      : state(dir / "state.txt"), model(dir / "model.pt"), optimizer(dir / "optimizer.pt") {}
  std::filesystem::path state, model, optimizer;
};

// Continues from the checkpoint in `files` when there is one: the weights always, the optimizer
// unless training had finished. `fresh` says what this run trains (epochs, examples); a checkpoint
// made for other work is refused. Without a checkpoint, returns `fresh`.
template <typename Net, typename Optimizer>
RunState resume(const CheckpointFiles& files, Net& net, Optimizer& optimizer, const RunState& fresh,
                torch::Device device, const std::string& name) {
  if (!std::filesystem::exists(files.state)) return fresh;
  const RunState state = read_state(files.state);
  const std::string dir = files.state.parent_path().string();
  if (state.examples != fresh.examples || state.epochs != fresh.epochs)
    throw std::runtime_error(name + ": the checkpoint in " + dir + " was made for " + std::to_string(state.examples) +
                             " examples x " + std::to_string(state.epochs) + " epochs, not " +
                             std::to_string(fresh.examples) + " x " + std::to_string(fresh.epochs) +
                             "; delete that folder to retrain");
  torch::load(net, files.model.string(), device);
  if (state.finished) {
    std::cerr << "[" << name << "] already trained (" << dir << "), loaded\n";
    return state;
  }
  torch::load(optimizer, files.optimizer.string(), device);
  std::cerr << "[" << name << "] resuming after epoch " << state.epochs_done << "/" << state.epochs << "\n";
  return state;
}

// After an epoch: weights, optimizer (dropped once training has finished) and state, each written atomically.
template <typename Net, typename Optimizer>
void save_epoch(const CheckpointFiles& files, const Net& net, const Optimizer& optimizer, const RunState& state) {
  save_atomically(net, files.model);
  if (!state.finished) save_atomically(optimizer, files.optimizer);
  write_state(files.state, state);
  if (state.finished) std::filesystem::remove(files.optimizer);
}

// Every parameter group of an Adam optimizer to learning rate `lr` (the schedule sets it each step).
void set_learning_rate(torch::optim::Adam& optimizer, double lr);

// Linear warm-up over min(warmup_steps, total/5) steps, then cosine decay to 0.
double learning_rate_at(double peak, int warmup_steps, int64_t step, int64_t total_steps);

std::string format_duration(double seconds);  // "3m05s", "1h02m"

}  // namespace leafcheck::train
