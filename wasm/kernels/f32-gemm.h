// f32-gemm: the Winograd products. C[MR x NR] = A[MR x kc] B[kc x NR], A's rows given by pointers
// (kc contiguous floats each), B packed as kc rows of NR floats, C stored whole (its rows are padded
// to a multiple of NR). No bias and no clamp: the output transform adds the bias and clamps after it
// has combined 16 of these products.
#pragma once

#include <cstddef>

#include "f32-gemm-kloop.h"
#include "vec.h"

namespace leafcheck::kernels {

template <size_t MR, size_t NV>
inline void f32_gemm(size_t kc, const float* const* a, const float* w, float* const* c) {
  using simd::vf;
  constexpr size_t L = simd::kLanes;

  vf acc[MR][NV] = {};
  f32_gemm_kloop(kc, a, w, acc);
#pragma GCC unroll 8
  for (size_t i = 0; i < MR; ++i) {
#pragma GCC unroll 8
    for (size_t j = 0; j < NV; ++j) simd::store(c[i] + j * L, acc[i][j]);
  }
}

}  // namespace leafcheck::kernels
