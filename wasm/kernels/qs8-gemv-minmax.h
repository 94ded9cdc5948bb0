// qs8-gemv-minmax: the int8 Linear microkernel at batch 1, the twin of f32-gemv-minmax.h with the
// c2 layout of qs8-igemm-minmax.h: per step one broadcast pair of int16 inputs (k, k+1) and NV
// vectors of packed int8 weights (held in int16) (w[n][k], w[n][k + 1]) for NB = NV x kLanes outputs. The output is
// always float (acc * multiplier + bias, clamped): nothing after a Linear reads int8.
#pragma once

#include <cstddef>
#include <cstdint>

#include "qs8_vec.h"

namespace leafcheck::kernels {

template <size_t NV>
inline void qs8_gemv_minmax(size_t pairs, const int16_t* x, const int16_t* w, const float* multiplier,
                            const float* bias, float* y, size_t nc, float min, float max) {
  using qs8::vf;
  constexpr size_t L = qs8::kLanes;
  qs8::vi acc[NV];
#pragma GCC unroll 8
  for (size_t j = 0; j < NV; ++j) acc[j] = qs8::zero();
  for (size_t p = 0; p < pairs; ++p) {
    const auto xp = qs8::splat_pair(x + 2 * p);
#pragma GCC unroll 8
    for (size_t j = 0; j < NV; ++j) acc[j] = qs8::dot_add(acc[j], qs8::load_weights(w + j * 2 * L), xp);
    w += NV * 2 * L;
  }
  const vf vmin = vf{} + min;
  const vf vmax = vf{} + max;
#pragma GCC unroll 8
  for (size_t j = 0; j < NV; ++j) {
    vf v = qs8::to_float(acc[j]) * qs8::load_f(multiplier + j * L) + qs8::load_f(bias + j * L);
    v = v < vmin ? vmin : v;
    v = v > vmax ? vmax : v;
    qs8::store(y + j * L, v, nc > j * L ? nc - j * L : 0);
  }
}

}  // namespace leafcheck::kernels
