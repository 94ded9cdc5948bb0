// A model file's accuracy as the engine computes it: the figures `leafcheck-cli --labels-from-folders
// --split test` prints for that file, measured here on the same cached pixels.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "image_cache.h"

namespace leafcheck::train {

struct EngineAccuracy {
  size_t images = 0;
  size_t top1_correct = 0;
  size_t top3_correct = 0;

  double top1() const { return images ? static_cast<double>(top1_correct) / images : 0.0; }
  double top3() const { return images ? static_cast<double>(top3_correct) / images : 0.0; }
};

// `indices` must have true labels.
EngineAccuracy engine_accuracy(std::span<const uint8_t> model_bytes, const ImageSet& images,
                               const std::vector<int64_t>& indices);

}  // namespace leafcheck::train
