// qs8-gemm: the int8 Winograd products, the int8 twin of f32-gemm.h. C[MR x NR] = A B, A's MR rows
// given by pointers (2 x pairs contiguous int16 each), B packed in the "c2" layout of
// qs8-igemm-minmax.h (per pair p, the NR pairs (b[2p][n], b[2p + 1][n])), C int32, stored whole (its
// rows are padded to a multiple of NR). No requantization: the output transform combines 16 of these
// products first, in int32, where they are exact.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "qs8_vec.h"

namespace leafcheck::kernels {

template <size_t MR, size_t NV>
inline void qs8_gemm(size_t pairs, const int16_t* const* a, const int16_t* w, int32_t* const* c) {
  using qs8::vi;
  constexpr size_t L = qs8::kLanes;

  vi acc[MR][NV];
#pragma GCC unroll 8
  for (size_t i = 0; i < MR; ++i) {
#pragma GCC unroll 8
    for (size_t j = 0; j < NV; ++j) acc[i][j] = qs8::zero();
  }
  // Not unrolled, like the other microkernels: V8 spills the accumulators when clang hoists loads.
#pragma GCC unroll 1
  for (size_t p = 0; p < pairs; ++p) {
    decltype(qs8::load_weights(w)) wv[NV];
#pragma GCC unroll 8
    for (size_t j = 0; j < NV; ++j) wv[j] = qs8::load_weights(w + j * 2 * L);
    w += NV * 2 * L;
#pragma GCC unroll 8
    for (size_t i = 0; i < MR; ++i) {
      const auto ai = qs8::splat_pair(a[i] + 2 * p);
#pragma GCC unroll 8
      for (size_t j = 0; j < NV; ++j) acc[i][j] = qs8::dot_add(acc[i][j], wv[j], ai);
    }
  }
#pragma GCC unroll 8
  for (size_t i = 0; i < MR; ++i) {
#pragma GCC unroll 8
    for (size_t j = 0; j < NV; ++j) std::memcpy(c[i] + j * L, &acc[i][j], sizeof acc[i][j]);
  }
}

}  // namespace leafcheck::kernels
