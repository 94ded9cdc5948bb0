#include "qs8_winograd_ops.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "qs8-gemm.h"
#include "qs8-igemm-minmax.h"
#include "qs8_params.h"
#include "tile_shapes.h"
#include "winograd_f2x3.h"

namespace leafcheck::qs8_ops {
namespace {

using kernels::kQs8WinogradMR;
using kernels::kQs8WinogradNV;
using qs8::kLanes;
using qs8::vf;
using qs8::vi32;

constexpr size_t kNR = kQs8WinogradNV * kLanes;
constexpr size_t kPoints = 16;  // a 4x4 input tile, transformed
// Tiles per band, as in winograd_ops.cpp: whole tile rows up to about this many, so the transformed
// inputs and products of a band stay in L2 while the weights of one transform point are reused.
constexpr size_t kBandTiles = 64;

// The input transform runs on int16 lanes, twice as many per vector as the int32 lanes of the rest.
using vs = int16_t __attribute__((vector_size(sizeof(qs8::vi))));
constexpr size_t kShorts = sizeof(vs) / sizeof(int16_t);

size_t ceil_div(size_t a, size_t b) { return (a + b - 1) / b; }
size_t padded(size_t channels) { return ceil_div(channels, kNR) * kNR; }

size_t band_rows(size_t tiles_y, size_t tiles_x) {
  return std::min(tiles_y, std::max<size_t>(1, kBandTiles / std::max<size_t>(1, tiles_x)));
}

// Where a band's transformed inputs v[16][tiles][v_row] and products m[16][tiles][cout padded] live in
// the scratch. A transform touches all 16 points of a tile at once; with a power-of-two point stride
// (64 tiles x 64 channels x 4 bytes, say) those 16 lines share one L1 set, so each point stride gets
// one cache line more.
struct BandLayout {
  size_t rows = 0;   // tile rows per band
  size_t tiles = 0;  // tiles per band
  size_t v_row = 0;  // an odd channel count leaves a slot that meets zero weights
  size_t v_point = 0;
  size_t m_point = 0;

