// Which training examples an epoch draws. PlantVillage's classes range from 9 to 500 photos and field
// crops are a small minority, so an epoch draws with replacement: field crops weigh field_weight
// lab photos, and a class's share grows with (its weight)^(1 - class_balance) instead of linearly
// (0: as in the data, 1: every class equally often).
#pragma once

#include <torch/torch.h>

#include <vector>

#include "image_cache.h"

namespace leafcheck::train {

struct Example {
  int64_t index;  // into the ImageSet
  int label;      // true label or pseudo-label
};

struct SamplingConfig {
  double field_weight = 2.0;
  double class_balance = 0.5;
};

// Probability weights, one per example (float64, CPU), for torch::multinomial.
torch::Tensor sampling_weights(const ImageSet& images, const std::vector<Example>& examples, const SamplingConfig& config);

// One epoch's order: examples.size() draws by those weights (LibTorch's CPU generator).
torch::Tensor draw_epoch(const torch::Tensor& weights);

}  // namespace leafcheck::train
