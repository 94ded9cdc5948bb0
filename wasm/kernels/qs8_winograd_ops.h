// Winograd F(2x2, 3x3) for an int8 3x3 convolution followed by a 2x2 max pool: the int8 twin of
// winograd_ops.h (same bands of tiles, same fused pool). It is exact, not an approximation of the
// direct conv: the input transform B^T d B of int8 values is an integer within +-4 x 127 (int16), and
// 4 G g G^T of int8 weights is an integer within +-9 x 127 (2G has entries 0, +-1, 2), so the 16
// products are int16 x int16 dot products (qs8-gemm.h) summed in int32 and A^T m A is exactly 4 times
// the direct conv's int32 sums; the 1/4 goes into the requantization multiplier (a power of two:
// the float result is bit for bit the direct kernel's). Tested against the scalar conv3x3 then
// maxpool2x2 (tests/test_qs8_kernels.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "optimized_ops.h"
#include "qs8_ops.h"
#include "qs8_reference_ops.h"

namespace leafcheck::qs8_ops {

// Bounds the int32 sums: a product is at most 4 x 127 x 9 x 127 = 580644 in magnitude, a transformed
// product sums in_channels of them and the output transform adds up to 9 transformed products:
// 9 x 410 x 580644 < 2^31. Wider inputs would need the direct kernel.
inline constexpr size_t kWinogradMaxInChannels = 410;

using Qs8GemmUkernel = void (*)(size_t rows, size_t pairs, const int16_t* a, size_t a_stride, const int16_t* w,
                                int32_t* c, size_t c_stride);

// U = 4 G g G^T per transform point xi (16), in the "c2" pair layout of PackedConv3x3: output channels
// in blocks of the GEMM tile's NR; per block and pair p of input channels, the NR pairs
// (U[n][2p], U[n][2p + 1]), zero past the ends. multiplier (with the 1/4) and bias (padded to whole
// blocks) requantize the pooled sums into the output's units.
struct PackedWinograd {
  size_t in_channels = 0;
  size_t out_channels = 0;
  size_t pairs = 0;  // ceil(in_channels / 2)
  std::vector<int16_t> u;
  std::vector<float> multiplier;
  std::vector<float> bias;
  float min = 0.0f;
  float max = 0.0f;
  bool int8_output = false;
  // Called through the pointer for the reason PackedConv3x3 gives: V8 allocates the registers of a
  // small function better than those of the large one binaryen would inline it into.
  Qs8GemmUkernel gemm = nullptr;
};

// out_scale: the next int8 layer's input scale (int8 output), or 0 for a float output. Throws for
// more than kWinogradMaxInChannels input channels.
PackedWinograd pack_winograd_f2x3(const qs8_reference_ops::QuantizedWeights& w, size_t out_channels,
                                  size_t in_channels, bool relu, float out_scale);

// One band's transformed inputs and its 16 products; one per network, grown to its largest layer.
struct WinogradScratch {
  std::vector<int16_t> v;
  std::vector<int32_t> m;

  void fit(size_t height, size_t width, size_t in_channels, size_t out_channels);
};

// Same contract as optimized_ops::conv3x3_winograd_maxpool2x2: `in` has a readable one-pixel zero
// border, `out` is (in.height / 2) x (in.width / 2), the clamp (ReLU) applies before the pool.
void conv3x3_winograd_maxpool2x2(const PackedWinograd& weights, const QPlane& in, const QPlane& out,
                                 WinogradScratch& scratch);
void conv3x3_winograd_maxpool2x2(const PackedWinograd& weights, const QPlane& in, const optimized_ops::Plane& out,
                                 WinogradScratch& scratch);

}  // namespace leafcheck::qs8_ops
