#include "random_model.h"

#include <cmath>
#include <random>

namespace leafcheck {
namespace {

Tensor random_tensor(std::vector<uint32_t> shape, float scale, std::mt19937_64& rng) {
  Tensor t;
  t.shape = std::move(shape);
  std::normal_distribution<float> normal(0.0f, scale);
  t.data.resize(t.element_count());
  for (float& v : t.data) v = normal(rng);
  return t;
}

Layer conv(uint32_t in, uint32_t out, std::mt19937_64& rng) {
  Layer layer;
  layer.kind = LayerKind::Conv3x3;
  layer.fused_relu = true;
  layer.weight = random_tensor({out, in, 3, 3}, std::sqrt(2.0f / (9.0f * in)), rng);
  layer.bias = random_tensor({out}, 0.05f, rng);
  return layer;
}

Layer linear(uint32_t in, uint32_t out, bool relu, std::mt19937_64& rng) {
  Layer layer;
  layer.kind = LayerKind::Linear;
  layer.fused_relu = relu;
  layer.weight = random_tensor({out, in}, std::sqrt(2.0f / in), rng);
  layer.bias = random_tensor({out}, 0.05f, rng);
  return layer;
}

Layer parameterless(LayerKind kind) {
  Layer layer;
  layer.kind = kind;
  return layer;
}

}  // namespace

ModelSpec make_random_model(const std::vector<std::string>& labels, uint64_t seed, const Architecture& arch) {
  std::mt19937_64 rng(seed);
  ModelSpec spec;
  spec.input_height = arch.input_size;
  spec.input_width = arch.input_size;
  spec.input_channels = 3;
  spec.mean = {0.485f, 0.456f, 0.406f};
  spec.stddev = {0.229f, 0.224f, 0.225f};
  spec.labels = labels;
  spec.metadata_json = "{\"name\":\"random-untrained\",\"trained\":false,\"seed\":" + std::to_string(seed) + "}";
  uint32_t channels = 3;
  for (uint32_t out : arch.conv_channels) {
    spec.layers.push_back(conv(channels, out, rng));
    spec.layers.push_back(parameterless(LayerKind::MaxPool2x2));
    channels = out;
  }
  spec.layers.push_back(parameterless(LayerKind::GlobalAvgPool));
  spec.layers.push_back(linear(channels, arch.hidden, true, rng));
  spec.layers.push_back(linear(arch.hidden, static_cast<uint32_t>(labels.size()), false, rng));
  return spec;
}

}  // namespace leafcheck
