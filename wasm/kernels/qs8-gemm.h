// qs8-gemm: the int8 Winograd products, the int8 twin of f32-gemm.h. C[rows x NR] = A B in MR x NR
// register tiles: A's rows 2 x pairs contiguous int16 each (a_stride apart), B packed in the "c2"
// layout of qs8-igemm-minmax.h (per pair p, the NR pairs (b[2p][n], b[2p + 1][n])), C int32 (c_stride
// apart), stored whole (its rows are padded to a multiple of NR). No requantization: the output
// transform combines 16 of these products first, in int32, where they are exact.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "qs8-gemm-kloop.h"
#include "qs8_vec.h"

namespace leafcheck::kernels {

// All `rows` rows of C in one call (MR at a time; the last group repeats the last row), so the caller
// pays for the call and the setup once per (transform point, NR block) rather than per MR rows.
template <size_t MR, size_t NV>
inline void qs8_gemm(size_t rows, size_t pairs, const int16_t* a, size_t a_stride, const int16_t* w, int32_t* c,
                     size_t c_stride) {
  using qs8::vi;
  constexpr size_t L = qs8::kLanes;

  for (size_t r0 = 0; r0 < rows; r0 += MR) {
    const int16_t* ap[MR];
    int32_t* cp[MR];
    vi acc[MR][NV];
#pragma GCC unroll 8
    for (size_t i = 0; i < MR; ++i) {
      const size_t r = std::min(r0 + i, rows - 1);
      ap[i] = a + r * a_stride;
      cp[i] = c + r * c_stride;
#pragma GCC unroll 8
      for (size_t j = 0; j < NV; ++j) acc[i][j] = qs8::zero();
    }
    qs8_gemm_kloop(pairs, ap, w, acc);
#pragma GCC unroll 8
    for (size_t i = 0; i < MR; ++i) {
#pragma GCC unroll 8
      for (size_t j = 0; j < NV; ++j) std::memcpy(cp[i] + j * L, &acc[i][j], sizeof acc[i][j]);
    }
  }
}

}  // namespace leafcheck::kernels
