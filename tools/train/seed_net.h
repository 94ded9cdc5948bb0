// The seed architecture in LibTorch: blocks of Conv3x3(pad 1)-BatchNorm-ReLU-MaxPool2x2,
// global average pool, Linear(C, hidden), ReLU, Linear(hidden, classes).
#pragma once

#include <torch/torch.h>

#include <vector>

#include "random_model.h"

namespace leafcheck::train {

class SeedNetImpl : public torch::nn::Module {
 public:
  SeedNetImpl(int classes, const Architecture& arch = {});

  // Normalised [B, 3, H, W] -> logits [B, classes].
  torch::Tensor forward(torch::Tensor x);

  // The same modules the forward pass uses, exposed for BatchNorm folding at export.
  const std::vector<torch::nn::Conv2d>& convs() const { return convs_; }
  const std::vector<torch::nn::BatchNorm2d>& norms() const { return norms_; }
  const torch::nn::Linear& hidden() const { return hidden_; }
  const torch::nn::Linear& classifier() const { return classifier_; }
  const Architecture& architecture() const { return arch_; }

 private:
  Architecture arch_;
  // One flat Sequential: LibTorch cannot nest a Sequential inside another.
  torch::nn::Sequential features_;
  std::vector<torch::nn::Conv2d> convs_;
  std::vector<torch::nn::BatchNorm2d> norms_;
  torch::nn::Linear hidden_{nullptr};
  torch::nn::Linear classifier_{nullptr};
};
TORCH_MODULE(SeedNet);

}  // namespace leafcheck::train
