#include "qs8_reference_ops.h"

#include <algorithm>
#include <cmath>

#include "qs8_params.h"

namespace leafcheck::qs8_reference_ops {
namespace {

int32_t conv_sum(std::span<const int16_t> input, ImageShape in, std::span<const int8_t> weight, size_t y, size_t x,
                 size_t o) {
  int32_t sum = 0;
  for (size_t ky = 0; ky < 3; ++ky) {
    for (size_t kx = 0; kx < 3; ++kx) {
      const ptrdiff_t iy = static_cast<ptrdiff_t>(y + ky) - 1;
      const ptrdiff_t ix = static_cast<ptrdiff_t>(x + kx) - 1;
      if (iy < 0 || ix < 0 || iy >= static_cast<ptrdiff_t>(in.height) || ix >= static_cast<ptrdiff_t>(in.width)) {
        continue;
      }
      for (size_t i = 0; i < in.channels; ++i) {
        sum += input[(static_cast<size_t>(iy) * in.width + static_cast<size_t>(ix)) * in.channels + i] *
               weight[((o * in.channels + i) * 3 + ky) * 3 + kx];
      }
    }
  }
  return sum;
}

// acc in output units, clamped; out_scale 0 keeps it a float.
float requantize(int32_t acc, const QuantizedWeights& w, size_t o, bool relu, float out_scale) {
  const float v = static_cast<float>(acc) * qs8::output_multiplier(w.input_scale, w.scales[o], out_scale) +
                  qs8::output_bias(w.bias[o], out_scale);
  return std::clamp(v, qs8::output_min(relu, out_scale), qs8::output_max(out_scale));
}

template <typename Out>
void conv3x3_any(std::span<const int16_t> input, ImageShape in, const QuantizedWeights& w, bool relu, float out_scale,
                 std::span<Out> output) {
  const size_t out_channels = w.scales.size();
  for (size_t y = 0; y < in.height; ++y) {
    for (size_t x = 0; x < in.width; ++x) {
      for (size_t o = 0; o < out_channels; ++o) {
        const float v = requantize(conv_sum(input, in, w.weight, y, x, o), w, o, relu, out_scale);
        output[(y * in.width + x) * out_channels + o] = static_cast<Out>(out_scale > 0.0f ? std::nearbyint(v) : v);
      }
    }
  }
}

}  // namespace

void quantize(std::span<const float> input, float scale, std::span<int16_t> output) {
  const float inverse = 1.0f / scale;
  for (size_t i = 0; i < input.size(); ++i) output[i] = qs8::quantize(input[i], inverse);
}

void conv3x3(std::span<const int16_t> input, ImageShape in, const QuantizedWeights& w, bool relu, float out_scale,
             std::span<int16_t> output) {
  conv3x3_any(input, in, w, relu, out_scale, output);
}

void conv3x3(std::span<const int16_t> input, ImageShape in, const QuantizedWeights& w, bool relu,
             std::span<float> output) {
  conv3x3_any(input, in, w, relu, 0.0f, output);
}

void maxpool2x2(std::span<const int16_t> input, ImageShape in, std::span<int16_t> output) {
  const size_t oh = in.height / 2;
  const size_t ow = in.width / 2;
  for (size_t y = 0; y < oh; ++y) {
    for (size_t x = 0; x < ow; ++x) {
      for (size_t c = 0; c < in.channels; ++c) {
        int16_t m = input[(2 * y * in.width + 2 * x) * in.channels + c];
        for (size_t dy = 0; dy < 2; ++dy) {
          for (size_t dx = 0; dx < 2; ++dx) m = std::max(m, input[((2 * y + dy) * in.width + 2 * x + dx) * in.channels + c]);
        }
        output[(y * ow + x) * in.channels + c] = m;
      }
    }
  }
}

void relu(std::span<int16_t> data) {
  for (int16_t& v : data) v = std::max<int16_t>(v, 0);
}

void linear(std::span<const int16_t> input, const QuantizedWeights& w, bool relu, std::span<float> output) {
  const size_t in = input.size();
  for (size_t o = 0; o < output.size(); ++o) {
    int32_t sum = 0;
    for (size_t i = 0; i < in; ++i) sum += w.weight[o * in + i] * input[i];
    output[o] = requantize(sum, w, o, relu, 0.0f);
  }
}

}  // namespace leafcheck::qs8_reference_ops
