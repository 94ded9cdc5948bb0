// Turning cached uint8 pixels into network input. The mean/std written into the model file
// are these, and the arithmetic mirrors normalize_to_nhwc: (pixel/255 - mean[c]) / stddev[c].
#pragma once

#include <torch/torch.h>

#include <array>

namespace leafcheck::train {

struct Normalization {
  std::array<float, 3> mean = {0.485f, 0.456f, 0.406f};  // ImageNet statistics
  std::array<float, 3> stddev = {0.229f, 0.224f, 0.225f};
};

// uint8 [B, H, W, 3] -> float [B, 3, H, W] in [0, 1], stored channels-last (fastest on CPU here).
torch::Tensor to_unit_nchw(const torch::Tensor& pixels);

// [B, 3, H, W] in [0, 1] -> normalised, same memory format.
torch::Tensor normalize(const torch::Tensor& unit, const Normalization& norm);

}  // namespace leafcheck::train
