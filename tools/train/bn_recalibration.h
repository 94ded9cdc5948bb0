// BatchNorm statistics that match what the app feeds the network. Training sees augmented images
// (pasted backgrounds, colour casts, blur, JPEG), so the running means and variances it leaves
// describe those, while the app and the test split give plain photos. Recomputing the statistics
// from the training images as they are is cheap (one pass, no gradients); the validation split
// decides whether they replace the trained ones.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "device_images.h"
#include "image_cache.h"
#include "normalization.h"
#include "seed_net.h"

namespace leafcheck::train {

// Recomputes every BatchNorm's running mean and variance as the plain average over `train_images`
// (un-augmented, in batches of `batch_size`), keeps them when validation top-1 improves on
// `validation_top1` (the trained statistics' figure), restores the trained ones otherwise, and logs
// both figures under `name`. Returns the validation top-1 of the statistics kept.
double recalibrate_batchnorm_if_better(SeedNet& net, const ImageSet& images, const DeviceImages& data,
                                       const std::vector<int64_t>& train_images,
                                       const std::vector<int64_t>& validation, double validation_top1,
                                       const Normalization& norm, int batch_size, const std::string& name);

}  // namespace leafcheck::train
