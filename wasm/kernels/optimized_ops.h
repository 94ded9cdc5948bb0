// Vectorised kernels (see vec.h for the targets), each with a scalar twin in reference_ops.h.
// Layout is NHWC. Weights are packed once (pack_*) into the order the microkernels stream them;
// activations are Planes: NHWC images that may sit inside a larger buffer with a zero border.
#pragma once

#include <cstddef>
#include <limits>
#include <span>
#include <vector>

namespace leafcheck::optimized_ops {

// Pixel (y, x) of an NHWC image starts at data + y * row_stride + x * channels. A Plane inside a
// buffer with a one-pixel zero border is what conv3x3 reads: no bounds checks in the inner loop.
struct Plane {
  float* data = nullptr;
  size_t height = 0;
  size_t width = 0;
  size_t channels = 0;
  size_t row_stride = 0;

  float* pixel(size_t y, size_t x) const { return data + y * row_stride + x * channels; }
  // Rows [first, first + count) as a plane of their own. Its neighbouring rows (or the border) are
  // still there to read, so a conv of the slice computes exactly those rows of the whole conv.
  Plane rows(size_t first, size_t count) const { return {pixel(first, 0), count, width, channels, row_stride}; }
};

// Output clamp fused into the kernels that produce values: ReLU is {0, +inf}.
struct Clamp {
  float min = -std::numeric_limits<float>::infinity();
  float max = std::numeric_limits<float>::infinity();

  static Clamp relu_if(bool relu) { return relu ? Clamp{0.0f} : Clamp{}; }
};

// Output channels in blocks of the microkernel's NR: per block NR biases,
// then for each tap (ky, kx) and input channel the NR weights; the last block is zero-filled.
struct PackedConv3x3 {
  size_t in_channels = 0;
  size_t out_channels = 0;
  std::vector<float> data;
};

// weight: OIHW [out_channels][in_channels][3][3], as in the model file.
PackedConv3x3 pack_conv3x3(std::span<const float> weight, std::span<const float> bias, size_t out_channels,
                           size_t in_channels);

// 3x3, stride 1, zero padding 1. `in` must have a readable one-pixel zero border around it;
// `out` has the same height and width, out.channels == weights.out_channels.
void conv3x3(const PackedConv3x3& weights, const Plane& in, const Plane& out, Clamp clamp);

// conv3x3 then maxpool2x2 without writing the full-resolution output: a band of rows at a time
// goes through `scratch` (conv3x3_maxpool2x2_scratch_size floats) while it is still in cache.
// `out` is (in.height / 2) x (in.width / 2).
size_t conv3x3_maxpool2x2_scratch_size(size_t height, size_t width, size_t out_channels);
void conv3x3_maxpool2x2(const PackedConv3x3& weights, const Plane& in, const Plane& out, Clamp clamp,
                        std::span<float> scratch);

// 2x2, stride 2, floor on odd sizes. out is (in.height / 2) x (in.width / 2), same channels.
void maxpool2x2(const Plane& in, const Plane& out);

// out: in.channels floats.
void global_avg_pool(const Plane& in, std::span<float> out);

// Outputs in blocks of NB (4 vectors): per block its biases, then for each input the
// block's weights (a transposed [in][block] slice), so the GEMV broadcasts one input at a time.
struct PackedLinear {
  size_t in_features = 0;
  size_t out_features = 0;
  std::vector<float> data;
};

// weight: [out_features][in_features] row-major, as in the model file.
PackedLinear pack_linear(std::span<const float> weight, std::span<const float> bias, size_t out_features,
                         size_t in_features);
void linear(const PackedLinear& weights, std::span<const float> in, std::span<float> out, Clamp clamp);

void relu(std::span<float> data);

}  // namespace leafcheck::optimized_ops
