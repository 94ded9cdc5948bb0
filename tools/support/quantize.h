// Post-training int8 quantization (model/FORMAT.md, version 2): per-output-channel symmetric int8
// weights, and one input scale per conv3x3/linear layer calibrated on training images.
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>
#include <vector>

#include "model.h"

namespace leafcheck {

// The training-split photos of what the model was trained on, in a fixed order. `root` is either a
// data folder like ../shared/data (its plantvillage/<class>/ photos, then background_without_leaves/,
// then the field crops of plantdoc_field/<class>/ from training photos, each folder that exists) or a
// PlantVillage-layout folder alone. Throws std::runtime_error when there is none.
std::vector<std::filesystem::path> calibration_photos(const std::filesystem::path& root);

// Normalised NHWC inputs for `spec`: `count` of calibration_photos(root), spread evenly over the list
// (deterministic, so each folder gives about its share of the training photos).
std::vector<std::vector<float>> calibration_inputs(const ModelSpec& spec, const std::filesystem::path& root,
                                                   size_t count);

// Per layer: for a conv3x3 or linear, the largest |value| of each of its input channels (NHWC: the
// last dimension) that the f32 network feeds it over `inputs`; empty for the other layers.
std::vector<std::vector<float>> input_channel_ranges(const ModelSpec& spec, std::span<const std::vector<float>> inputs);

// Cross-layer equalization (Nagel et al., "Data-Free Quantization", 2019, with SmoothQuant's alpha):
// between a conv3x3/linear and the next one, with only ReLU, max-pool and global average pool between
// (each commutes with a positive per-channel scale), channel c of the first one's output is divided by
// s_c = range_c^alpha / w_c^(1 - alpha) and the second one's weights of input c are multiplied by it.
// range_c: ranges[consumer][c] (input_channel_ranges); w_c: the consumer's largest |weight| of input c
// relative to the largest of its output row. The f32 model computes the same function (up to float
// rounding), but one per-tensor activation scale then fits all channels: alpha 1 gives every channel the
// range 1, alpha 0 spreads the weights instead. Layers it scales become f32.
ModelSpec equalize_channels(const ModelSpec& spec, std::span<const std::vector<float>> ranges, float alpha);
inline constexpr float kEqualizationAlpha = 0.5f;

// An int8 copy of an f32/f16 model: channels equalized (kEqualizationAlpha), then weights with
// scale = max |w| of the output channel / 127, and each layer's input scale the largest |value| the
// equalized f32 network feeds that layer over the calibration inputs, / 127 (no clipping). Throws
// ModelError on an int8 source or an empty calibration set.
ModelSpec quantize_model(const ModelSpec& spec, std::span<const std::vector<float>> calibration);

}  // namespace leafcheck
