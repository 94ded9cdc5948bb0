// f32-igemm-minmax: the 3x3 convolution microkernel, XNNPACK's IGEMM idea specialised to a
// zero-padded NHWC input. It computes an MR x NR tile of the output (MR pixels, NR = NV vectors
// of output channels) as a GEMM over K = 9 taps x cin. Instead of an indirection buffer of
// MR x 9 pointers it takes MR row pointers (the pixel under tap (0,0)) and the 9 tap offsets,
// which are the same for every pixel because the input carries a one-pixel zero border.
//
// Per k step: NV vector loads of packed weights, MR broadcasts of one input value, MR x NV
// multiply-adds into accumulators that stay in registers. The clamp (ReLU = min 0) is fused into
// the store. Tile shapes per target are chosen in optimized_ops.cpp (f32-igemm-6x16 on AVX2,
// 4x8 on SIMD128, 4x4 scalar); kCin != 0 fully unrolls the channel loop for the 3-channel first layer.
#pragma once

#include <cstddef>

#include "vec.h"

namespace leafcheck::kernels {

// Packed weights for one NR-wide block of output channels: NR biases, then for each tap (ky, kx)
// and input channel c the NR weights w[n][c][ky][kx], output channels past the end zero-filled.
template <size_t MR, size_t NV, size_t kCin>
inline void f32_igemm_minmax(size_t cin, const float* const* a, const ptrdiff_t* tap_offsets, const float* w,
                             float* const* c, size_t nc, simd::vf vmin, simd::vf vmax) {
  using simd::vf;
  constexpr size_t L = simd::kLanes;
  constexpr size_t NR = NV * L;
  if constexpr (kCin != 0) cin = kCin;

  vf acc[MR][NV];
#pragma GCC unroll 8
  for (size_t j = 0; j < NV; ++j) acc[0][j] = simd::load(w + j * L);
#pragma GCC unroll 8
  for (size_t i = 1; i < MR; ++i) {
#pragma GCC unroll 8
    for (size_t j = 0; j < NV; ++j) acc[i][j] = acc[0][j];
  }
  w += NR;

  for (size_t t = 0; t < 9; ++t) {
    const float* ap[MR];
#pragma GCC unroll 8
    for (size_t i = 0; i < MR; ++i) ap[i] = a[i] + tap_offsets[t];
#pragma GCC unroll 4
    for (size_t k = 0; k < cin; ++k) {
      vf wv[NV];
#pragma GCC unroll 8
      for (size_t j = 0; j < NV; ++j) wv[j] = simd::load(w + j * L);
      w += NR;
#pragma GCC unroll 8
      for (size_t i = 0; i < MR; ++i) {
        const vf ai = simd::splat(ap[i][k]);
#pragma GCC unroll 8
        for (size_t j = 0; j < NV; ++j) acc[i][j] += ai * wv[j];
      }
    }
  }

#pragma GCC unroll 8
  for (size_t i = 0; i < MR; ++i) {
#pragma GCC unroll 8
    for (size_t j = 0; j < NV; ++j) acc[i][j] = simd::clamp(acc[i][j], vmin, vmax);
  }
  if (nc == NR) {
#pragma GCC unroll 8
    for (size_t i = 0; i < MR; ++i) {
#pragma GCC unroll 8
      for (size_t j = 0; j < NV; ++j) simd::store(c[i] + j * L, acc[i][j]);
    }
    return;
  }
  for (size_t i = 0; i < MR; ++i) {
    size_t left = nc;
    for (size_t j = 0; j < NV && left > 0; ++j) {
      if (left >= L) {
        simd::store(c[i] + j * L, acc[i][j]);
        left -= L;
      } else {
        simd::store_partial(c[i] + j * L, acc[i][j], left);
        left = 0;
      }
    }
  }
}

}  // namespace leafcheck::kernels
