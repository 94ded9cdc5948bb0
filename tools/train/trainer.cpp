#include "trainer.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "bn_recalibration.h"
#include "checkpoint.h"
#include "predict.h"

namespace leafcheck::train {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

bool ProgressThrottle::due(int64_t batch, int64_t batches) {
  const auto now = Clock::now();
  const bool due = batch + 1 == batches ||
                   ((batch + 1) % every_ == 0 && now - last_ >= std::chrono::seconds(5));
  if (due) last_ = now;
  return due;
}

TrainSummary train_model(SeedNet& net, const ImageSet& images, const DeviceImages& data,
                         const std::vector<Example>& examples, const std::vector<int64_t>& validation,
                         const TrainConfig& config, const fs::path& dir, const std::string& name) {
  if (examples.empty()) throw std::invalid_argument(name + ": no training examples");
  fs::create_directories(dir);
  const CheckpointFiles files(dir);
  net->to(data.device);

  torch::optim::Adam optimizer(net->parameters(),
                               torch::optim::AdamOptions(config.learning_rate).weight_decay(config.weight_decay));
  RunState fresh;
  fresh.epochs = config.epochs;
  fresh.examples = examples.size();
  RunState state = resume(files, net, optimizer, fresh, data.device, name);
  if (state.finished) return {state.seconds, state.examples, state.epochs, state.validation_top1};

  std::vector<int64_t> image_index, label;
  for (const Example& e : examples) {
    image_index.push_back(e.index);
    label.push_back(e.label);
  }
  const auto image_index_t = torch::tensor(image_index), label_t = torch::tensor(label);
  const auto weights = sampling_weights(images, examples, config.sampling);
  const int64_t batches_per_epoch = (static_cast<int64_t>(examples.size()) + config.batch_size - 1) / config.batch_size;
  const int64_t total_steps = batches_per_epoch * config.epochs;
  const auto loss_options =
      torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(config.label_smoothing);
  size_t session_images = 0;
  double session_train_seconds = 0;
  ProgressThrottle progress(config.log_every);
  net->train();
  for (int epoch = state.epochs_done; epoch < config.epochs; ++epoch) {
    const auto epoch_start = Clock::now();
    // Seeded per epoch, so a resumed run draws what an uninterrupted one would have.
    torch::manual_seed(config.seed * 1000003 + static_cast<uint64_t>(epoch));
    const auto order = draw_epoch(weights);
    auto loss_sum = torch::zeros({}, torch::TensorOptions(data.device));
    auto correct = torch::zeros({}, torch::TensorOptions(data.device).dtype(torch::kLong));
    size_t seen = 0;
    for (int64_t b = 0; b < batches_per_epoch; ++b) {
      const auto batch_start = Clock::now();
      const int64_t begin = b * config.batch_size, end = std::min<int64_t>(order.size(0), begin + config.batch_size);
      const auto pick = order.slice(0, begin, end);
      const auto index = image_index_t.index_select(0, pick).to(data.device);
      const auto target = label_t.index_select(0, pick).to(data.device);
      auto input = normalize(augment_batch(data.unit_batch(index), config.augment, data.lab_leaf.index_select(0, index),
                                           data.backgrounds),
                             config.normalization);
      const int64_t step = epoch * batches_per_epoch + b;
      set_learning_rate(optimizer, learning_rate_at(config.learning_rate, config.warmup_steps, step, total_steps));
      optimizer.zero_grad();
      auto logits = net->forward(input);
      auto loss = torch::nn::functional::cross_entropy(logits, target, loss_options);
      loss.backward();
      optimizer.step();

      const int64_t n = end - begin;
      loss_sum += loss.detach() * n;
      correct += logits.argmax(1).eq(target).sum();
      seen += n;
      session_images += n;
      session_train_seconds += std::chrono::duration<double>(Clock::now() - batch_start).count();
      if (progress.due(b, batches_per_epoch)) {
        const double images_per_second = session_images / std::max(1e-9, session_train_seconds);
        const double remaining_images =
            static_cast<double>(examples.size()) * (config.epochs - epoch) - static_cast<double>(seen);
        std::fprintf(stderr, "[%s] epoch %d/%d batch %lld/%lld loss %.4f acc %.4f | %.1f img/s | ETA %s\n",
                     name.c_str(), epoch + 1, config.epochs, static_cast<long long>(b + 1),
                     static_cast<long long>(batches_per_epoch), loss_sum.item<double>() / seen,
                     static_cast<double>(correct.item<int64_t>()) / seen, images_per_second,
                     format_duration(remaining_images / images_per_second).c_str());
      }
    }
    const bool last = epoch + 1 == config.epochs;
    std::string validation_text;
    if (!validation.empty() && (last || (config.validate_every > 0 && (epoch + 1) % config.validate_every == 0))) {
      state.validation_top1 = top1_accuracy(net, images, validation, config.normalization);
      validation_text = " val_top1 " + std::to_string(state.validation_top1);
    }
    if (last && config.recalibrate_batchnorm)
      state.validation_top1 = recalibrate_batchnorm_if_better(net, images, data, image_index, validation,
                                                              state.validation_top1, config.normalization,
                                                              config.batch_size, name);
    const double epoch_seconds = std::chrono::duration<double>(Clock::now() - epoch_start).count();
    state.seconds += epoch_seconds;
    state.epochs_done = epoch + 1;
    state.finished = last;
    save_epoch(files, net, optimizer, state);
    std::fprintf(stderr, "[%s] epoch %d/%d done in %s: loss %.4f acc %.4f%s | ETA %s\n", name.c_str(), epoch + 1,
                 config.epochs, format_duration(epoch_seconds).c_str(), loss_sum.item<double>() / seen,
                 static_cast<double>(correct.item<int64_t>()) / seen, validation_text.c_str(),
                 format_duration(epoch_seconds * (config.epochs - epoch - 1)).c_str());
  }
  return {state.seconds, state.examples, state.epochs, state.validation_top1};
}

}  // namespace leafcheck::train
