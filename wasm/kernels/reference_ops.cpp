#include "reference_ops.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace leafcheck::reference_ops {

void conv3x3(std::span<const float> input, ImageShape in, std::span<const float> weight, std::span<const float> bias,
             size_t out_channels, bool relu, std::span<float> output) {
  for (size_t y = 0; y < in.height; ++y) {
    for (size_t x = 0; x < in.width; ++x) {
      for (size_t o = 0; o < out_channels; ++o) {
        float sum = bias[o];
        for (size_t ky = 0; ky < 3; ++ky) {
          for (size_t kx = 0; kx < 3; ++kx) {
            // Padding 1: tap (ky, kx) reads pixel (y + ky - 1, x + kx - 1), zero outside the image.
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
        output[(y * in.width + x) * out_channels + o] = relu ? std::max(sum, 0.0f) : sum;
      }
    }
  }
}

void maxpool2x2(std::span<const float> input, ImageShape in, std::span<float> output) {
  const size_t oh = in.height / 2;
  const size_t ow = in.width / 2;
  for (size_t y = 0; y < oh; ++y) {
    for (size_t x = 0; x < ow; ++x) {
      for (size_t c = 0; c < in.channels; ++c) {
        float m = -std::numeric_limits<float>::infinity();
        for (size_t dy = 0; dy < 2; ++dy) {
          for (size_t dx = 0; dx < 2; ++dx) {
            m = std::max(m, input[((2 * y + dy) * in.width + 2 * x + dx) * in.channels + c]);
          }
        }
        output[(y * ow + x) * in.channels + c] = m;
      }
    }
  }
}

void global_avg_pool(std::span<const float> input, ImageShape in, std::span<float> output) {
  const size_t pixels = in.height * in.width;
  for (size_t c = 0; c < in.channels; ++c) {
    double sum = 0.0;
    for (size_t p = 0; p < pixels; ++p) sum += input[p * in.channels + c];
    output[c] = static_cast<float>(sum / static_cast<double>(pixels));
  }
}

void linear(std::span<const float> input, std::span<const float> weight, std::span<const float> bias, bool relu,
            std::span<float> output) {
  const size_t in = input.size();
  for (size_t o = 0; o < output.size(); ++o) {
    float sum = bias[o];
    for (size_t i = 0; i < in; ++i) sum += weight[o * in + i] * input[i];
    output[o] = relu ? std::max(sum, 0.0f) : sum;
  }
}

void relu(std::span<float> data) {
  for (float& v : data) v = std::max(v, 0.0f);
}

void softmax(std::span<const float> logits, std::span<float> output) {
  if (logits.empty()) return;
  const float max = *std::max_element(logits.begin(), logits.end());
  double sum = 0.0;
  for (size_t i = 0; i < logits.size(); ++i) {
    output[i] = std::exp(logits[i] - max);
    sum += output[i];
  }
  const float scale = static_cast<float>(1.0 / sum);
  for (size_t i = 0; i < logits.size(); ++i) output[i] *= scale;
}

}  // namespace leafcheck::reference_ops
