#include "quantize.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>

#include "dataset.h"
#include "file_io.h"
#include "float_runner.h"
#include "image.h"

namespace leafcheck {
namespace {

constexpr float kQMax = 127.0f;

float max_abs(std::span<const float> values) {
  float m = 0.0f;
  for (float v : values) m = std::max(m, std::fabs(v));
  return m;
}

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

std::vector<std::filesystem::path> calibration_photos(const std::filesystem::path& root) {
  namespace fs = std::filesystem;
  std::vector<fs::path> photos;
  const auto training_split_of = [&](const fs::path& dataset_root, bool field) {
    for (const DatasetItem& item : scan_dataset(dataset_root).items) {
      const std::string name = item.path.filename().string();
      if (field ? !is_field_test_crop(name) : item.split == Split::Train) photos.push_back(item.path);
    }
  };
  std::error_code ec;
  if (!fs::is_directory(root / "plantvillage", ec)) {
    training_split_of(root, false);
  } else {
    training_split_of(root / "plantvillage", false);
    if (fs::is_directory(root / "background_without_leaves", ec)) {
      for (const fs::path& photo : image_files_in(root / "background_without_leaves", false)) {
        if (split_of(photo.filename().string()) == Split::Train) photos.push_back(photo);
      }
    }
    if (fs::is_directory(root / "plantdoc_field", ec)) training_split_of(root / "plantdoc_field", true);
  }
  if (photos.empty()) throw std::runtime_error(root.string() + ": no training-split images to calibrate on");
  return photos;
}

std::vector<std::vector<float>> calibration_inputs(const ModelSpec& spec, const std::filesystem::path& root,
                                                   size_t count) {
  const std::vector<std::filesystem::path> train = calibration_photos(root);
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

std::vector<std::vector<float>> input_channel_ranges(const ModelSpec& spec, std::span<const std::vector<float>> inputs) {
  const FloatRunner runner(spec);
  std::vector<std::vector<float>> ranges(spec.layers.size());
  for (const std::vector<float>& input : inputs) {
    runner.run(input, [&](size_t layer, std::vector<float>& x, size_t channels) {
      std::vector<float>& m = ranges[layer];
      m.resize(channels, 0.0f);
      for (size_t k = 0; k < x.size(); ++k) m[k % channels] = std::max(m[k % channels], std::fabs(x[k]));
    });
  }
  return ranges;
}

ModelSpec equalize_channels(const ModelSpec& source, std::span<const std::vector<float>> ranges, float alpha) {
  if (ranges.size() != source.layers.size()) throw ModelError("equalize_channels: one range list per layer expected");
  ModelSpec spec = source;
  std::optional<size_t> producer;
  for (size_t j = 0; j < spec.layers.size(); ++j) {
    Layer& consumer = spec.layers[j];
    if (consumer.kind != LayerKind::Conv3x3 && consumer.kind != LayerKind::Linear) continue;
    if (producer) {
      Layer& from = spec.layers[*producer];
      // Per input channel c, its largest weight relative to the largest of the same output row: the
      // consumer's weights are quantized per output row, so a row's own scale does not count.
      const size_t outputs = consumer.weight.shape[0], channels = consumer.weight.shape[1];
      const size_t taps = consumer.weight.data.size() / (outputs * channels);
      std::vector<float> row_max(outputs, 0.0f), weight(channels, 0.0f);
      const auto at = [&](size_t o, size_t c, size_t t) -> float& { return consumer.weight.data[(o * channels + c) * taps + t]; };
      for (size_t o = 0; o < outputs; ++o) {
        row_max[o] = max_abs(std::span(consumer.weight.data).subspan(o * channels * taps, channels * taps));
        if (row_max[o] == 0.0f) continue;
        for (size_t c = 0; c < channels; ++c) {
          for (size_t t = 0; t < taps; ++t) weight[c] = std::max(weight[c], std::fabs(at(o, c, t)) / row_max[o]);
        }
      }
      const std::vector<float>& range = ranges[j];
      if (range.size() != channels) throw ModelError("equalize_channels: a range per input channel expected");
      const size_t per_output = from.weight.data.size() / channels;
      for (size_t c = 0; c < channels; ++c) {
        if (range[c] <= 0.0f || weight[c] <= 0.0f) continue;
        const float scale = std::pow(range[c], alpha) / std::pow(weight[c], 1.0f - alpha);
        for (size_t k = 0; k < per_output; ++k) from.weight.data[c * per_output + k] /= scale;
        from.bias.data[c] /= scale;
        for (size_t o = 0; o < outputs; ++o) {
          for (size_t t = 0; t < taps; ++t) at(o, c, t) *= scale;
        }
      }
      // The scaled values are no longer what an f16 file held.
      from.weight.dtype = from.bias.dtype = consumer.weight.dtype = DType::F32;
    }
    producer = j;
  }
  return spec;
}

ModelSpec quantize_model(const ModelSpec& spec, std::span<const std::vector<float>> calibration) {
  if (is_quantized(spec)) throw ModelError("the model is already int8; quantize its f32 or f16 source");
  if (calibration.empty()) throw ModelError("quantization needs at least one calibration image");
  validate_model(spec);
  ModelSpec out = equalize_channels(spec, input_channel_ranges(spec, calibration), kEqualizationAlpha);
  const std::vector<std::vector<float>> ranges = input_channel_ranges(out, calibration);
  for (size_t i = 0; i < out.layers.size(); ++i) {
    Layer& layer = out.layers[i];
    if (layer.kind != LayerKind::Conv3x3 && layer.kind != LayerKind::Linear) continue;
    // An input that was always zero gets any positive scale: every value quantizes to 0 either way.
    const float m = *std::max_element(ranges[i].begin(), ranges[i].end());
    layer.input_scale = m > 0.0f ? m / kQMax : 1.0f;
    quantize_weight(layer.weight);
    layer.bias.dtype = DType::F32;
  }
  validate_model(out);
  return out;
}

}  // namespace leafcheck
