#include "qs8_ops.h"

#include <algorithm>
#include <stdexcept>

#include "indirection.h"
#include "qs8-gemv-minmax.h"
#include "qs8-igemm-minmax.h"
#include "qs8_params.h"
#include "tile_shapes.h"

namespace leafcheck::qs8_ops {
namespace {

using kernels::kQs8ConvMR;
using kernels::kQs8ConvNV;
using qs8::kLanes;

// One int32 lane per output channel (tile_shapes.h says why this tile).
constexpr size_t kNR = kQs8ConvNV * kLanes;
constexpr size_t kLinearNV = 4;
constexpr size_t kLinearNB = kLinearNV * kLanes;

size_t ceil_div(size_t a, size_t b) { return (a + b - 1) / b; }

// Requantization values per output channel, zero past the end so the epilogue loads whole vectors.
void pack_requantization(const qs8_reference_ops::QuantizedWeights& w, size_t outputs, size_t width, float out_scale,
                         std::vector<float>& multiplier, std::vector<float>& bias) {
  multiplier.assign(ceil_div(outputs, width) * width, 0.0f);
  bias.assign(multiplier.size(), 0.0f);
  for (size_t n = 0; n < outputs; ++n) {
    multiplier[n] = qs8::output_multiplier(w.input_scale, w.scales[n], out_scale);
    bias[n] = qs8::output_bias(w.bias[n], out_scale);
  }
}

// Blocks of `width` outputs; per block, for each pair p < pairs, (weight_at(n, 2p), weight_at(n, 2p + 1))
// for each n, with reduction indices >= reduction (and outputs past the end) zero.
template <typename WeightAt>
void pack_pairs(std::vector<int16_t>& packed, size_t outputs, size_t width, size_t runs, size_t reduction,
                WeightAt weight_at) {
  const size_t pairs = ceil_div(reduction, 2);
  packed.assign(ceil_div(outputs, width) * width * runs * pairs * 2, 0);
  int16_t* p = packed.data();
  for (size_t n0 = 0; n0 < outputs; n0 += width) {
    const size_t nc = std::min(width, outputs - n0);
    for (size_t run = 0; run < runs; ++run) {
      for (size_t pair = 0; pair < pairs; ++pair) {
        for (size_t n = 0; n < nc; ++n) {
          for (size_t half = 0; half < 2; ++half) {
            const size_t k = 2 * pair + half;
            if (k < reduction) p[2 * n + half] = weight_at(n0 + n, run, k);
          }
        }
        p += 2 * width;
      }
    }
  }
}

template <typename Out>
void conv3x3_any(const PackedConv3x3& weights, Qs8IgemmUkernel<Out> ukernel, const QPlane& in, Out* out_data,
                 size_t out_row_stride, size_t out_channels, size_t height, size_t width) {
  if (in.channels != weights.in_channels || out_channels != weights.out_channels || height != in.height ||
      width != in.width) {
    throw std::invalid_argument("qs8 conv3x3: planes do not match the packed weights or each other");
  }
  const size_t cin = weights.in_channels;
  const size_t pixels = height * width;
  const size_t block_stride = kNR * 3 * weights.pairs * 2;
  // Tap (0, 0) of pixel (y, x) is the border pixel (y - 1, x - 1).
  const int16_t* origin = in.data - in.row_stride - cin;
  const auto tap0 = [&](size_t y, size_t x) { return origin + y * in.row_stride + x * cin; };
  for (size_t n0 = 0; n0 < out_channels; n0 += kNR) {
    const int16_t* w = weights.weights.data() + (n0 / kNR) * block_stride;
    const size_t nc = std::min(kNR, out_channels - n0);
    kernels::PixelTiles<kQs8ConvMR> tiles(width);
    for (size_t p0 = 0; p0 < pixels; p0 += kQs8ConvMR) {
      const int16_t* a[kQs8ConvMR];
      Out* c[kQs8ConvMR];
      tiles.next(pixels - p0, a, c, tap0,
                 [&](size_t y, size_t x) { return out_data + y * out_row_stride + x * out_channels + n0; });
      ukernel(weights.pairs, a, static_cast<ptrdiff_t>(in.row_stride), w, weights.multiplier.data() + n0,
              weights.bias.data() + n0, c, nc, weights.min, weights.max);
    }
  }
}

}  // namespace

PackedConv3x3 pack_conv3x3(const qs8_reference_ops::QuantizedWeights& w, size_t out_channels, size_t in_channels,
                           bool relu, float out_scale) {
  if (w.weight.size() != out_channels * in_channels * 9 || w.scales.size() != out_channels ||
      w.bias.size() != out_channels) {
    throw std::invalid_argument("qs8 pack_conv3x3: weight must be [out][in][3][3], scales and bias [out]");
  }
  PackedConv3x3 packed;
  packed.in_channels = in_channels;
  packed.out_channels = out_channels;
  packed.pairs = ceil_div(3 * in_channels, 2);
  // Run ky, index k = kx * in + c within it (NHWC: the three taps of a kernel row are contiguous).
  pack_pairs(packed.weights, out_channels, kNR, 3, 3 * in_channels, [&](size_t n, size_t ky, size_t k) {
    return w.weight[(n * in_channels + k % in_channels) * 9 + ky * 3 + k / in_channels];
  });
  pack_requantization(w, out_channels, kNR, out_scale, packed.multiplier, packed.bias);
  packed.min = qs8::output_min(relu, out_scale);
  packed.max = qs8::output_max(out_scale);
  if (out_scale > 0.0f) {
    packed.ukernel_int8 = kernels::qs8_igemm_minmax<kQs8ConvMR, kQs8ConvNV, int16_t>;
  } else {
    packed.ukernel_float = kernels::qs8_igemm_minmax<kQs8ConvMR, kQs8ConvNV, float>;
  }
  return packed;
}

void conv3x3(const PackedConv3x3& weights, const QPlane& in, const QPlane& out) {
  if (!weights.ukernel_int8) throw std::invalid_argument("qs8 conv3x3: these weights produce floats");
  conv3x3_any(weights, weights.ukernel_int8, in, out.data, out.row_stride, out.channels, out.height, out.width);
}

void conv3x3(const PackedConv3x3& weights, const QPlane& in, const optimized_ops::Plane& out) {
  if (!weights.ukernel_float) throw std::invalid_argument("qs8 conv3x3: these weights produce int8 values");
  conv3x3_any(weights, weights.ukernel_float, in, out.data, out.row_stride, out.channels, out.height, out.width);
}

void quantize(std::span<const float> input, float scale, const QPlane& out) {
  const size_t row = out.width * out.channels;
  if (input.size() != out.height * row) throw std::invalid_argument("qs8 quantize: input size does not match plane");
  for (size_t y = 0; y < out.height; ++y) quantize_values(input.subspan(y * row, row), scale, {out.pixel(y, 0), row});
}

void quantize_values(std::span<const float> input, float scale, std::span<int16_t> out) {
  const float inverse = 1.0f / scale;
  for (size_t i = 0; i < input.size(); ++i) out[i] = qs8::quantize(input[i], inverse);
}

void maxpool2x2(const QPlane& in, const QPlane& out) {
  const size_t c = in.channels;
  for (size_t y = 0; y < out.height; ++y) {
    for (size_t x = 0; x < out.width; ++x) {
      const int16_t* a = in.pixel(2 * y, 2 * x);
      const int16_t* b = in.pixel(2 * y + 1, 2 * x);
      int16_t* o = out.pixel(y, x);
      // Plain loops over contiguous channels: the compiler vectorises them (pmaxsw, i16x8.max_s).
      for (size_t i = 0; i < c; ++i) o[i] = std::max(std::max(a[i], a[c + i]), std::max(b[i], b[c + i]));
    }
  }
}

void relu(std::span<int16_t> data) {
  for (int16_t& v : data) v = std::max<int16_t>(v, 0);
}

PackedLinear pack_linear(const qs8_reference_ops::QuantizedWeights& w, size_t out_features, size_t in_features,
                         bool relu) {
  if (w.weight.size() != out_features * in_features || w.scales.size() != out_features ||
      w.bias.size() != out_features) {
    throw std::invalid_argument("qs8 pack_linear: weight must be [out][in], scales and bias [out]");
  }
  PackedLinear packed;
  packed.in_features = in_features;
  packed.out_features = out_features;
  pack_pairs(packed.weights, out_features, kLinearNB, 1, in_features,
             [&](size_t n, size_t, size_t k) { return w.weight[n * in_features + k]; });
  pack_requantization(w, out_features, kLinearNB, 0.0f, packed.multiplier, packed.bias);
  packed.min = qs8::output_min(relu, 0.0f);
  packed.max = qs8::output_max(0.0f);
  return packed;
}

size_t linear_input_size(size_t in_features) { return ceil_div(in_features, 2) * 2; }

void linear(const PackedLinear& weights, std::span<const int16_t> in, std::span<float> out) {
  if (in.size() != linear_input_size(weights.in_features) || out.size() != weights.out_features) {
    throw std::invalid_argument("qs8 linear: sizes do not match the packed weights");
  }
  const size_t pairs = in.size() / 2;
  const size_t block_stride = kLinearNB * pairs * 2;
  for (size_t n0 = 0; n0 < weights.out_features; n0 += kLinearNB) {
    kernels::qs8_gemv_minmax<kLinearNV>(pairs, in.data(), weights.weights.data() + (n0 / kLinearNB) * block_stride,
                                        weights.multiplier.data() + n0, weights.bias.data() + n0, out.data() + n0,
                                        std::min(kLinearNB, weights.out_features - n0), weights.min, weights.max);
  }
}

}  // namespace leafcheck::qs8_ops
