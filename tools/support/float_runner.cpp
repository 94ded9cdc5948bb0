#include "float_runner.h"

#include <algorithm>

#include "kernels/reference_ops.h"

namespace leafcheck {
namespace {

namespace opt = optimized_ops;
namespace ref = reference_ops;

std::vector<float> conv(const opt::PackedConv3x3& w, std::span<const float> x, ref::ImageShape s, bool relu) {
  const size_t row = (s.width + 2) * s.channels;
  std::vector<float> padded((s.height + 2) * row, 0.0f);
  for (size_t y = 0; y < s.height; ++y) {
    std::copy_n(x.data() + y * s.width * s.channels, s.width * s.channels, padded.data() + (y + 1) * row + s.channels);
  }
  std::vector<float> out(s.height * s.width * w.out_channels);
  opt::conv3x3(w, {padded.data() + row + s.channels, s.height, s.width, s.channels, row},
               {out.data(), s.height, s.width, w.out_channels, s.width * w.out_channels}, opt::Clamp::relu_if(relu));
  return out;
}

}  // namespace

FloatRunner::FloatRunner(const ModelSpec& spec) : spec_(is_quantized(spec) ? dequantized(spec) : spec) {
  for (const Layer& layer : spec_.layers) {
    packed_.push_back(layer.kind == LayerKind::Conv3x3
                          ? opt::pack_conv3x3(layer.weight.data, layer.bias.data, layer.weight.shape[0],
                                              layer.weight.shape[1])
                          : opt::PackedConv3x3{});
  }
}

std::vector<float> FloatRunner::run(std::span<const float> input, const Hook& before_layer) const {
  ref::ImageShape shape{spec_.input_height, spec_.input_width, spec_.input_channels};
  std::vector<float> x(input.begin(), input.end());
  bool spatial = true;
  for (size_t i = 0; i < spec_.layers.size(); ++i) {
    const Layer& layer = spec_.layers[i];
    std::vector<float> y;
    switch (layer.kind) {
      case LayerKind::Conv3x3:
        before_layer(i, x, shape.channels);
        y = conv(packed_[i], x, shape, layer.fused_relu);
        shape.channels = layer.weight.shape[0];
        break;
      case LayerKind::MaxPool2x2:
        y.resize(shape.height / 2 * (shape.width / 2) * shape.channels);
        ref::maxpool2x2(x, shape, y);
        shape = {shape.height / 2, shape.width / 2, shape.channels};
        break;
      case LayerKind::GlobalAvgPool:
        y.resize(shape.channels);
        ref::global_avg_pool(x, shape, y);
        spatial = false;
        break;
      case LayerKind::Linear:
        before_layer(i, x, x.size());
        y.resize(layer.weight.shape[0]);
        ref::linear(x, layer.weight.data, layer.bias.data, layer.fused_relu, y);
        break;
      case LayerKind::Relu:
        y = x;
        ref::relu(y);
        break;
    }
    x = std::move(y);
    if (!spatial) shape = {1, 1, x.size()};
  }
  return x;
}

}  // namespace leafcheck
