// The pair loop both int8 GEMM microkernels run (qs8-gemm.h, qs8-igemm-minmax.h), the int8 twin of
// f32-gemm-kloop.h: per pair step NV vector loads of packed "c2" weights, MR broadcasts of one pair of
// A, MR x NV dot products into accumulators that stay in registers.
#pragma once

#include <cstddef>
#include <cstdint>

#include "qs8_vec.h"

namespace leafcheck::kernels {

// acc[i][j] += sum over p < pairs of a[i][2p] w[2p][n] + a[i][2p + 1] w[2p + 1][n] for the j-th vector's
// channels n; w holds `pairs` rows of NR = NV x kLanes pairs. Returns w past the rows read. Always
// inlined: acc stays in registers only when every index into it is a constant in the caller's body.
template <size_t MR, size_t NV>
[[gnu::always_inline]] inline const int16_t* qs8_gemm_kloop(size_t pairs, const int16_t* const* a, const int16_t* w,
                                                            qs8::vi (&acc)[MR][NV]) {
  constexpr size_t L = qs8::kLanes;
  // Not unrolled, like f32-gemm-kloop.h: V8 spills the accumulators when clang hoists loads.
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
  return w;
}

}  // namespace leafcheck::kernels
