// Eval-mode class probabilities (BatchNorm on running statistics, no augmentation).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "image_cache.h"
#include "normalization.h"
#include "seed_net.h"

namespace leafcheck::train {

// Softmax probabilities [indices.size(), classes] on the CPU, computed on the network's device;
// restores the network's train/eval mode after.
torch::Tensor predict_probabilities(SeedNet& net, const ImageSet& images, const std::vector<int64_t>& indices,
                                    const Normalization& norm, int batch_size = 256);

// Fraction of `indices` whose arg-max prediction equals their label.
double top1_accuracy(SeedNet& net, const ImageSet& images, const std::vector<int64_t>& indices,
                     const Normalization& norm);

}  // namespace leafcheck::train
