#include "winograd_ops.h"

#include <algorithm>
#include <stdexcept>

#include "f32-gemm.h"
#include "tile_shapes.h"
#include "vec.h"
#include "winograd_f2x3.h"

namespace leafcheck::optimized_ops {
namespace {

using kernels::kConvMR;
using kernels::kConvNR;
using kernels::kConvNV;
using simd::kLanes;
using simd::vf;

constexpr size_t kPoints = 16;  // a 4x4 input tile, transformed
// Tiles per band: whole tile rows up to about this many, so the transformed inputs and products
// (16 x tiles x channels each) stay in L2 while the weights of one transform point are reused.
constexpr size_t kBandTiles = 64;

size_t padded(size_t channels) { return (channels + kConvNR - 1) / kConvNR * kConvNR; }

size_t band_rows(size_t tiles_y, size_t tiles_x) {
  return std::min(tiles_y, std::max<size_t>(1, kBandTiles / std::max<size_t>(1, tiles_x)));
}

vf load_channels(const float* p, size_t n) { return n == kLanes ? simd::load(p) : simd::load_partial(p, n); }
void store_channels(float* p, vf v, size_t n) {
  if (n == kLanes) {
    simd::store(p, v);
  } else {
    simd::store_partial(p, v, n);
  }
}

// winograd_f2x3.h's input transform for channels [c, c + n) of the patch at `patch`; point xi goes
// to v + xi * point_stride.
void transform_input(const float* patch, size_t row_stride, size_t cin, size_t n, float* v, size_t point_stride) {
  kernels::winograd_input_transform<vf>(
      [&](size_t i, size_t j) { return load_channels(patch + i * row_stride + j * cin, n); },
      [&](size_t xi, vf value) { store_channels(v + xi * point_stride, value, n); });
}

// The pooled output plus the bias, clamped.
vf transform_output_pooled(const float* m, size_t point_stride, vf bias, vf vmin, vf vmax) {
  const vf best = kernels::winograd_output_max<vf>([&](size_t xi) { return simd::load(m + xi * point_stride); },
                                                   [](vf x, vf y) { return simd::max(x, y); });
  // The bias is the same for all four outputs and the clamp is monotonic, so both commute with the max.
  return simd::clamp(best + bias, vmin, vmax);
}

}  // namespace

PackedWinograd pack_winograd_f2x3(std::span<const float> weight, std::span<const float> bias, size_t out_channels,
                                  size_t in_channels) {
  if (weight.size() != out_channels * in_channels * 9 || bias.size() != out_channels) {
    throw std::invalid_argument("pack_winograd_f2x3: weight must be [out][in][3][3] and bias [out]");
  }
  const size_t out_padded = padded(out_channels);
  PackedWinograd packed{in_channels, out_channels, std::vector<float>(kPoints * out_padded * in_channels, 0.0f),
                        std::vector<float>(out_padded, 0.0f)};
  std::copy(bias.begin(), bias.end(), packed.bias.begin());
  // G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1], in double so the packing adds no rounding of its own.
  constexpr double G[4][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
  for (size_t o = 0; o < out_channels; ++o) {
    for (size_t c = 0; c < in_channels; ++c) {
      const float* g = weight.data() + (o * in_channels + c) * 9;
      double gg[4][3];  // G g
      for (size_t i = 0; i < 4; ++i) {
        for (size_t j = 0; j < 3; ++j) gg[i][j] = G[i][0] * g[j] + G[i][1] * g[3 + j] + G[i][2] * g[6 + j];
      }
      for (size_t i = 0; i < 4; ++i) {
        for (size_t j = 0; j < 4; ++j) {
          const double u = gg[i][0] * G[j][0] + gg[i][1] * G[j][1] + gg[i][2] * G[j][2];
          const size_t block = o / kConvNR;
          packed.u[((4 * i + j) * (out_padded / kConvNR) + block) * in_channels * kConvNR + c * kConvNR + o % kConvNR] =
              static_cast<float>(u);
        }
      }
    }
  }
  return packed;
}

size_t conv3x3_winograd_maxpool2x2_scratch_size(size_t height, size_t width, size_t in_channels, size_t out_channels) {
  const size_t tiles_y = height / 2, tiles_x = width / 2;
  if (tiles_y == 0 || tiles_x == 0) return 0;
  return kPoints * band_rows(tiles_y, tiles_x) * tiles_x * (in_channels + padded(out_channels));
}

void conv3x3_winograd_maxpool2x2(const PackedWinograd& weights, const Plane& in, const Plane& out, Clamp clamp,
                                 std::span<float> scratch) {
  const size_t cin = weights.in_channels, cout = weights.out_channels, cout_padded = padded(cout);
  if (in.channels != cin || out.channels != cout) {
    throw std::invalid_argument("conv3x3_winograd_maxpool2x2: plane channels do not match the packed weights");
  }
  if (out.height != in.height / 2 || out.width != in.width / 2) {
    throw std::invalid_argument("conv3x3_winograd_maxpool2x2: output plane must be half the input's height and width");
  }
  const size_t tiles_x = out.width, rows_per_band = band_rows(out.height, tiles_x);
  if (out.height == 0 || tiles_x == 0) return;
  const size_t band_tiles = rows_per_band * tiles_x;
  if (scratch.size() < conv3x3_winograd_maxpool2x2_scratch_size(in.height, in.width, cin, cout)) {
    throw std::invalid_argument("conv3x3_winograd_maxpool2x2: scratch smaller than its scratch_size()");
  }
  float* v = scratch.data();                       // [16][band_tiles][cin]
  float* m = v + kPoints * band_tiles * cin;       // [16][band_tiles][cout_padded]
  const size_t v_point = band_tiles * cin, m_point = band_tiles * cout_padded;
  const size_t blocks = cout_padded / kConvNR;
  const vf vmin = simd::splat(clamp.min), vmax = simd::splat(clamp.max);

  for (size_t ty0 = 0; ty0 < out.height; ty0 += rows_per_band) {
    const size_t tiles = std::min(rows_per_band, out.height - ty0) * tiles_x;
    for (size_t t = 0; t < tiles; ++t) {
      const size_t ty = ty0 + t / tiles_x, tx = t % tiles_x;
      const float* patch = kernels::winograd_patch(in.data, in.row_stride, cin, ty, tx);
      for (size_t c = 0; c < cin; c += kLanes) {
        transform_input(patch + c, in.row_stride, cin, std::min(kLanes, cin - c), v + t * cin + c, v_point);
      }
    }
    for (size_t xi = 0; xi < kPoints; ++xi) {
      for (size_t b = 0; b < blocks; ++b) {
        const float* w = weights.u.data() + (xi * blocks + b) * cin * kConvNR;
        for (size_t t0 = 0; t0 < tiles; t0 += kConvMR) {
          const float* a[kConvMR];
          float* c[kConvMR];
          for (size_t i = 0; i < kConvMR; ++i) {
            const size_t t = std::min(t0 + i, tiles - 1);  // past the end: the last tile again
            a[i] = v + xi * v_point + t * cin;
            c[i] = m + xi * m_point + t * cout_padded + b * kConvNR;
          }
          kernels::f32_gemm<kConvMR, kConvNV>(cin, a, w, c);
        }
      }
    }
    for (size_t t = 0; t < tiles; ++t) {
      float* o = out.pixel(ty0 + t / tiles_x, t % tiles_x);
      const float* mt = m + t * cout_padded;
      for (size_t k = 0; k < cout; k += kLanes) {
        const vf y = transform_output_pooled(mt + k, m_point, simd::load(weights.bias.data() + k), vmin, vmax);
        store_channels(o + k, y, std::min(kLanes, cout - k));
      }
    }
  }
}

}  // namespace leafcheck::optimized_ops
