#include "quantize.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "dataset.h"
#include "file_io.h"
#include "image.h"
#include "kernels/optimized_ops.h"
#include "kernels/reference_ops.h"

namespace leafcheck {
namespace {

namespace opt = optimized_ops;
namespace ref = reference_ops;

constexpr float kQMax = 127.0f;

float max_abs(std::span<const float> values) {
  float m = 0.0f;
  for (float v : values) m = std::max(m, std::fabs(v));
  return m;
}

// Runs the f32 network layer by layer and records the largest |input| of every conv3x3 and linear.
// The conv runs on the optimized kernels (the scalar one would take seconds per image).
class Calibrator {
 public:
  explicit Calibrator(const ModelSpec& spec) : spec_(spec), input_max_(spec.layers.size(), 0.0f) {
    for (const Layer& layer : spec.layers) {
      packed_.push_back(layer.kind == LayerKind::Conv3x3
                            ? opt::pack_conv3x3(layer.weight.data, layer.bias.data, layer.weight.shape[0],
                                                layer.weight.shape[1])
                            : opt::PackedConv3x3{});
    }
  }

  void observe(std::span<const float> input) {
    ref::ImageShape shape{spec_.input_height, spec_.input_width, spec_.input_channels};
    std::vector<float> x(input.begin(), input.end());
    bool spatial = true;
    for (size_t i = 0; i < spec_.layers.size(); ++i) {
      const Layer& layer = spec_.layers[i];
      std::vector<float> y;
      switch (layer.kind) {
        case LayerKind::Conv3x3: {
          input_max_[i] = std::max(input_max_[i], max_abs(x));
          y = conv(packed_[i], x, shape, layer.fused_relu);
          shape.channels = layer.weight.shape[0];
          break;
        }
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
          input_max_[i] = std::max(input_max_[i], max_abs(x));
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
  }

  float input_max(size_t layer) const { return input_max_[layer]; }

 private:
  static std::vector<float> conv(const opt::PackedConv3x3& w, std::span<const float> x, ref::ImageShape s, bool relu) {
    const size_t row = (s.width + 2) * s.channels;
    std::vector<float> padded((s.height + 2) * row, 0.0f);
    for (size_t y = 0; y < s.height; ++y) {
      std::copy_n(x.data() + y * s.width * s.channels, s.width * s.channels,
                  padded.data() + (y + 1) * row + s.channels);
    }
    std::vector<float> out(s.height * s.width * w.out_channels);
    opt::conv3x3(w, {padded.data() + row + s.channels, s.height, s.width, s.channels, row},
                 {out.data(), s.height, s.width, w.out_channels, s.width * w.out_channels},
                 opt::Clamp::relu_if(relu));
    return out;
  }

  const ModelSpec& spec_;
  std::vector<opt::PackedConv3x3> packed_;
  std::vector<float> input_max_;
};

// Per output channel (the first dimension): scale = max |w| / 127, q = round(w / scale).
void quantize_weight(Tensor& weight) {
  const size_t outputs = weight.shape[0];
  const size_t per_output = weight.data.size() / outputs;
  weight.scales.assign(outputs, 1.0f);
  weight.quantized.assign(weight.data.size(), 0);
  for (size_t o = 0; o < outputs; ++o) {
    const std::span<const float> row(weight.data.data() + o * per_output, per_output);
    const float m = max_abs(row);
    if (m > 0.0f) weight.scales[o] = m / kQMax;
    for (size_t k = 0; k < per_output; ++k) {
      weight.quantized[o * per_output + k] =
          static_cast<int8_t>(std::clamp(std::nearbyint(row[k] / weight.scales[o]), -kQMax, kQMax));
    }
  }
  weight.data.clear();
  weight.dtype = DType::Qs8;
}

}  // namespace

std::vector<std::vector<float>> calibration_inputs(const ModelSpec& spec, const std::filesystem::path& root,
                                                   size_t count) {
  const Dataset dataset = scan_dataset(root);
  std::vector<std::filesystem::path> train;
  for (const DatasetItem& item : dataset.items) {
    if (item.split == Split::Train) train.push_back(item.path);
  }
  if (train.empty()) throw std::runtime_error(root.string() + ": no training-split images to calibrate on");
  count = std::min(count, train.size());
  std::vector<std::vector<float>> inputs;
  for (size_t i = 0; i < count; ++i) {
    const std::filesystem::path& path = train[i * train.size() / count];
    const RgbImage image = center_crop_resize(decode_image(read_file(path)), static_cast<int>(spec.input_width),
                                              static_cast<int>(spec.input_height));
    std::vector<float> input(size_t{spec.input_height} * spec.input_width * spec.input_channels);
    normalize_to_nhwc(image, spec.mean, spec.stddev, input);
    inputs.push_back(std::move(input));
  }
  return inputs;
}

ModelSpec quantize_model(const ModelSpec& spec, std::span<const std::vector<float>> calibration) {
  if (is_quantized(spec)) throw ModelError("the model is already int8; quantize its f32 or f16 source");
  if (calibration.empty()) throw ModelError("quantization needs at least one calibration image");
  validate_model(spec);
  Calibrator calibrator(spec);
  for (const std::vector<float>& input : calibration) calibrator.observe(input);

  ModelSpec out = spec;
  for (size_t i = 0; i < out.layers.size(); ++i) {
    Layer& layer = out.layers[i];
    if (layer.kind != LayerKind::Conv3x3 && layer.kind != LayerKind::Linear) continue;
    // An input that was always zero gets any positive scale: every value quantizes to 0 either way.
    const float m = calibrator.input_max(i);
    layer.input_scale = m > 0.0f ? m / kQMax : 1.0f;
    quantize_weight(layer.weight);
    layer.bias.dtype = DType::F32;
  }
  validate_model(out);
  return out;
}

}  // namespace leafcheck