  BandLayout(size_t height, size_t width, size_t in_channels, size_t out_channels)
      : rows(band_rows(height / 2, width / 2)),
        tiles(rows * (width / 2)),
        v_row(2 * ceil_div(in_channels, 2)),
        v_point(tiles * v_row + 64 / sizeof(int16_t)),
        m_point(tiles * padded(out_channels) + 64 / sizeof(int32_t)) {}
};

template <bool kWhole>
vs load_shorts(const int16_t* p, size_t n) {
  vs v{};
  if (kWhole || n == kShorts) {
    std::memcpy(&v, p, sizeof v);
  } else {
    for (size_t i = 0; i < n; ++i) v[i] = p[i];
  }
  return v;
}

template <bool kWhole>
void store_shorts(int16_t* p, vs v, size_t n) {
  if (kWhole || n == kShorts) {
    std::memcpy(p, &v, sizeof v);
  } else {
    for (size_t i = 0; i < n; ++i) p[i] = v[i];
  }
}

vi32 load_ints(const int32_t* p) {
  vi32 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// winograd_f2x3.h's input transform for channels [c, c + n) of the patch at `patch`, in int16: every
// V is within +-4 x 127. kWhole: n is a whole vector, known at compile time (every channel count of
// the shipped model).
template <bool kWhole>
void transform_input(const int16_t* patch, size_t row_stride, size_t cin, size_t n, int16_t* v,
                     size_t point_stride) {
  kernels::winograd_input_transform<vs>(
      [&](size_t i, size_t j) { return load_shorts<kWhole>(patch + i * row_stride + j * cin, n); },
      [&](size_t xi, vs value) { store_shorts<kWhole>(v + xi * point_stride, value, n); });
}

// 4 times the largest conv sum of the pooled outputs. Pooling before requantizing gives the same result
// as after: acc * multiplier + bias, the clamp and the rounding are all monotonic (the multiplier is
// positive).
vi32 transform_output_max(const int32_t* m, size_t point_stride) {
  return kernels::winograd_output_max<vi32>([&](size_t xi) { return load_ints(m + xi * point_stride); },
                                            [](vi32 a, vi32 b) { return a > b ? a : b; });
}

template <typename Out>
void winograd_any(const PackedWinograd& weights, const QPlane& in, Out* out_data, size_t out_row_stride,
                  size_t out_height, size_t out_width, size_t out_channels, WinogradScratch& scratch) {
  const size_t cin = weights.in_channels, cout = weights.out_channels, cout_padded = padded(cout);
  if (in.channels != cin || out_channels != cout) {
    throw std::invalid_argument("qs8 conv3x3_winograd_maxpool2x2: plane channels do not match the packed weights");
  }
  if (out_height != in.height / 2 || out_width != in.width / 2) {
    throw std::invalid_argument("qs8 conv3x3_winograd_maxpool2x2: output plane must be half the input's size");
  }
  if (out_height == 0 || out_width == 0) return;
  const size_t tiles_x = out_width;
  const BandLayout band(in.height, in.width, cin, cout);
  const size_t rows_per_band = band.rows, v_row = band.v_row, v_point = band.v_point, m_point = band.m_point;
  if (scratch.v.size() < kPoints * v_point || scratch.m.size() < kPoints * m_point) {
    throw std::invalid_argument(
        "qs8 conv3x3_winograd_maxpool2x2: scratch not fitted to this conv (WinogradScratch::fit)");
  }
  int16_t* v = scratch.v.data();
  int32_t* m = scratch.m.data();
  const size_t blocks = cout_padded / kNR;
  const size_t block_stride = weights.pairs * 2 * kNR;
  const vf vmin = vf{} + weights.min, vmax = vf{} + weights.max;

  for (size_t ty0 = 0; ty0 < out_height; ty0 += rows_per_band) {
    const size_t tiles = std::min(rows_per_band, out_height - ty0) * tiles_x;
    for (size_t t = 0; t < tiles; ++t) {
      const size_t ty = ty0 + t / tiles_x, tx = t % tiles_x;
      const int16_t* patch = kernels::winograd_patch(in.data, in.row_stride, cin, ty, tx);
      size_t c = 0;
      for (; c + kShorts <= cin; c += kShorts) {
        transform_input<true>(patch + c, in.row_stride, cin, kShorts, v + t * v_row + c, v_point);
      }
      if (c < cin) transform_input<false>(patch + c, in.row_stride, cin, cin - c, v + t * v_row + c, v_point);
    }
    for (size_t xi = 0; xi < kPoints; ++xi) {
      for (size_t b = 0; b < blocks; ++b) {
        const int16_t* w = weights.u.data() + (xi * blocks + b) * block_stride;
        weights.gemm(tiles, weights.pairs, v + xi * v_point, v_row, w, m + xi * m_point + b * kNR, cout_padded);
      }
    }
    for (size_t t = 0; t < tiles; ++t) {
      Out* o = out_data + (ty0 + t / tiles_x) * out_row_stride + (t % tiles_x) * cout;
      const int32_t* mt = m + t * cout_padded;
      for (size_t k = 0; k < cout; k += kLanes) {
        const vf sum = __builtin_convertvector(transform_output_max(mt + k, m_point), vf);
        vf y = sum * qs8::load_f(weights.multiplier.data() + k) + qs8::load_f(weights.bias.data() + k);
        y = y < vmin ? vmin : y;
        y = y > vmax ? vmax : y;
        if constexpr (std::is_same_v<Out, int16_t>) y = kernels::round_to_integer(y);
        qs8::store(o + k, y, std::min(kLanes, cout - k));
      }
    }
  }
}

}  // namespace

PackedWinograd pack_winograd_f2x3(const qs8_reference_ops::QuantizedWeights& w, size_t out_channels,
                                  size_t in_channels, bool relu, float out_scale) {
  if (w.weight.size() != out_channels * in_channels * 9 || w.scales.size() != out_channels ||
      w.bias.size() != out_channels) {
    throw std::invalid_argument("qs8 pack_winograd_f2x3: weight must be [out][in][3][3], scales and bias [out]");
  }
  if (in_channels > kWinogradMaxInChannels) {
    throw std::invalid_argument("qs8 pack_winograd_f2x3: " + std::to_string(in_channels) +
                                " input channels could overflow its int32 sums; at most " +
                                std::to_string(kWinogradMaxInChannels) + " (use the direct conv3x3)");
  }
  PackedWinograd packed;
  packed.in_channels = in_channels;
  packed.out_channels = out_channels;
  packed.pairs = ceil_div(in_channels, 2);
  const size_t out_padded = padded(out_channels), blocks = out_padded / kNR;
  packed.u.assign(kPoints * out_padded * packed.pairs * 2, 0);
  // 2G = [2 0 0; 1 1 1; 1 -1 1; 0 0 2]: integers, so U = (2G) g (2G)^T = 4 G g G^T is exact.
  constexpr int G2[4][3] = {{2, 0, 0}, {1, 1, 1}, {1, -1, 1}, {0, 0, 2}};
  for (size_t o = 0; o < out_channels; ++o) {
    for (size_t c = 0; c < in_channels; ++c) {
      const int8_t* g = w.weight.data() + (o * in_channels + c) * 9;
      int gg[4][3];  // (2G) g
      for (size_t i = 0; i < 4; ++i) {
        for (size_t j = 0; j < 3; ++j) gg[i][j] = G2[i][0] * g[j] + G2[i][1] * g[3 + j] + G2[i][2] * g[6 + j];
      }
      for (size_t i = 0; i < 4; ++i) {
        for (size_t j = 0; j < 4; ++j) {
          const int u = gg[i][0] * G2[j][0] + gg[i][1] * G2[j][1] + gg[i][2] * G2[j][2];
          const size_t xi = 4 * i + j;
          packed.u[(((xi * blocks + o / kNR) * packed.pairs + c / 2) * kNR + o % kNR) * 2 + c % 2] =
              static_cast<int16_t>(u);
        }
      }
    }
  }
  packed.multiplier.assign(out_padded, 0.0f);
  packed.bias.assign(out_padded, 0.0f);
  for (size_t n = 0; n < out_channels; ++n) {
    packed.multiplier[n] = 0.25f * qs8::output_multiplier(w.input_scale, w.scales[n], out_scale);
    packed.bias[n] = qs8::output_bias(w.bias[n], out_scale);
  }
  packed.min = qs8::output_min(relu, out_scale);
  packed.max = qs8::output_max(out_scale);
  packed.int8_output = out_scale > 0.0f;
  packed.gemm = kernels::qs8_gemm<kQs8WinogradMR, kQs8WinogradNV>;
  return packed;
}

void WinogradScratch::fit(size_t height, size_t width, size_t in_channels, size_t out_channels) {
  if (height < 2 || width < 2) return;
  const BandLayout band(height, width, in_channels, out_channels);
  v.resize(std::max(v.size(), kPoints * band.v_point));
  m.resize(std::max(m.size(), kPoints * band.m_point));
}

void conv3x3_winograd_maxpool2x2(const PackedWinograd& weights, const QPlane& in, const QPlane& out,
                                 WinogradScratch& scratch) {
  if (!weights.int8_output) {
    throw std::invalid_argument("qs8 conv3x3_winograd_maxpool2x2: these weights produce floats");
  }
  winograd_any(weights, in, out.data, out.row_stride, out.height, out.width, out.channels, scratch);
}

void conv3x3_winograd_maxpool2x2(const PackedWinograd& weights, const QPlane& in, const optimized_ops::Plane& out,
                                 WinogradScratch& scratch) {
  if (weights.int8_output) {
    throw std::invalid_argument("qs8 conv3x3_winograd_maxpool2x2: these weights produce int8 values");
  }
  winograd_any(weights, in, out.data, out.row_stride, out.height, out.width, out.channels, scratch);
}

}  // namespace leafcheck::qs8_ops
