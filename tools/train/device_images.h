// The decoded dataset where training runs: a copy of the uint8 pixels on the training device (the
// GPU holds the whole set: ~0.9 GB for 19k images), which images are lab leaves, and the photos that
// augmentation pastes behind lab leaves.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "image_cache.h"

namespace leafcheck::train {

struct DeviceImages {
  torch::Device device = torch::kCPU;
  torch::Tensor pixels;       // uint8 [N, H, W, 3], a copy of ImageSet::pixels on `device`
  torch::Tensor lab_leaf;     // bool [N]: a lab photo of a leaf (plain background)
  torch::Tensor backgrounds;  // float [K, 3, H, W] in [0, 1]: not-a-leaf training photos, and field
                              // training crops blurred (foliage out of focus); empty when there are none

  // float [B, 3, H, W] in [0, 1] of the given images, and their lab_leaf flags.
  torch::Tensor unit_batch(const torch::Tensor& index) const;
};

DeviceImages to_device(const ImageSet& images, torch::Device device);

// "cpu", "cuda" or "auto" (CUDA when LibTorch sees a GPU). Throws with a clear message when CUDA is
// asked for and not there.
torch::Device parse_device(const std::string& name);

// The device a network's parameters live on.
torch::Device device_of(const torch::nn::Module& module);

}  // namespace leafcheck::train
