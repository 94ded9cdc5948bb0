// Vectorised int8 kernels (integer dot products, qs8_vec.h), each with a scalar twin in
// qs8_reference_ops.h. NHWC; activations are int8 values held in int16 (qs8_params.h says why and
// how they round). Weights are packed once, with the requantization of each output channel.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "optimized_ops.h"
#include "qs8_reference_ops.h"

namespace leafcheck::qs8_ops {

// An int8 activation image inside a larger buffer, like optimized_ops::Plane.
struct QPlane {
  int16_t* data = nullptr;
  size_t height = 0;
  size_t width = 0;
  size_t channels = 0;
  size_t row_stride = 0;

  int16_t* pixel(size_t y, size_t x) const { return data + y * row_stride + x * channels; }
  // Rows [first, first + count), as optimized_ops::Plane::rows: the rows around them stay readable.
  QPlane rows(size_t first, size_t count) const { return {pixel(first, 0), count, width, channels, row_stride}; }
};

// The conv microkernel (kernels/qs8-igemm-minmax.h) for one output type, as XNNPACK holds it: a
// pointer chosen when the weights are packed.
template <typename Out>
using Qs8IgemmUkernel = void (*)(size_t pairs, const int16_t* const* a, ptrdiff_t row_stride, const int16_t* w,
                                 const float* multiplier, const float* bias, Out* const* c, size_t nc, float min,
                                 float max);

// Output channels in blocks of the microkernel's NR: per block, for each kernel row ky and pair p of
// the row's 3 x in reduction values, the NR pairs (w[n][2p], w[n][2p + 1]); zero past the ends.
// multiplier and bias (padded to whole blocks) turn the int32 sums into the output's units.
struct PackedConv3x3 {
  size_t in_channels = 0;
  size_t out_channels = 0;
  size_t pairs = 0;  // per kernel row: ceil(3 x in / 2)
  std::vector<int16_t> weights;  // int8 values, widened once here rather than on every load
  std::vector<float> multiplier;
  std::vector<float> bias;
  float min = 0.0f;
  float max = 0.0f;
  // Exactly one is set: the output is int8 (the next conv's input units) or float. Called through the
  // pointer, the microkernel stays a function of its own in WebAssembly: binaryen ignores noinline and
  // inlines a function with one caller, and V8 then allocates the accumulators of the large function
  // worse (measured in node, CPU ms per inference of model/leafcheck-int8.lcm at the 2x16 tile:
  // 13.3 inlined, 7.8 through the pointer).
  Qs8IgemmUkernel<int16_t> ukernel_int8 = nullptr;
  Qs8IgemmUkernel<float> ukernel_float = nullptr;
};

// out_scale: the next int8 layer's input scale (int8 output), or 0 for a float output.
PackedConv3x3 pack_conv3x3(const qs8_reference_ops::QuantizedWeights& w, size_t out_channels, size_t in_channels,
                           bool relu, float out_scale);

// 3x3, stride 1, zero padding 1. `in` needs a one-pixel zero border and one readable int16 after its
// buffer's last pixel (a run of odd length reads one value past itself, times a zero weight).
void conv3x3(const PackedConv3x3& weights, const QPlane& in, const QPlane& out);
void conv3x3(const PackedConv3x3& weights, const QPlane& in, const optimized_ops::Plane& out);

// Contiguous NHWC floats (in.height x in.width x in.channels of them) into the plane, quantized.
void quantize(std::span<const float> input, float scale, const QPlane& out);
void quantize_values(std::span<const float> input, float scale, std::span<int16_t> out);

void maxpool2x2(const QPlane& in, const QPlane& out);

void relu(std::span<int16_t> data);

// Outputs in blocks of NB: per block, for each pair p of inputs, the NB pairs (w[n][2p], w[n][2p + 1]).
struct PackedLinear {
  size_t in_features = 0;
  size_t out_features = 0;
  std::vector<int16_t> weights;  // int8 values, widened as in PackedConv3x3
  std::vector<float> multiplier;
  std::vector<float> bias;
  float min = 0.0f;
  float max = 0.0f;
};

PackedLinear pack_linear(const qs8_reference_ops::QuantizedWeights& w, size_t out_features, size_t in_features,
                         bool relu);

// in: the quantized inputs, padded with a zero to an even count (linear_input_size).
size_t linear_input_size(size_t in_features);
void linear(const PackedLinear& weights, std::span<const int16_t> in, std::span<float> out);

}  // namespace leafcheck::qs8_ops
