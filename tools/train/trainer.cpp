#include "trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <numeric>
#include <random>
#include <sstream>
#include <stdexcept>

#include "predict.h"

namespace leafcheck::train {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct RunState {
  int epochs_done = 0;
  int epochs = 0;
  size_t examples = 0;
  double seconds = 0;
  double validation_top1 = -1;
  bool finished = false;
};

RunState read_state(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read training state " + file.string());
  std::map<std::string, double> values;
  std::string key;
  double value;
  while (in >> key >> value) values[key] = value;
  RunState s;
  s.epochs_done = static_cast<int>(values["epochs_done"]);
  s.epochs = static_cast<int>(values["epochs"]);
  s.examples = static_cast<size_t>(values["examples"]);
  s.seconds = values["seconds"];
  s.validation_top1 = values.count("validation_top1") ? values["validation_top1"] : -1;
  s.finished = values["finished"] != 0;
  return s;
}

void write_state(const fs::path& file, const RunState& s) {
  const fs::path tmp = file.string() + ".tmp";
  {
    std::ofstream out(tmp);
    out.precision(17);
    out << "epochs_done " << s.epochs_done << "\nepochs " << s.epochs << "\nexamples " << s.examples
        << "\nseconds " << s.seconds << "\nvalidation_top1 " << s.validation_top1 << "\nfinished "
        << (s.finished ? 1 : 0) << "\n";
    if (!out) throw std::runtime_error("cannot write " + tmp.string());
  }
  fs::rename(tmp, file);
}

template <typename T>
void save_atomically(const T& object, const fs::path& file) {
  const fs::path tmp = file.string() + ".tmp";
  torch::save(object, tmp.string());
  fs::rename(tmp, file);
}

std::string format_duration(double seconds) {
  const long s = std::lround(std::max(0.0, seconds));
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s / 60) % 60);
  else
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  return buf;
}

double learning_rate_at(const TrainConfig& config, int64_t step, int64_t total_steps) {
  const int64_t warmup = std::min<int64_t>(config.warmup_steps, total_steps / 5);
  if (step < warmup) return config.learning_rate * static_cast<double>(step + 1) / warmup;
  const double progress = static_cast<double>(step - warmup) / std::max<int64_t>(1, total_steps - warmup);
  return config.learning_rate * 0.5 * (1.0 + std::cos(M_PI * progress));
}

}  // namespace

