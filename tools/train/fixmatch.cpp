#include "fixmatch.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "bn_recalibration.h"
#include "checkpoint.h"
#include "predict.h"

namespace leafcheck::train {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr const char* kEpochsHeader = "epoch,unlabelled_seen,above_threshold,above_with_truth,above_correct,validation_top1";

void append_epoch(const fs::path& file, const FixMatchEpoch& e) {
  const bool fresh = !fs::exists(file);
  std::ofstream out(file, std::ios::app);
  if (fresh) out << kEpochsHeader << '\n';
  out << e.epoch << ',' << e.unlabelled_seen << ',' << e.above_threshold << ',' << e.above_with_truth << ','
      << e.above_correct << ',' << e.validation_top1 << '\n';
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

// The first `count` epochs of the table (a crash between the table and the checkpoint may leave one more).
std::vector<FixMatchEpoch> read_epochs(const fs::path& file, int count) {
  std::vector<FixMatchEpoch> epochs;
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  while (static_cast<int>(epochs.size()) < count && std::getline(in, line)) {
    std::istringstream fields(line);
    FixMatchEpoch e;
    char comma;
    fields >> e.epoch >> comma >> e.unlabelled_seen >> comma >> e.above_threshold >> comma >> e.above_with_truth >>
        comma >> e.above_correct >> comma >> e.validation_top1;
    if (!fields) throw std::runtime_error(file.string() + ": unreadable line '" + line + "'; delete " +
                                          file.parent_path().string() + " to redo this arm");
    epochs.push_back(e);
  }
  if (static_cast<int>(epochs.size()) != count)
    throw std::runtime_error(file.string() + " lists fewer epochs than the checkpoint; delete " +
                             file.parent_path().string() + " to redo this arm");
  // Rewrite without any line past the checkpoint, so appending continues cleanly.
  fs::remove(file);
  for (const FixMatchEpoch& e : epochs) append_epoch(file, e);
  return epochs;
}

}  // namespace

FixMatchSummary run_fixmatch(SeedNet& net, const ImageSet& images, const DeviceImages& data,
                             const std::vector<Example>& labelled, const std::vector<int64_t>& pool,
                             const std::vector<int64_t>& validation, const FixMatchConfig& config,
                             const fs::path& dir, const std::string& name) {
  if (labelled.empty() || pool.empty()) throw std::invalid_argument(name + ": needs labelled and unlabelled images");
  if (config.unlabelled_ratio < 1 || config.epochs < 1) throw std::invalid_argument(name + ": ratio and epochs >= 1");
  fs::create_directories(dir);
  const CheckpointFiles files(dir);
  const fs::path epochs_file = dir / "epochs.csv";
  const TrainConfig& lc = config.labelled;
  net->to(data.device);
  torch::optim::Adam optimizer(net->parameters(), torch::optim::AdamOptions(lc.learning_rate).weight_decay(lc.weight_decay));

  FixMatchSummary summary;
  RunState fresh;
  fresh.epochs = config.epochs;
  fresh.examples = pool.size();
  RunState state = resume(files, net, optimizer, fresh, data.device, name);
  if (state.epochs_done > 0) summary.epochs = read_epochs(epochs_file, state.epochs_done);
  summary.seconds = state.seconds;
  summary.validation_top1 = state.validation_top1;
  if (state.finished) return summary;

  std::vector<int64_t> labelled_index, labelled_label, pool_truth;
  for (const Example& e : labelled) {
    labelled_index.push_back(e.index);
    labelled_label.push_back(e.label);
  }
  for (int64_t i : pool) pool_truth.push_back(images.labels[i]);
  const auto labelled_index_t = torch::tensor(labelled_index), labelled_label_t = torch::tensor(labelled_label);
  const auto pool_t = torch::tensor(pool), pool_truth_t = torch::tensor(pool_truth);
  const auto weights = sampling_weights(images, labelled, lc.sampling);
  const int64_t batch = lc.batch_size, unlabelled_batch = batch * config.unlabelled_ratio;
  const int64_t steps_per_epoch = (static_cast<int64_t>(pool.size()) + unlabelled_batch - 1) / unlabelled_batch;
  const int64_t total_steps = steps_per_epoch * config.epochs;
  namespace F = torch::nn::functional;
  ProgressThrottle progress(lc.log_every);
  net->train();
  for (int epoch = state.epochs_done; epoch < config.epochs; ++epoch) {
    const auto epoch_start = Clock::now();
    torch::manual_seed(lc.seed * 1000003 + static_cast<uint64_t>(epoch));
    const auto unlabelled_order = torch::randperm(static_cast<int64_t>(pool.size()), torch::kLong);
    auto labelled_order = draw_epoch(weights);
    while (labelled_order.size(0) < steps_per_epoch * batch) labelled_order = torch::cat({labelled_order, draw_epoch(weights)});
    const auto device_long = torch::TensorOptions(data.device).dtype(torch::kLong);
    auto loss_sum = torch::zeros({}, torch::TensorOptions(data.device));
    auto above = torch::zeros({}, device_long), with_truth = torch::zeros({}, device_long),
         right = torch::zeros({}, device_long);
    FixMatchEpoch record;
    record.epoch = epoch + 1;
    for (int64_t s = 0; s < steps_per_epoch; ++s) {
      const auto pick_l = labelled_order.slice(0, s * batch, (s + 1) * batch);
      const auto index_l = labelled_index_t.index_select(0, pick_l).to(data.device);
      const auto target_l = labelled_label_t.index_select(0, pick_l).to(data.device);
      const auto pick_u = unlabelled_order.slice(0, s * unlabelled_batch,
                                                 std::min<int64_t>(pool.size(), (s + 1) * unlabelled_batch));
      const auto index_u = pool_t.index_select(0, pick_u).to(data.device);
      const auto truth_u = pool_truth_t.index_select(0, pick_u).to(data.device);
      const auto unit_u = data.unit_batch(index_u);
      const auto lab_u = data.lab_leaf.index_select(0, index_u);
      const auto x_l = augment_batch(data.unit_batch(index_l), lc.augment, data.lab_leaf.index_select(0, index_l),
                                     data.backgrounds);
      const auto x_w = augment_batch(unit_u, config.weak, lab_u, data.backgrounds);
      const auto x_s = augment_batch(unit_u, config.strong, lab_u, data.backgrounds);
      const int64_t n_l = x_l.size(0), n_u = x_w.size(0);

      const int64_t step = epoch * steps_per_epoch + s;
      set_learning_rate(optimizer, learning_rate_at(lc.learning_rate, lc.warmup_steps, step, total_steps));
      optimizer.zero_grad();
      // One forward pass over all three parts: BatchNorm sees labelled and unlabelled statistics together.
      const auto logits = net->forward(normalize(torch::cat({x_l, x_w, x_s}), lc.normalization));
      const auto logits_l = logits.slice(0, 0, n_l), logits_w = logits.slice(0, n_l, n_l + n_u),
                 logits_s = logits.slice(0, n_l + n_u, n_l + 2 * n_u);
      const auto [confidence, pseudo] = torch::softmax(logits_w.detach(), 1).max(1);
      const auto mask = confidence >= config.threshold;
      const auto loss_l = F::cross_entropy(logits_l, target_l,
                                           F::CrossEntropyFuncOptions().label_smoothing(lc.label_smoothing));
      const auto loss_u = (F::cross_entropy(logits_s, pseudo, F::CrossEntropyFuncOptions().reduction(torch::kNone)) *
                           mask.to(logits_s.dtype()))
                              .mean();
      const auto loss = loss_l + config.unlabelled_weight * loss_u;
      loss.backward();
      optimizer.step();

      const auto known = truth_u.ne(kUnknownLabel);
      loss_sum += loss.detach();
      above += mask.sum();
      with_truth += (mask & known).sum();
      right += (mask & known & pseudo.eq(truth_u)).sum();
      record.unlabelled_seen += static_cast<size_t>(n_u);
      if (progress.due(s, steps_per_epoch)) {
        const double elapsed = std::chrono::duration<double>(Clock::now() - epoch_start).count();
        const int64_t known_above = with_truth.item<int64_t>();
        std::fprintf(stderr,
                     "[%s] epoch %d/%d step %lld/%lld loss %.4f | above %.2f: %.1f%% of unlabelled, %.2f%% right | "
                     "ETA %s\n",
                     name.c_str(), epoch + 1, config.epochs, static_cast<long long>(s + 1),
                     static_cast<long long>(steps_per_epoch), loss_sum.item<double>() / (s + 1), config.threshold,
                     100.0 * above.item<int64_t>() / record.unlabelled_seen,
                     known_above ? 100.0 * right.item<int64_t>() / known_above : 0.0,
                     format_duration(elapsed / (s + 1) *
                                     ((config.epochs - epoch) * steps_per_epoch - s - 1))
                         .c_str());
      }
    }
    record.above_threshold = static_cast<size_t>(above.item<int64_t>());
    record.above_with_truth = static_cast<size_t>(with_truth.item<int64_t>());
    record.above_correct = static_cast<size_t>(right.item<int64_t>());
    const bool last = epoch + 1 == config.epochs;
    if (!validation.empty() && (last || (lc.validate_every > 0 && (epoch + 1) % lc.validate_every == 0)))
      state.validation_top1 = record.validation_top1 = top1_accuracy(net, images, validation, lc.normalization);
    if (last && lc.recalibrate_batchnorm) {
      std::vector<int64_t> train_images = labelled_index;
      train_images.insert(train_images.end(), pool.begin(), pool.end());
      state.validation_top1 = record.validation_top1 =
          recalibrate_batchnorm_if_better(net, images, data, train_images, validation, state.validation_top1,
                                          lc.normalization, static_cast<int>(batch), name);
    }
    state.seconds += std::chrono::duration<double>(Clock::now() - epoch_start).count();
    state.epochs_done = epoch + 1;
    state.finished = last;
    append_epoch(epochs_file, record);
    save_epoch(files, net, optimizer, state);
    summary.epochs.push_back(record);
  }
  summary.seconds = state.seconds;
  summary.validation_top1 = state.validation_top1;
  return summary;
}

}  // namespace leafcheck::train
