// Augmentation suited to leaf photos: a leaf has no canonical orientation (flips, 90° turns),
// is photographed at varying distance (small crops rescaled back) and in varying light (colour jitter).
#pragma once

#include <torch/torch.h>

#include <random>

namespace leafcheck::train {

struct AugmentConfig {
  bool flips = true;
  bool rotate90 = true;
  float min_crop_area = 0.8f;  // random crop covering [min_crop_area, 1] of the image, resized back
  float max_aspect_change = 0.1f;
  float brightness = 0.2f;  // factors drawn from [1 - x, 1 + x]
  float contrast = 0.2f;
  float saturation = 0.2f;
};

// batch: [B, 3, H, W] in [0, 1]. Returns an augmented copy of the same shape, values kept in [0, 1].
torch::Tensor augment_batch(const torch::Tensor& batch, const AugmentConfig& config, std::mt19937_64& rng);

}  // namespace leafcheck::train
