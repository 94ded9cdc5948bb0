#include "classifier.h"

#include "detail_check.h"
#include "leaf_check.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

namespace leafcheck {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

ModelSpec checked_spec(std::span<const uint8_t> model_bytes) {
  ModelSpec spec = parse_model(model_bytes);
  // Preprocessing produces 8-bit RGB; a model wanting other channels could not be fed.
  if (spec.input_channels != 3 || spec.mean.size() != 3 || spec.stddev.size() != 3) {
    throw ModelError("the model expects " + std::to_string(spec.input_channels) +
                     " input channels; Leafcheck feeds RGB images (3 channels)");
  }
  return spec;
}

}  // namespace

Classifier::Classifier(std::span<const uint8_t> model_bytes, KernelSet kernels, size_t threads)
    : spec_(checked_spec(model_bytes)), network_(spec_, kernels, threads), input_(network_.input_size()) {
  // The network holds its own packed copy of the weights; keeping the parsed ones would double the memory.
  // Layer kinds and shapes stay, so the architecture can still be described.
  for (Layer& layer : spec_.layers) {
    std::vector<float>().swap(layer.weight.data);
    std::vector<float>().swap(layer.bias.data);
    std::vector<int8_t>().swap(layer.weight.quantized);
  }
}

Classification Classifier::classify_encoded(std::span<const uint8_t> bytes, int top_k) {
  const auto start = Clock::now();
  const RgbImage image = decode_image(bytes, limits_);
  const double decode_ms = ms_since(start);
  Classification result = classify_rgb(image, top_k);
  result.timings.decode_ms = decode_ms;
  return result;
}

Classification Classifier::classify_rgba(std::span<const uint8_t> rgba, int width, int height, int top_k) {
  return classify_rgba_cropped(rgba, width, height, std::nullopt, top_k);
}

Classification Classifier::classify_rgba(std::span<const uint8_t> rgba, int width, int height,
                                        const CropRegion& region, int top_k) {
  return classify_rgba_cropped(rgba, width, height, region, top_k);
}

Classification Classifier::classify_rgba_cropped(std::span<const uint8_t> rgba, int width, int height,
                                                const std::optional<CropRegion>& region, int top_k) {
  const auto start = Clock::now();
  const RgbImage image = rgb_from_rgba(rgba, width, height, limits_);
  const double convert_ms = ms_since(start);
  Classification result = classify_rgb(image, top_k, region);
  result.timings.preprocess_ms += convert_ms;  // dropping alpha is preparation of the pixels, not decoding
  return result;
}

Classification Classifier::classify_rgb(const RgbImage& image, int top_k, const std::optional<CropRegion>& region) {
  Classification result;
  auto start = Clock::now();
  const int input_width = static_cast<int>(spec_.input_width), input_height = static_cast<int>(spec_.input_height);
  const RgbImage resized = region ? crop_resize(image, *region, input_width, input_height)
                                  : center_crop_resize(image, input_width, input_height);
  normalize_to_nhwc(resized, spec_.mean, spec_.stddev, input_);
  result.plant_fraction = plant_pixel_fraction(resized);
  result.looks_like_leaf = result.plant_fraction >= kMinLeafFraction;
  result.something_to_see = has_something_to_see(image.width, image.height, resized);
  result.timings.preprocess_ms = ms_since(start);

  start = Clock::now();
  const std::span<const float> logits = network_.forward(input_);
  // Stable softmax: shifting by the largest logit keeps exp() from overflowing.
  const float max_logit = *std::max_element(logits.begin(), logits.end());
  std::vector<double> probabilities(logits.size());
  double sum = 0;
  for (size_t i = 0; i < logits.size(); ++i) {
    probabilities[i] = std::exp(static_cast<double>(logits[i]) - max_logit);
    sum += probabilities[i];
  }
  const size_t k = static_cast<size_t>(std::clamp<int64_t>(top_k, 1, static_cast<int64_t>(spec_.labels.size())));
  std::vector<int> order(logits.size());
  std::iota(order.begin(), order.end(), 0);
  std::partial_sort(order.begin(), order.begin() + static_cast<ptrdiff_t>(k), order.end(), [&](int a, int b) {
    return probabilities[a] != probabilities[b] ? probabilities[a] > probabilities[b] : a < b;
  });
  result.top.reserve(k);
  for (size_t i = 0; i < k; ++i) {
    const int index = order[i];
    result.top.push_back({index, spec_.labels[index], static_cast<float>(probabilities[index] / sum)});
  }
  result.timings.inference_ms = ms_since(start);
  return result;
}

}  // namespace leafcheck
