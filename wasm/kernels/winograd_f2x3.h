// The arithmetic of Winograd F(2x2, 3x3) fused with the 2x2 max-pool, shared by the f32 driver
// (winograd_ops.cpp) and the int8 one (qs8_winograd_ops.cpp), which differ only in their vector types
// and how they load and store them.
#pragma once

#include <cstddef>

namespace leafcheck::kernels {

// The 4x4 input patch of output tile (ty, tx) starts one pixel up and left of output pixel
// (2 ty, 2 tx): in the border for the first tile row and column.
template <typename T>
T* winograd_patch(T* data, size_t row_stride, size_t channels, size_t ty, size_t tx) {
  const ptrdiff_t y = 2 * static_cast<ptrdiff_t>(ty) - 1, x = 2 * static_cast<ptrdiff_t>(tx) - 1;
  return data + y * static_cast<ptrdiff_t>(row_stride) + x * static_cast<ptrdiff_t>(channels);
}

// V = B^T d B with B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]: load(i, j) gives d[i][j] and
// store(xi, v) takes point xi = 4 * row + column. Only additions, so exact in int16 for int8 inputs.
template <typename V, typename Load, typename Store>
void winograd_input_transform(Load load, Store store) {
  V d[4][4];
  for (size_t i = 0; i < 4; ++i) {
    for (size_t j = 0; j < 4; ++j) d[i][j] = load(i, j);
  }
  V t[4][4];
  for (size_t j = 0; j < 4; ++j) {
    t[0][j] = d[0][j] - d[2][j];
    t[1][j] = d[1][j] + d[2][j];
    t[2][j] = d[2][j] - d[1][j];
    t[3][j] = d[1][j] - d[3][j];
  }
  for (size_t i = 0; i < 4; ++i) {
    store(4 * i + 0, t[i][0] - t[i][2]);
    store(4 * i + 1, t[i][1] + t[i][2]);
    store(4 * i + 2, t[i][2] - t[i][1]);
    store(4 * i + 3, t[i][1] - t[i][3]);
  }
}

// The largest of the 2x2 outputs Y = A^T m A, A^T = [1 1 1 0; 0 1 -1 -1], load(xi) giving point xi of m.
// The drivers add the bias, clamp (and requantize) after the max: each of those is monotonic.
template <typename V, typename Load, typename Max>
V winograd_output_max(Load load, Max max) {
  V s[2][4];
  for (size_t j = 0; j < 4; ++j) {
    const V m0 = load(0 + j), m1 = load(4 + j), m2 = load(8 + j), m3 = load(12 + j);
    s[0][j] = m0 + m1 + m2;
    s[1][j] = m1 - m2 - m3;
  }
  V best = s[0][0] + s[0][1] + s[0][2];
  for (size_t i = 0; i < 2; ++i) {
    best = max(best, s[i][0] + s[i][1] + s[i][2]);
    best = max(best, s[i][1] - s[i][2] - s[i][3]);
  }
  return best;
}

}  // namespace leafcheck::kernels
