// The engine's own predictions from a model file, on the cached pixels training uses: what the app
// and leafcheck-cli compute for that file.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <span>
#include <vector>

#include "image_cache.h"

namespace leafcheck::train {

// Class probabilities [indices.size(), classes], column = class index, from the engine (Classifier,
// optimised kernels) loading model_bytes.
torch::Tensor engine_probabilities(std::span<const uint8_t> model_bytes, const ImageSet& images,
                                   const std::vector<int64_t>& indices);

}  // namespace leafcheck::train
