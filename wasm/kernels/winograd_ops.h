// Winograd F(2x2, 3x3) for a 3x3 convolution followed by a 2x2 max pool (Lavin & Gray, 2015). Each
// 2x2 output tile is exactly one pooling window, so the pool is fused into the output transform and
// the full-resolution output never exists. Per tile and channel pair, 16 multiplies replace the
// direct convolution's 36: the products are 16 GEMMs [tiles x in] x [in x out] on transformed inputs
// and weights. Tested against reference conv3x3 then maxpool2x2 (tests/test_kernels.cpp).
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "optimized_ops.h"

namespace leafcheck::optimized_ops {

// The transformed weights U = G g G^T of every (out, in) pair, per transform point xi (16): output
// channels in blocks of the GEMM tile's NR, each block its in_channels rows of NR values (zero past
// the last output channel). bias: out_channels values.
struct PackedWinograd {
  size_t in_channels = 0;
  size_t out_channels = 0;
  std::vector<float> u;
  std::vector<float> bias;
};

// weight: OIHW [out_channels][in_channels][3][3], as in the model file.
PackedWinograd pack_winograd_f2x3(std::span<const float> weight, std::span<const float> bias, size_t out_channels,
                                  size_t in_channels);

size_t conv3x3_winograd_maxpool2x2_scratch_size(size_t height, size_t width, size_t in_channels, size_t out_channels);

// Same contract as conv3x3_maxpool2x2: `in` has a readable one-pixel zero border, `out` is
// (in.height / 2) x (in.width / 2), the clamp (ReLU) applies before the pool.
void conv3x3_winograd_maxpool2x2(const PackedWinograd& weights, const Plane& in, const Plane& out, Clamp clamp,
                                 std::span<float> scratch);

}  // namespace leafcheck::optimized_ops
