#include "bn_recalibration.h"

#include <algorithm>
#include <cstdio>

#include "predict.h"

namespace leafcheck::train {

double recalibrate_batchnorm_if_better(SeedNet& net, const ImageSet& images, const DeviceImages& data,
                                       const std::vector<int64_t>& train_images,
                                       const std::vector<int64_t>& validation, double validation_top1,
                                       const Normalization& norm, int batch_size, const std::string& name) {
  if (train_images.empty() || validation.empty() || batch_size < 1) return validation_top1;
  std::vector<torch::nn::BatchNorm2d> norms = net->norms();
  std::vector<torch::Tensor> trained;
  for (auto& bn : norms)
    for (const auto& t : {bn->running_mean, bn->running_var, bn->num_batches_tracked}) trained.push_back(t.clone());

  const bool was_training = net->is_training();
  {
    torch::NoGradGuard no_grad;
    net->train();
    std::vector<c10::optional<double>> momentum;
    for (auto& bn : norms) {
      momentum.push_back(bn->options.momentum());
      bn->reset_running_stats();
      bn->options.momentum(c10::nullopt);  // a cumulative average over the batches, not an exponential one
    }
    for (size_t start = 0; start < train_images.size(); start += batch_size) {
      const size_t end = std::min(train_images.size(), start + static_cast<size_t>(batch_size));
      const auto index =
          torch::tensor(std::vector<int64_t>(train_images.begin() + start, train_images.begin() + end)).to(data.device);
      net->forward(normalize(data.unit_batch(index), norm));
    }
    for (size_t i = 0; i < norms.size(); ++i) norms[i]->options.momentum(momentum[i]);
  }
  net->train(was_training);

  const double recalibrated = top1_accuracy(net, images, validation, norm);
  const bool keep = recalibrated > validation_top1;
  if (!keep) {
    torch::NoGradGuard no_grad;
    size_t i = 0;
    for (auto& bn : norms)
      for (auto& t : {bn->running_mean, bn->running_var, bn->num_batches_tracked}) t.copy_(trained[i++]);
  }
  std::fprintf(stderr,
               "[%s] BatchNorm statistics from %zu un-augmented training images: validation top-1 %.2f%% -> %.2f%% "
               "(%s)\n",
               name.c_str(), train_images.size(), 100 * validation_top1, 100 * recalibrated,
               keep ? "kept" : "trained statistics restored");
  return keep ? recalibrated : validation_top1;
}

}  // namespace leafcheck::train
