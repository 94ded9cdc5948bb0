#include "detail_check.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace leafcheck {

float colour_stddev(const RgbImage& image) {
  const size_t pixels = static_cast<size_t>(std::max(image.width, 0)) * static_cast<size_t>(std::max(image.height, 0));
  if (pixels == 0 || image.pixels.size() < pixels * 3) return 0.0f;
  // Two passes: the one-pass formula cancels badly for a one-colour image (1e-5 instead of 0).
  double mean[3] = {};
  for (size_t i = 0; i < pixels * 3; ++i) mean[i % 3] += image.pixels[i];
  for (double& m : mean) m /= static_cast<double>(pixels);
  double squares = 0;
  for (size_t i = 0; i < pixels * 3; ++i) squares += (image.pixels[i] - mean[i % 3]) * (image.pixels[i] - mean[i % 3]);
  return static_cast<float>(std::sqrt(squares / static_cast<double>(pixels * 3)));
}

bool has_something_to_see(int photo_width, int photo_height, const RgbImage& model_input) {
  const int shorter = std::min(photo_width, photo_height), longer = std::max(photo_width, photo_height);
  if (shorter < kMinCropSide) return false;
  if (longer > static_cast<long long>(kMaxAspect) * shorter) return false;
  return colour_stddev(model_input) >= kMinColourStddev;
}

}  // namespace leafcheck
