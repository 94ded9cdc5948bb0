// Post-training int8 quantization (model/FORMAT.md, version 2): per-output-channel symmetric int8
// weights, and one input scale per conv3x3/linear layer calibrated on training images.
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>
#include <vector>

#include "model.h"

namespace leafcheck {

// Normalised NHWC inputs for `spec`: `count` training-split images of the PlantVillage-layout
// folder `root`, spread evenly over its sorted list (deterministic). Throws std::runtime_error
// when the folder has no training images.
std::vector<std::vector<float>> calibration_inputs(const ModelSpec& spec, const std::filesystem::path& root,
                                                   size_t count);

// An int8 copy of an f32/f16 model. Weights: scale = max |w| of the output channel / 127. Each
// layer's input scale: the largest |value| the f32 network feeds that layer over the calibration
// inputs, / 127 (no clipping: on the shipped model this already keeps >99% top-1 agreement with
// f32, tests/test_qs8_network.cpp). Throws ModelError on an int8 source or an empty calibration set.
ModelSpec quantize_model(const ModelSpec& spec, std::span<const std::vector<float>> calibration);

}  // namespace leafcheck
