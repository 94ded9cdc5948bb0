#include "leaf_check.h"

#include <algorithm>

namespace leafcheck {
namespace {

// Hue test without trigonometry or division: with max M, min m, delta d = M - m, the hue of an
// RGB triple lies in [20, 170] degrees exactly when one of these sector conditions holds.
bool plant_hue(int r, int g, int b, int max, int delta) {
  if (max == r) {  // red sector: hue = 60 * (g - b) / d, in [-60, 60]; need hue >= 20
    return 3 * (g - b) >= delta;
  }
  if (max == g) {  // green sector: hue = 120 + 60 * (b - r) / d, in [60, 180]; need hue <= 170
    return 6 * (b - r) <= 5 * delta;
  }
  return false;  // blue sector: hue in [180, 300]
}

}  // namespace

float plant_pixel_fraction(const RgbImage& image) {
  const size_t pixels = static_cast<size_t>(image.width) * static_cast<size_t>(image.height);
  if (pixels == 0 || image.pixels.size() < pixels * 3) return 0.0f;
  size_t plant = 0;
  for (size_t i = 0; i < pixels; ++i) {
    const int r = image.pixels[3 * i], g = image.pixels[3 * i + 1], b = image.pixels[3 * i + 2];
    const int max = std::max({r, g, b});
    const int delta = max - std::min({r, g, b});
    // saturation = delta / max >= 0.18 and value = max / 255 >= 0.12, in integers
    const bool vivid = 50 * delta >= 9 * max && 100 * max >= 12 * 255;
    if (vivid && delta > 0 && plant_hue(r, g, b, max, delta)) ++plant;
  }
  return static_cast<float>(plant) / static_cast<float>(pixels);
}

}  // namespace leafcheck
