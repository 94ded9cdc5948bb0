#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "leaf_check.h"

using leafcheck::plant_pixel_fraction;
using leafcheck::RgbImage;

namespace {

RgbImage uniform(int w, int h, uint8_t r, uint8_t g, uint8_t b) {
  RgbImage image{w, h, std::vector<uint8_t>(static_cast<size_t>(w * h) * 3)};
  for (size_t i = 0; i < image.pixels.size(); i += 3) {
    image.pixels[i] = r;
    image.pixels[i + 1] = g;
    image.pixels[i + 2] = b;
  }
  return image;
}

// The textbook HSV definition the integer version must agree with.
bool plant_pixel_hsv(float r, float g, float b) {
  const float max = std::max({r, g, b}), min = std::min({r, g, b}), d = max - min;
  if (d <= 0 || max <= 0) return false;
  float hue;
  if (max == r) hue = 60 * std::fmod((g - b) / d, 6.0f);
  else if (max == g) hue = 60 * ((b - r) / d + 2);
  else hue = 60 * ((r - g) / d + 4);
  if (hue < 0) hue += 360;
  return d / max >= 0.18f && max / 255.0f >= 0.12f && hue >= 20 && hue <= 170;
}

}  // namespace

TEST_CASE("leaf colours count as plant pixels, sky, grey and dark pixels do not") {
  CHECK(plant_pixel_fraction(uniform(4, 3, 60, 140, 50)) == 1.0f);    // leaf green
  CHECK(plant_pixel_fraction(uniform(4, 3, 150, 100, 50)) == 1.0f);   // brown lesion (hue 30)
  CHECK(plant_pixel_fraction(uniform(4, 3, 200, 190, 60)) == 1.0f);   // yellowing
  CHECK(plant_pixel_fraction(uniform(4, 3, 128, 128, 128)) == 0.0f);  // grey wall
  CHECK(plant_pixel_fraction(uniform(4, 3, 90, 150, 230)) == 0.0f);   // sky
  CHECK(plant_pixel_fraction(uniform(4, 3, 200, 40, 60)) == 0.0f);    // red
  CHECK(plant_pixel_fraction(uniform(4, 3, 10, 25, 10)) == 0.0f);     // too dark to judge
  CHECK(plant_pixel_fraction(RgbImage{}) == 0.0f);
}

TEST_CASE("the fraction counts pixels") {
  RgbImage image = uniform(2, 2, 128, 128, 128);
  image.pixels[0] = 60, image.pixels[1] = 140, image.pixels[2] = 50;
  CHECK(plant_pixel_fraction(image) == doctest::Approx(0.25));
}

TEST_CASE("integer test agrees with the HSV definition on random pixels") {
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> byte(0, 255);
  int checked = 0;
  for (int i = 0; i < 200000; ++i) {
    const uint8_t r = static_cast<uint8_t>(byte(rng)), g = static_cast<uint8_t>(byte(rng)), b = static_cast<uint8_t>(byte(rng));
    const float expected = plant_pixel_hsv(r, g, b) ? 1.0f : 0.0f;
    const float actual = plant_pixel_fraction(uniform(1, 1, r, g, b));
    // Float rounding may flip a pixel lying exactly on a threshold; those are not counted as errors.
    const float max = std::max({r, g, b}), d = max - std::min({r, g, b});
    const bool on_edge = 50 * d == 9 * max || 100 * max == 3060 || 3 * (g - b) == d || 6 * (b - r) == 5 * d;
    if (!on_edge) {
      REQUIRE(actual == expected);
      ++checked;
    }
  }
  CHECK(checked > 199000);
}
