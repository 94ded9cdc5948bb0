#include "optimized_ops.h"

#include <algorithm>
#include <stdexcept>

#include "f32-gemv-minmax.h"
#include "f32-igemm-minmax.h"
#include "indirection.h"
#include "tile_shapes.h"
#include "vec.h"

namespace leafcheck::optimized_ops {
namespace {

using simd::kLanes;
using simd::vf;

using kernels::kConvMR;
using kernels::kConvNR;
using kernels::kConvNV;

constexpr size_t kLinearNV = 4;
constexpr size_t kLinearNB = kLinearNV * kLanes;

// conv3x3_maxpool2x2 computes this many output pixels (rounded to whole row pairs) per band, so
// a band's output stays in L1/L2 until it is pooled while the weights are reused across it.
constexpr size_t kPoolBandPixels = 512;

size_t ceil_div(size_t a, size_t b) { return (a + b - 1) / b; }

// The packing both GEMM microkernels read: outputs in blocks of `width`, each block its biases then,
// for every reduction index k, the block's weights weight_at(n, k); outputs past the end stay zero
// so the kernels always load whole vectors.
template <typename WeightAt>
std::vector<float> pack_blocks(std::span<const float> bias, size_t width, size_t reduction, WeightAt weight_at) {
  const size_t outputs = bias.size();
  const size_t blocks = ceil_div(outputs, width);
  std::vector<float> packed(blocks * width * (1 + reduction), 0.0f);
  float* p = packed.data();
  for (size_t n0 = 0; n0 < outputs; n0 += width) {
    const size_t nc = std::min(width, outputs - n0);
    for (size_t n = 0; n < nc; ++n) p[n] = bias[n0 + n];
    p += width;
    for (size_t k = 0; k < reduction; ++k) {
      for (size_t n = 0; n < nc; ++n) p[n] = weight_at(n0 + n, k);
      p += width;
    }
  }
  return packed;
}

// Computes conv output rows [y0, y0 + out.height) of `in` (columns [0, out.width)) into `out`.
template <size_t kKc>
void conv3x3_rows(const PackedConv3x3& weights, const Plane& in, size_t y0, const Plane& out, Clamp clamp) {
  const size_t cin = weights.in_channels;
  const size_t cout = weights.out_channels;
  const size_t cols = out.width;
  const size_t pixels = out.height * cols;
  const size_t block_stride = kConvNR * (1 + 9 * cin);
  // Tap (0, 0) of pixel (y, x) is the border pixel (y - 1, x - 1).
  const float* origin = in.data - in.row_stride - cin;
  const auto tap0 = [&](size_t y, size_t x) { return origin + (y0 + y) * in.row_stride + x * cin; };
  const vf vmin = simd::splat(clamp.min);
  const vf vmax = simd::splat(clamp.max);

  for (size_t n0 = 0; n0 < cout; n0 += kConvNR) {
    const float* w = weights.data.data() + (n0 / kConvNR) * block_stride;
    const size_t nc = std::min(kConvNR, cout - n0);
    kernels::PixelTiles<kConvMR> tiles(cols);
    for (size_t p0 = 0; p0 < pixels; p0 += kConvMR) {
      const float* a[kConvMR];
      float* c[kConvMR];
      tiles.next(pixels - p0, a, c, tap0, [&](size_t y, size_t x) { return out.pixel(y, x) + n0; });
      kernels::f32_igemm_minmax<kConvMR, kConvNV, kKc>(3 * cin, a, static_cast<ptrdiff_t>(in.row_stride), w, c, nc,
                                                       vmin, vmax);
    }
  }
}

void conv3x3_rows_dispatch(const PackedConv3x3& weights, const Plane& in, size_t y0, const Plane& out, Clamp clamp) {
  // The RGB first layer gets its own instantiation with the run length (3 taps x 3 channels) fixed.
  if (weights.in_channels == 3) {
    conv3x3_rows<9>(weights, in, y0, out, clamp);
  } else {
    conv3x3_rows<0>(weights, in, y0, out, clamp);
  }
}

void check_conv(const PackedConv3x3& weights, const Plane& in, size_t out_channels) {
  if (in.channels != weights.in_channels || out_channels != weights.out_channels) {
    throw std::invalid_argument("conv3x3: plane channels do not match the packed weights");
  }
}

}  // namespace

PackedConv3x3 pack_conv3x3(std::span<const float> weight, std::span<const float> bias, size_t out_channels,
                           size_t in_channels) {
  if (weight.size() != out_channels * in_channels * 9 || bias.size() != out_channels) {
    throw std::invalid_argument("pack_conv3x3: weight must be [out][in][3][3] and bias [out]");
  }
  // Reduction index k = tap * in + c, tap = ky * 3 + kx; OIHW holds w[n][c][tap] at (n * in + c) * 9 + tap.
  return {in_channels, out_channels, pack_blocks(bias, kConvNR, 9 * in_channels, [&](size_t n, size_t k) {
            return weight[(n * in_channels + k % in_channels) * 9 + k / in_channels];
          })};
}

void conv3x3(const PackedConv3x3& weights, const Plane& in, const Plane& out, Clamp clamp) {
  check_conv(weights, in, out.channels);
  if (out.height != in.height || out.width != in.width) {
    throw std::invalid_argument("conv3x3: output plane must have the input's height and width");
  }
  conv3x3_rows_dispatch(weights, in, 0, out, clamp);
}

namespace {

size_t pool_band_rows(size_t height, size_t width) {
  const size_t pooled_rows = height / 2 * 2;
  const size_t pooled_cols = width / 2 * 2;
  if (pooled_rows == 0 || pooled_cols == 0) return 0;
  const size_t pairs = std::max<size_t>(1, kPoolBandPixels / (2 * pooled_cols));
  return std::min(pooled_rows, 2 * pairs);
}

}  // namespace

size_t conv3x3_maxpool2x2_scratch_size(size_t height, size_t width, size_t out_channels) {
  return pool_band_rows(height, width) * (width / 2 * 2) * out_channels;
}

void conv3x3_maxpool2x2(const PackedConv3x3& weights, const Plane& in, const Plane& out, Clamp clamp,
                        std::span<float> scratch) {
  check_conv(weights, in, out.channels);
  if (out.height != in.height / 2 || out.width != in.width / 2) {
    throw std::invalid_argument("conv3x3_maxpool2x2: output plane must be half the input's height and width");
  }
  const size_t band = pool_band_rows(in.height, in.width);
  if (band == 0) return;
  const size_t cols = in.width / 2 * 2;
  const size_t cout = weights.out_channels;
  if (scratch.size() < band * cols * cout) {
    throw std::invalid_argument("conv3x3_maxpool2x2: scratch smaller than conv3x3_maxpool2x2_scratch_size()");
  }
  // Floor pooling never reads the odd last row or column, so they are not computed.
  for (size_t y0 = 0; y0 < out.height * 2; y0 += band) {
    const size_t rows = std::min(band, out.height * 2 - y0);
    const Plane conv_out{scratch.data(), rows, cols, cout, cols * cout};
    conv3x3_rows_dispatch(weights, in, y0, conv_out, clamp);
    const Plane pooled{out.pixel(y0 / 2, 0), rows / 2, out.width, cout, out.row_stride};
    maxpool2x2(conv_out, pooled);
  }
}

void maxpool2x2(const Plane& in, const Plane& out) {
  const size_t c = in.channels;
  for (size_t y = 0; y < out.height; ++y) {
    for (size_t x = 0; x < out.width; ++x) {
      const float* p00 = in.pixel(2 * y, 2 * x);
      const float* p01 = p00 + c;
      const float* p10 = p00 + in.row_stride;
      const float* p11 = p10 + c;
      float* o = out.pixel(y, x);
      size_t k = 0;
      for (; k + kLanes <= c; k += kLanes) {
        simd::store(o + k, simd::max(simd::max(simd::load(p00 + k), simd::load(p01 + k)),
                                     simd::max(simd::load(p10 + k), simd::load(p11 + k))));
      }
      for (; k < c; ++k) o[k] = std::max(std::max(p00[k], p01[k]), std::max(p10[k], p11[k]));
    }
  }
}

void global_avg_pool(const Plane& in, std::span<float> out) {
  const size_t c = in.channels;
  std::fill(out.begin(), out.begin() + static_cast<ptrdiff_t>(c), 0.0f);
  float* o = out.data();
  for (size_t y = 0; y < in.height; ++y) {
    for (size_t x = 0; x < in.width; ++x) {
      const float* p = in.pixel(y, x);
      size_t k = 0;
      for (; k + kLanes <= c; k += kLanes) simd::store(o + k, simd::load(o + k) + simd::load(p + k));
      for (; k < c; ++k) o[k] += p[k];
    }
  }
  const float scale = 1.0f / static_cast<float>(in.height * in.width);
  for (size_t k = 0; k < c; ++k) o[k] *= scale;
}

PackedLinear pack_linear(std::span<const float> weight, std::span<const float> bias, size_t out_features,
                         size_t in_features) {
  if (weight.size() != out_features * in_features || bias.size() != out_features) {
    throw std::invalid_argument("pack_linear: weight must be [out][in] and bias [out]");
  }
  return {in_features, out_features,
          pack_blocks(bias, kLinearNB, in_features, [&](size_t n, size_t k) { return weight[n * in_features + k]; })};
}

void linear(const PackedLinear& weights, std::span<const float> in, std::span<float> out, Clamp clamp) {
  if (in.size() != weights.in_features || out.size() != weights.out_features) {
    throw std::invalid_argument("linear: input/output sizes do not match the packed weights");
  }
  const vf vmin = simd::splat(clamp.min);
  const vf vmax = simd::splat(clamp.max);
  const size_t block_stride = kLinearNB * (1 + weights.in_features);
  for (size_t n0 = 0; n0 < weights.out_features; n0 += kLinearNB) {
    kernels::f32_gemv_minmax<kLinearNV>(weights.in_features, in.data(),
                                        weights.data.data() + (n0 / kLinearNB) * block_stride, out.data() + n0,
                                        std::min(kLinearNB, weights.out_features - n0), vmin, vmax);
  }
}

void relu(std::span<float> data) {
  float* p = data.data();
  const size_t n = data.size();
  const vf zero{};
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) simd::store(p + i, simd::max(simd::load(p + i), zero));
  for (; i < n; ++i) p[i] = std::max(p[i], 0.0f);
}

}  // namespace leafcheck::optimized_ops
