// Does the engine, loading the exported file, compute what LibTorch computes?
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "image_cache.h"
#include "normalization.h"
#include "seed_net.h"

namespace leafcheck::train {

struct ParityResult {
  size_t images = 0;
  double max_abs_diff = 0;  // over every class probability of every image
};

// Loads model_bytes in the engine (Classifier, optimised kernels) and compares its probabilities
// with the LibTorch network in eval mode on the same cached pixels.
ParityResult check_parity(SeedNet& net, std::span<const uint8_t> model_bytes, const ImageSet& images,
                          const std::vector<int64_t>& indices, const Normalization& norm);

}  // namespace leafcheck::train
