// The k loop both f32 GEMM microkernels run (f32-gemm.h, f32-igemm-minmax.h): per k step NV vector
// loads of packed weights, MR broadcasts of one value of A, MR x NV multiply-adds into accumulators
// that stay in registers.
#pragma once

#include <cstddef>

#include "vec.h"

namespace leafcheck::kernels {

// acc[i][j] += sum over k < kc of a[i][k] times weight row k's j-th vector; w holds kc rows of
// NR = NV x kLanes floats. Returns w past the rows read. Always inlined: acc stays in registers only
// when every index into it is a constant in the caller's body.
template <size_t MR, size_t NV>
[[gnu::always_inline]] inline const float* f32_gemm_kloop(size_t kc, const float* const* a, const float* w,
                                                          simd::vf (&acc)[MR][NV]) {
  using simd::vf;
  constexpr size_t L = simd::kLanes;
  constexpr size_t NR = NV * L;
  // Not unrolled: clang then hoists the loads of several k steps, and V8 (which does not
  // reschedule) spills the accumulators; native code is as fast either way.
#pragma GCC unroll 1
  for (size_t k = 0; k < kc; ++k) {
    vf wv[NV];
#pragma GCC unroll 8
    for (size_t j = 0; j < NV; ++j) wv[j] = simd::load(w + j * L);
    w += NR;
#pragma GCC unroll 8
    for (size_t i = 0; i < MR; ++i) {
      const vf ai = simd::splat(a[i][k]);
#pragma GCC unroll 8
      for (size_t j = 0; j < NV; ++j) acc[i][j] += ai * wv[j];
    }
  }
  return w;
}

}  // namespace leafcheck::kernels
