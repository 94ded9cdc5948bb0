#include "augment.h"

#include <algorithm>
#include <cmath>

namespace leafcheck::train {
namespace {

float uniform(std::mt19937_64& rng, float lo, float hi) { return std::uniform_real_distribution<float>(lo, hi)(rng); }

torch::Tensor random_crop_resized(const torch::Tensor& image, const AugmentConfig& config, std::mt19937_64& rng) {
  const int64_t height = image.size(1), width = image.size(2);
  const float area = uniform(rng, config.min_crop_area, 1.0f);
  const float aspect = uniform(rng, 1.0f - config.max_aspect_change, 1.0f + config.max_aspect_change);
  const int64_t crop_h = std::clamp<int64_t>(std::lround(height * std::sqrt(area / aspect)), 1, height);
  const int64_t crop_w = std::clamp<int64_t>(std::lround(width * std::sqrt(area * aspect)), 1, width);
  if (crop_h == height && crop_w == width) return image;
  const int64_t top = std::uniform_int_distribution<int64_t>(0, height - crop_h)(rng);
  const int64_t left = std::uniform_int_distribution<int64_t>(0, width - crop_w)(rng);
  auto crop = image.slice(1, top, top + crop_h).slice(2, left, left + crop_w).unsqueeze(0);
  namespace F = torch::nn::functional;
  return F::interpolate(crop, F::InterpolateFuncOptions()
                                  .size(std::vector<int64_t>{height, width})
                                  .mode(torch::kBilinear)
                                  .align_corners(false))
      .squeeze(0);
}

torch::Tensor jitter_colour(torch::Tensor image, const AugmentConfig& config, std::mt19937_64& rng) {
  const float brightness = uniform(rng, 1.0f - config.brightness, 1.0f + config.brightness);
  const float contrast = uniform(rng, 1.0f - config.contrast, 1.0f + config.contrast);
  const float saturation = uniform(rng, 1.0f - config.saturation, 1.0f + config.saturation);
  image = image * brightness;
  auto gray = image[0] * 0.299f + image[1] * 0.587f + image[2] * 0.114f;  // [H, W]
  auto mean_gray = gray.mean();
  image = (image - mean_gray) * contrast + mean_gray;
  gray = image[0] * 0.299f + image[1] * 0.587f + image[2] * 0.114f;
  image = (image - gray) * saturation + gray;
  return image.clamp(0.0f, 1.0f);
}

}  // namespace

torch::Tensor augment_batch(const torch::Tensor& batch, const AugmentConfig& config, std::mt19937_64& rng) {
  std::vector<torch::Tensor> out;
  out.reserve(static_cast<size_t>(batch.size(0)));
  for (int64_t i = 0; i < batch.size(0); ++i) {
    torch::Tensor image = batch[i];
    if (config.min_crop_area < 1.0f) image = random_crop_resized(image, config, rng);
    if (config.flips && rng() % 2) image = image.flip({2});
    if (config.flips && rng() % 2) image = image.flip({1});
    if (config.rotate90) {
      const int64_t turns = static_cast<int64_t>(rng() % 4);
      if (turns) image = torch::rot90(image, turns, {1, 2});
    }
    out.push_back(jitter_colour(image, config, rng));
  }
  return torch::stack(out).contiguous(torch::MemoryFormat::ChannelsLast);
}

}  // namespace leafcheck::train
