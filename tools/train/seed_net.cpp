#include "seed_net.h"

namespace leafcheck::train {

SeedNetImpl::SeedNetImpl(int classes, const Architecture& arch) : arch_(arch) {
  namespace nn = torch::nn;
  int64_t channels = 3;
  for (uint32_t out : arch.conv_channels) {
    // No conv bias: the BatchNorm shift that follows makes it redundant; export folds both.
    convs_.emplace_back(nn::Conv2dOptions(channels, out, 3).padding(1).bias(false));
    norms_.emplace_back(static_cast<int64_t>(out));
    features_->push_back(convs_.back());
    features_->push_back(norms_.back());
    features_->push_back(nn::ReLU());
    features_->push_back(nn::MaxPool2d(2));
    channels = out;
  }
  register_module("features", features_);
  hidden_ = register_module("hidden", nn::Linear(channels, arch.hidden));
  classifier_ = register_module("classifier", nn::Linear(arch.hidden, classes));
}

torch::Tensor SeedNetImpl::forward(torch::Tensor x) {
  x = features_->forward(x).mean({2, 3});
  return classifier_(torch::relu(hidden_(x)));
}

}  // namespace leafcheck::train
