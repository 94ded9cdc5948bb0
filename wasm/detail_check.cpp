#include "detail_check.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace leafcheck {

float luma_stddev(const RgbImage& image) {
  const size_t pixels = static_cast<size_t>(std::max(image.width, 0)) * static_cast<size_t>(std::max(image.height, 0));
  if (pixels == 0 || image.pixels.size() < pixels * 3) return 0.0f;
  const auto luma = [&](size_t i) {
    return 0.299 * image.pixels[3 * i] + 0.587 * image.pixels[3 * i + 1] + 0.114 * image.pixels[3 * i + 2];
  };
  // Two passes: the one-pass formula cancels badly for a one-colour image (1e-5 instead of 0).
  double sum = 0;
  for (size_t i = 0; i < pixels; ++i) sum += luma(i);
  const double mean = sum / static_cast<double>(pixels);
  double squares = 0;
  for (size_t i = 0; i < pixels; ++i) squares += (luma(i) - mean) * (luma(i) - mean);
  return static_cast<float>(std::sqrt(squares / static_cast<double>(pixels)));
}

bool has_something_to_see(int photo_width, int photo_height, const RgbImage& model_input) {
  const int shorter = std::min(photo_width, photo_height), longer = std::max(photo_width, photo_height);
  if (shorter < kMinCropSide) return false;
  if (longer > static_cast<long long>(kMaxAspect) * shorter) return false;
  return luma_stddev(model_input) >= kMinLumaStddev;
}

}  // namespace leafcheck