TrainSummary train_model(SeedNet& net, const ImageSet& images, const std::vector<Example>& examples,
                         const std::vector<int64_t>& validation, const TrainConfig& config, const fs::path& dir,
                         const std::string& name) {
  if (examples.empty()) throw std::invalid_argument(name + ": no training examples");
  fs::create_directories(dir);
  const fs::path state_file = dir / "state.txt", model_file = dir / "model.pt", optimizer_file = dir / "optimizer.pt";

  torch::optim::Adam optimizer(net->parameters(),
                               torch::optim::AdamOptions(config.learning_rate).weight_decay(config.weight_decay));
  RunState state;
  state.epochs = config.epochs;
  state.examples = examples.size();
  if (fs::exists(state_file)) {
    state = read_state(state_file);
    if (state.examples != examples.size() || state.epochs != config.epochs)
      throw std::runtime_error(name + ": the checkpoint in " + dir.string() + " was made for " +
                               std::to_string(state.examples) + " examples x " + std::to_string(state.epochs) +
                               " epochs, not " + std::to_string(examples.size()) + " x " +
                               std::to_string(config.epochs) + "; delete that folder to retrain");
    torch::load(net, model_file.string());
    if (state.finished) {
      std::cerr << "[" << name << "] already trained (" << dir.string() << "), loaded\n";
      return {state.seconds, state.examples, state.epochs, state.validation_top1};
    }
    torch::load(optimizer, optimizer_file.string());
    std::cerr << "[" << name << "] resuming after epoch " << state.epochs_done << "/" << config.epochs << "\n";
  }

  const int64_t batches_per_epoch = (static_cast<int64_t>(examples.size()) + config.batch_size - 1) / config.batch_size;
  const int64_t total_steps = batches_per_epoch * config.epochs;
  size_t session_images = 0;
  double session_train_seconds = 0;
  net->train();
  for (int epoch = state.epochs_done; epoch < config.epochs; ++epoch) {
    const auto epoch_start = Clock::now();
    std::seed_seq epoch_seed{config.seed, static_cast<uint64_t>(epoch)};
    std::mt19937_64 rng(epoch_seed);
    std::vector<size_t> order(examples.size());
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), rng);
    double loss_sum = 0;
    size_t correct = 0, seen = 0;
    for (int64_t b = 0; b < batches_per_epoch; ++b) {
      const auto batch_start = Clock::now();
      const size_t begin = b * config.batch_size, end = std::min(order.size(), begin + config.batch_size);
      std::vector<int64_t> index, label;
      for (size_t k = begin; k < end; ++k) {
        index.push_back(examples[order[k]].index);
        label.push_back(examples[order[k]].label);
      }
      auto unit = to_unit_nchw(images.pixels.index_select(0, torch::tensor(index)));
      auto input = normalize(augment_batch(unit, config.augment, rng), config.normalization);
      auto target = torch::tensor(label);
      const int64_t step = epoch * batches_per_epoch + b;
      for (auto& group : optimizer.param_groups())
        static_cast<torch::optim::AdamOptions&>(group.options()).lr(learning_rate_at(config, step, total_steps));
      optimizer.zero_grad();
      auto logits = net->forward(input);
      auto loss = torch::nn::functional::cross_entropy(
          logits, target, torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(config.label_smoothing));
      loss.backward();
      optimizer.step();

      const size_t n = end - begin;
      loss_sum += loss.item<double>() * n;
      correct += logits.argmax(1).eq(target).sum().item<int64_t>();
      seen += n;
      session_images += n;
      session_train_seconds += std::chrono::duration<double>(Clock::now() - batch_start).count();
      if ((b + 1) % config.log_every == 0 || b + 1 == batches_per_epoch) {
        const double per_image = session_train_seconds / session_images;
        const double remaining_images =
            static_cast<double>(examples.size()) * (config.epochs - epoch) - static_cast<double>(seen);
        std::fprintf(stderr, "[%s] epoch %d/%d batch %lld/%lld loss %.4f acc %.4f | %.1f img/s | ETA %s\n",
                     name.c_str(), epoch + 1, config.epochs, static_cast<long long>(b + 1),
                     static_cast<long long>(batches_per_epoch), loss_sum / seen, static_cast<double>(correct) / seen,
                     1.0 / per_image, format_duration(per_image * remaining_images).c_str());
      }
    }
    const bool last = epoch + 1 == config.epochs;
    std::string validation_text;
    if (!validation.empty() && (last || (config.validate_every > 0 && (epoch + 1) % config.validate_every == 0))) {
      state.validation_top1 = top1_accuracy(net, images, validation, config.normalization);
      validation_text = " val_top1 " + std::to_string(state.validation_top1);
    }
    const double epoch_seconds = std::chrono::duration<double>(Clock::now() - epoch_start).count();
    state.seconds += epoch_seconds;
    state.epochs_done = epoch + 1;
    state.finished = last;
    save_atomically(net, model_file);
    if (!last) save_atomically(optimizer, optimizer_file);
    write_state(state_file, state);
    if (last) fs::remove(optimizer_file);
    std::fprintf(stderr, "[%s] epoch %d/%d done in %s: loss %.4f acc %.4f%s | ETA %s\n", name.c_str(), epoch + 1,
                 config.epochs, format_duration(epoch_seconds).c_str(), loss_sum / seen,
                 static_cast<double>(correct) / seen, validation_text.c_str(),
                 format_duration(epoch_seconds * (config.epochs - epoch - 1)).c_str());
  }
  return {state.seconds, state.examples, state.epochs, state.validation_top1};
}

}  // namespace leafcheck::train
