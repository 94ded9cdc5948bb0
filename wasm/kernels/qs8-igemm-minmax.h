// qs8-igemm-minmax: the int8 3x3 convolution microkernel, the int8 twin of f32-igemm-minmax.h
// (same MR pixel pointers into a zero-bordered NHWC input, same MR x NR tile, same 3 contiguous runs
// of kc = 3 x cin per kernel row). XNNPACK's "c2" layout: the reduction advances two values at a time,
// one pair (k, k+1) of int16 activations broadcast to every 32-bit lane, so that one
// i32x4.dot_i16x8_s / pmaddwd (qs8_vec.h) does 2 multiply-adds per output channel. An odd run reads
// one value past itself; its packed weight is 0, so that value (any int16 the buffer holds) adds 0.
//
// The epilogue requantizes (qs8_params.h): acc * multiplier + bias, clamped, then either rounded to
// int8 units for the next int8 layer or stored as float. Tile shapes come from tile_shapes.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "qs8-gemm-kloop.h"
#include "qs8_vec.h"

namespace leafcheck::kernels {

// Rounds to nearest even: adding 1.5 * 2^23 leaves no fraction bits (|v| <= 127 here).
inline qs8::vf round_to_integer(qs8::vf v) {
  const qs8::vf magic = qs8::vf{} + 12582912.0f;
  return (v + magic) - magic;
}

// w: one NR-wide block, for ky in 0..2 and pair p in 0..pairs-1 the 2 x NR int8 values (held in int16)
// (w[n][2p], w[n][2p + 1]) for n in 0..NR-1. multiplier, bias: the block's NR requantization values.
// Out: int16_t (quantized output) or float.
template <size_t MR, size_t NV, typename Out>
inline void qs8_igemm_minmax(size_t pairs, const int16_t* const* a, ptrdiff_t row_stride, const int16_t* w,
                             const float* multiplier, const float* bias, Out* const* c, size_t nc, float min,
                             float max) {
  using qs8::vf;
  using qs8::vi;
  constexpr size_t L = qs8::kLanes;

  vi acc[MR][NV];
#pragma GCC unroll 8
  for (size_t i = 0; i < MR; ++i) {
#pragma GCC unroll 8
    for (size_t j = 0; j < NV; ++j) acc[i][j] = qs8::zero();
  }

  for (size_t ky = 0; ky < 3; ++ky) {
    const int16_t* ap[MR];
#pragma GCC unroll 8
    for (size_t i = 0; i < MR; ++i) ap[i] = a[i] + static_cast<ptrdiff_t>(ky) * row_stride;
    w = qs8_gemm_kloop(pairs, ap, w, acc);
  }

  const vf vmin = vf{} + min;
  const vf vmax = vf{} + max;
#pragma GCC unroll 8
  for (size_t i = 0; i < MR; ++i) {
#pragma GCC unroll 8
    for (size_t j = 0; j < NV; ++j) {
      vf v = qs8::to_float(acc[i][j]) * qs8::load_f(multiplier + j * L) + qs8::load_f(bias + j * L);
      v = v < vmin ? vmin : v;
      v = v > vmax ? vmax : v;
      if constexpr (std::is_same_v<Out, int16_t>) v = round_to_integer(v);
      qs8::store(c[i] + j * L, v, nc > j * L ? nc - j * L : 0);
    }
  }
}

}  // namespace leafcheck::kernels
