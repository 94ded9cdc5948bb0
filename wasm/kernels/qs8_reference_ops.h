// Plain scalar int8 kernels: the ground truth the qs8 kernels (qs8_ops.h) are tested against, and
// what Network's KernelSet::Reference runs for an int8 model. Written for clarity, not speed.
// Activations are NHWC int8 values (-127..127) held in int16; weights keep the model file's layout
// (OIHW / [out][in] int8 with one scale per output). Rounding and clamping: qs8_params.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "reference_ops.h"

namespace leafcheck::qs8_reference_ops {

using reference_ops::ImageShape;

// The int8 weights of one conv3x3 or linear layer with what requantizes its int32 sums.
struct QuantizedWeights {
  std::span<const int8_t> weight;  // [out][in][3][3] or [out][in]
  std::span<const float> scales;   // [out]
  std::span<const float> bias;     // [out], in real (float) units
  float input_scale = 1.0f;        // of the activation the layer reads
};

// q = round(x / scale) clamped to -127..127.
void quantize(std::span<const float> input, float scale, std::span<int16_t> output);

// 3x3, stride 1, zero padding 1, then ReLU when relu. output: [in.height][in.width][out] quantized
// with out_scale (the next int8 layer's input scale), or dequantized floats.
void conv3x3(std::span<const int16_t> input, ImageShape in, const QuantizedWeights& w, bool relu, float out_scale,
             std::span<int16_t> output);
void conv3x3(std::span<const int16_t> input, ImageShape in, const QuantizedWeights& w, bool relu,
             std::span<float> output);

// 2x2 max pool, stride 2, floor on odd sizes (the scale is unchanged).
void maxpool2x2(std::span<const int16_t> input, ImageShape in, std::span<int16_t> output);

void relu(std::span<int16_t> data);

// y = W x + b (dequantized floats), then ReLU when relu.
void linear(std::span<const int16_t> input, const QuantizedWeights& w, bool relu, std::span<float> output);

}  // namespace leafcheck::qs8_reference_ops
