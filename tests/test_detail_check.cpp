// "Nothing to see" (wasm/detail_check.h): blank, tiny, thin and transparent pictures are never judged.
#include <doctest/doctest.h>

#include <vector>

#include "classifier.h"
#include "detail_check.h"
#include "random_model.h"
#include "support/image_fixtures.h"

using namespace leafcheck;
using namespace leafcheck::fixtures;

namespace {

// Leaf green from dark to light, left to right: detail that survives any resize (colour stddev 27).
RgbImage detailed_green(int width, int height) {
  RgbImage image = solid_image(width, height, 60, 140, 50);
  for (size_t i = 0; i < image.pixels.size(); i += 3) {
    image.pixels[i + 1] = static_cast<uint8_t>(60 + (i / 3 % static_cast<size_t>(width)) * 160 / static_cast<size_t>(width));
  }
  return image;
}

}  // namespace

TEST_CASE("colour_stddev: zero for one colour, half the range for black and white halves, colour counts") {
  CHECK(colour_stddev(solid_image(9, 9, 60, 140, 50)) < 1e-6f);
  RgbImage halves = solid_image(4, 2, 0, 0, 0);
  for (size_t i = 12; i < 24; ++i) halves.pixels[i] = 255;
  CHECK(colour_stddev(halves) == doctest::Approx(127.5).epsilon(1e-4));
  CHECK(colour_stddev(RgbImage{}) == 0.0f);
  // Blue sky over grey concrete: one brightness (luma 135 and 136), clearly something to see.
  RgbImage sky = solid_image(4, 2, 90, 150, 220);
  for (size_t i = 12; i < 24; ++i) sky.pixels[i] = 136;
  CHECK(colour_stddev(sky) > 5 * kMinColourStddev);
}

TEST_CASE("has_something_to_see: size, shape and variation rules at their limits") {
  const RgbImage input = detailed_green(128, 128);
  CHECK(has_something_to_see(4032, 3024, input));
  CHECK(has_something_to_see(kMinCropSide, kMinCropSide, input));
  CHECK_FALSE(has_something_to_see(kMinCropSide - 1, 500, input));
  CHECK(has_something_to_see(100, 100 * kMaxAspect, input));
  CHECK_FALSE(has_something_to_see(100, 100 * kMaxAspect + 1, input));
  CHECK_FALSE(has_something_to_see(20000, 3, input));
  CHECK_FALSE(has_something_to_see(300, 300, solid_image(128, 128, 60, 140, 50)));
  // JPEG-like noise on a white sheet stays under the limit; PlantVillage's least varied leaf is at 11.
  RgbImage paper = solid_image(128, 128, 250, 250, 250);
  for (size_t i = 0; i < paper.pixels.size(); i += 3) {
    for (int c = 0; c < 3; ++c) paper.pixels[i + c] = static_cast<uint8_t>(paper.pixels[i + c] - (i / 3) % 7);
  }
  CHECK(colour_stddev(paper) < kMinColourStddev);
  CHECK_FALSE(has_something_to_see(300, 300, paper));
}

// The pictures a new user tried: both were named "Orange (citrus): Huanglongbing" with confidence.
TEST_CASE("a transparent PNG and a 20000x3 green strip have nothing to see; a detailed leaf has") {
  Classifier classifier(serialize_model(make_random_model({"Apple___healthy", "Orange___Haunglongbing_(Citrus_greening)"}, 3,
                                                          Architecture{16, {4, 8}, 8})));
  std::vector<uint8_t> transparent_green(300 * 300 * 4);
  for (size_t i = 0; i < transparent_green.size(); i += 4) transparent_green[i + 1] = 160;
  const Classification transparent = classifier.classify_encoded(encode_png(transparent_green, 300, 300, 4));
  CHECK_FALSE(transparent.something_to_see);
  CHECK_FALSE(classifier.classify_rgba(transparent_green, 300, 300).something_to_see);

  const Classification strip = classifier.classify_encoded(encode_png(detailed_green(20000, 3)));
  CHECK_FALSE(strip.something_to_see);
  CHECK(strip.looks_like_leaf);  // plant-coloured: the leaf check alone let it through

  const Classification leaf = classifier.classify_encoded(encode_png(detailed_green(300, 200)));
  CHECK(leaf.something_to_see);
  CHECK(leaf.looks_like_leaf);
}
