// Plain scalar kernels: the ground truth the optimized kernels are tested against, and the
// KernelSet::Reference path of Network. Written for clarity, not speed. Layout is NHWC throughout
// (a [height][width][channels] array, channels fastest); weights keep the model file's layout.
#pragma once

#include <cstddef>
#include <span>

namespace leafcheck::reference_ops {

struct ImageShape {
  size_t height = 0;
  size_t width = 0;
  size_t channels = 0;

  size_t size() const { return height * width * channels; }
};

// 3x3 convolution, stride 1, zero padding 1, plus bias, then max(0, x) when relu.
// weight: [out_channels][in.channels][3][3] (OIHW); output: [in.height][in.width][out_channels].
void conv3x3(std::span<const float> input, ImageShape in, std::span<const float> weight, std::span<const float> bias,
             size_t out_channels, bool relu, std::span<float> output);

// 2x2 max pool, stride 2; an odd last row or column is dropped (floor). output: [h/2][w/2][c].
void maxpool2x2(std::span<const float> input, ImageShape in, std::span<float> output);

// Mean over all pixels, per channel. output: [channels].
void global_avg_pool(std::span<const float> input, ImageShape in, std::span<float> output);

// y = W x + b, then max(0, y) when relu. weight: [out][in] row-major.
void linear(std::span<const float> input, std::span<const float> weight, std::span<const float> bias, bool relu,
            std::span<float> output);

void relu(std::span<float> data);

// Numerically stable (subtracts the maximum first). output may alias logits.
void softmax(std::span<const float> logits, std::span<float> output);

}  // namespace leafcheck::reference_ops
