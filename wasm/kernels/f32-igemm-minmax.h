// f32-igemm-minmax: the 3x3 convolution microkernel, XNNPACK's IGEMM idea specialised to a
// zero-padded NHWC input. It computes an MR x NR tile of the output (MR pixels, NR = NV vectors
// of output channels) as a GEMM over K = 9 taps x cin. Instead of an indirection buffer of
// MR x 9 pointers it takes MR pointers (the pixel under tap (0, 0)) and the row stride: with a
// one-pixel zero border every pixel has all 9 taps in memory, and in NHWC the three taps of one
// kernel row are 3 x cin contiguous floats, so K is 3 contiguous runs of kc = 3 x cin.
//
// Per k step: NV vector loads of packed weights, MR broadcasts of one input value, MR x NV
// multiply-adds into accumulators that stay in registers. The clamp (ReLU = min 0) is fused into
// the store. Tile shapes per target are chosen in optimized_ops.cpp (6x16 on AVX2, 2x16 on
// SIMD128, 2x4 scalar); kKc != 0 fixes the run length at compile time for the RGB first layer.
#pragma once

#include <cstddef>

#include "f32-gemm-kloop.h"
#include "vec.h"

namespace leafcheck::kernels {

// Packed weights for one NR-wide block of output channels: NR biases, then for each tap (ky, kx)
// and input channel c the NR weights w[n][c][ky][kx], output channels past the end zero-filled.
template <size_t MR, size_t NV, size_t kKc>
inline void f32_igemm_minmax(size_t kc, const float* const* a, ptrdiff_t row_stride, const float* w, float* const* c,
                             size_t nc, simd::vf vmin, simd::vf vmax) {
  using simd::vf;
  constexpr size_t L = simd::kLanes;
  constexpr size_t NR = NV * L;
  if constexpr (kKc != 0) kc = kKc;

  vf acc[MR][NV];
#pragma GCC unroll 8
  for (size_t j = 0; j < NV; ++j) acc[0][j] = simd::load(w + j * L);
#pragma GCC unroll 8
  for (size_t i = 1; i < MR; ++i) {
#pragma GCC unroll 8
    for (size_t j = 0; j < NV; ++j) acc[i][j] = acc[0][j];
  }
  w += NR;

  for (size_t ky = 0; ky < 3; ++ky) {
    const float* ap[MR];
#pragma GCC unroll 8
    for (size_t i = 0; i < MR; ++i) ap[i] = a[i] + static_cast<ptrdiff_t>(ky) * row_stride;
    w = f32_gemm_kloop(kc, ap, w, acc);
  }

  // Every index into acc is a compile-time constant after unrolling, so acc never leaves registers
  // (a runtime lane-block index would force the whole tile onto the stack).
#pragma GCC unroll 8
  for (size_t i = 0; i < MR; ++i) {
#pragma GCC unroll 8
    for (size_t j = 0; j < NV; ++j) {
      const vf v = simd::clamp(acc[i][j], vmin, vmax);
      if (nc >= (j + 1) * L) {
        simd::store(c[i] + j * L, v);
      } else if (nc > j * L) {
        simd::store_partial(c[i] + j * L, v, nc - j * L);
      }
    }
  }
}

}  // namespace leafcheck::kernels
