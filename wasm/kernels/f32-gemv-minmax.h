// f32-gemv-minmax: one NB = NV vectors wide block of y = W x + b at batch 1 (the Linear layers).
// Weights are packed per block as NB biases then [in][NB], so each step broadcasts one input and
// multiply-adds it into NV accumulators; the clamp (ReLU) is fused into the store.
#pragma once

#include <cstddef>

#include "vec.h"

namespace leafcheck::kernels {

template <size_t NV>
inline void f32_gemv_minmax(size_t in, const float* x, const float* w, float* y, size_t nc, simd::vf vmin,
                            simd::vf vmax) {
  using simd::vf;
  constexpr size_t L = simd::kLanes;
  constexpr size_t NB = NV * L;
  vf acc[NV];
#pragma GCC unroll 8
  for (size_t j = 0; j < NV; ++j) acc[j] = simd::load(w + j * L);
  w += NB;
  for (size_t k = 0; k < in; ++k) {
    const vf xk = simd::splat(x[k]);
#pragma GCC unroll 8
    for (size_t j = 0; j < NV; ++j) acc[j] += xk * simd::load(w + j * L);
    w += NB;
  }
#pragma GCC unroll 8
  for (size_t j = 0; j < NV; ++j) {
    const vf v = simd::clamp(acc[j], vmin, vmax);
    if (nc >= (j + 1) * L) {
      simd::store(y + j * L, v);
    } else if (nc > j * L) {
      simd::store_partial(y + j * L, v, nc - j * L);
    }
  }
}

}  // namespace leafcheck::kernels
