#include "predict.h"

#include <algorithm>

#include "device_images.h"

namespace leafcheck::train {

torch::Tensor predict_probabilities(SeedNet& net, const ImageSet& images, const std::vector<int64_t>& indices,
                                    const Normalization& norm, int batch_size) {
  const bool was_training = net->is_training();
  const torch::Device device = device_of(*net);
  net->eval();
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> parts;
  for (size_t start = 0; start < indices.size(); start += batch_size) {
    const size_t end = std::min(indices.size(), start + batch_size);
    auto index = torch::tensor(std::vector<int64_t>(indices.begin() + start, indices.begin() + end));
    auto input = normalize(to_unit_nchw(images.pixels.index_select(0, index).to(device)), norm);
    parts.push_back(torch::softmax(net->forward(input), 1).cpu());
  }
  net->train(was_training);
  if (parts.empty()) return torch::empty({0, net->classifier()->options.out_features()});
  return torch::cat(parts);
}

double top1_accuracy(SeedNet& net, const ImageSet& images, const std::vector<int64_t>& indices,
                     const Normalization& norm) {
  if (indices.empty()) return 0.0;
  auto predicted = predict_probabilities(net, images, indices, norm).argmax(1);
  auto predicted_a = predicted.accessor<int64_t, 1>();
  size_t correct = 0;
  for (size_t i = 0; i < indices.size(); ++i)
    if (predicted_a[i] == images.labels[indices[i]]) ++correct;
  return static_cast<double>(correct) / indices.size();
}

}  // namespace leafcheck::train
