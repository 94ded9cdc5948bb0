#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "classifier.h"
#include "kernels/qs8_vec.h"
#include "quantize.h"
#include "random_model.h"
#include "support/image_fixtures.h"

using namespace leafcheck;
using namespace leafcheck::fixtures;

namespace {

const std::vector<std::string> kLabels = {"Apple___healthy", "Apple___scab", "Grape___healthy", "Potato___blight",
                                          "Tomato___healthy"};

ModelSpec small_model() { return make_random_model(kLabels, 42, Architecture{16, {4, 8}, 8}); }

std::vector<uint8_t> small_model_bytes() { return serialize_model(small_model()); }

std::vector<uint8_t> rgba_of(const RgbImage& image) {
  std::vector<uint8_t> rgba;
  for (size_t i = 0; i < image.pixels.size(); i += 3) {
    rgba.insert(rgba.end(), {image.pixels[i], image.pixels[i + 1], image.pixels[i + 2], 255});
  }
  return rgba;
}

}  // namespace

TEST_CASE("probabilities are a softmax of the network's logits, sorted, with the right labels") {
  const ModelSpec spec = small_model();
  Classifier classifier(serialize_model(spec));
  const RgbImage image = random_image(40, 30, 1);
  const Classification result = classifier.classify_encoded(encode_png(image), static_cast<int>(kLabels.size()));
  REQUIRE(result.top.size() == kLabels.size());

  // The same pixels through the pieces, with the softmax written out here.
  Network network(spec);
  std::vector<float> input(network.input_size());
  normalize_to_nhwc(center_crop_resize(image, 16, 16), spec.mean, spec.stddev, input);
  const std::span<const float> logits = network.forward(input);
  double max_logit = logits[0], sum = 0;
  for (float l : logits) max_logit = std::max<double>(max_logit, l);
  for (float l : logits) sum += std::exp(l - max_logit);

  double total = 0;
  for (size_t i = 0; i < result.top.size(); ++i) {
    const Prediction& p = result.top[i];
    CAPTURE(i);
    CHECK(p.label == kLabels[p.index]);
    CHECK(p.probability == doctest::Approx(std::exp(logits[p.index] - max_logit) / sum).epsilon(1e-5));
    if (i > 0) CHECK(result.top[i - 1].probability >= p.probability);
    total += p.probability;
  }
  CHECK(total == doctest::Approx(1.0).epsilon(1e-5));
  CHECK(result.timings.decode_ms >= 0);
  CHECK(result.timings.preprocess_ms >= 0);
  CHECK(result.timings.inference_ms >= 0);
}

TEST_CASE("top_k is respected and clamped to [1, labels]") {
  Classifier classifier(small_model_bytes());
  const std::vector<uint8_t> png = encode_png(random_image(20, 20, 2));
  CHECK(classifier.classify_encoded(png).top.size() == 3);
  CHECK(classifier.classify_encoded(png, 2).top.size() == 2);
  CHECK(classifier.classify_encoded(png, 0).top.size() == 1);
  CHECK(classifier.classify_encoded(png, -7).top.size() == 1);
  CHECK(classifier.classify_encoded(png, 100).top.size() == kLabels.size());
  // A smaller k is a prefix of a larger one.
  const auto all = classifier.classify_encoded(png, 5).top;
  const auto two = classifier.classify_encoded(png, 2).top;
  CHECK(two[0].index == all[0].index);
  CHECK(two[1].index == all[1].index);
}

TEST_CASE("the kept spec has labels and input details but no weights") {
  const ModelSpec original = small_model();
  Classifier classifier(serialize_model(original));
  const ModelSpec& spec = classifier.spec();
  CHECK(spec.labels == kLabels);
  CHECK(spec.metadata_json == original.metadata_json);
  CHECK(spec.input_width == 16);
  CHECK(spec.input_height == 16);
  CHECK(spec.mean == original.mean);
  REQUIRE(spec.layers.size() == original.layers.size());
  for (size_t i = 0; i < spec.layers.size(); ++i) {
    CHECK(spec.layers[i].kind == original.layers[i].kind);
    CHECK(spec.layers[i].weight.shape == original.layers[i].weight.shape);
    CHECK(spec.layers[i].weight.data.empty());
    CHECK(spec.layers[i].bias.data.empty());
  }
}

TEST_CASE("RGBA pixels classify exactly like a PNG of the same pixels") {
  Classifier classifier(small_model_bytes());
  for (auto [w, h] : std::vector<std::pair<int, int>>{{16, 16}, {37, 23}, {9, 31}}) {
    const RgbImage image = random_image(w, h, static_cast<uint32_t>(w * h));
    const Classification encoded = classifier.classify_encoded(encode_png(image), 5);
    const Classification rgba = classifier.classify_rgba(rgba_of(image), w, h, 5);
    const Classification rgb = classifier.classify_rgb(image, 5);
    REQUIRE(encoded.top.size() == 5);
    for (size_t i = 0; i < 5; ++i) {
      CHECK(rgba.top[i].index == encoded.top[i].index);
      CHECK(rgba.top[i].probability == encoded.top[i].probability);
      CHECK(rgb.top[i].index == encoded.top[i].index);
      CHECK(rgb.top[i].probability == encoded.top[i].probability);
    }
    CHECK(rgba.timings.decode_ms == 0);
  }
}

TEST_CASE("reference and optimized kernels agree through the classifier") {
  const std::vector<uint8_t> model = small_model_bytes();
  Classifier optimized(model, KernelSet::Optimized);
  Classifier reference(model, KernelSet::Reference);
  const std::vector<uint8_t> png = encode_png(random_image(50, 40, 3));
  const auto a = optimized.classify_encoded(png, 5).top;
  const auto b = reference.classify_encoded(png, 5).top;
  for (size_t i = 0; i < a.size(); ++i) {
    const auto same = std::find_if(b.begin(), b.end(), [&](const Prediction& p) { return p.index == a[i].index; });
    REQUIRE(same != b.end());
    CHECK(same->probability == doctest::Approx(a[i].probability).epsilon(1e-4));
  }
}

// leafcheck-cli reports this next to its figures: without SIMD an int8 model's figures are its f32 twin's.
TEST_CASE("the classifier says whether an int8 model runs on the int8 kernels") {
  const std::vector<std::vector<float>> calibration(2, std::vector<float>(16 * 16 * 3, 0.5f));
  const std::vector<uint8_t> int8 = serialize_model(quantize_model(small_model(), calibration));
  CHECK(Classifier(int8, KernelSet::Optimized, 1).int8() == qs8::kVectorised);
  CHECK(Classifier(int8, KernelSet::Optimized, 2).int8() == qs8::kVectorised);
  CHECK_FALSE(Classifier(small_model_bytes()).int8());
}

TEST_CASE("bad images raise ImageError, bad models raise ModelError") {
  Classifier classifier(small_model_bytes());
  const std::vector<uint8_t> garbage = {'n', 'o', 't', ' ', 'a', 'n', ' ', 'i', 'm', 'a', 'g', 'e'};
  CHECK_THROWS_AS(classifier.classify_encoded(garbage), ImageError);
  CHECK_THROWS_AS(classifier.classify_encoded({}), ImageError);
  CHECK_THROWS_AS(classifier.classify_rgba(std::vector<uint8_t>(15), 2, 2), ImageError);
  CHECK_THROWS_AS(classifier.classify_rgba({}, 0, 0), ImageError);
  // Still usable after errors.
  CHECK(classifier.classify_encoded(encode_png(random_image(8, 8, 4))).top.size() == 3);

  CHECK_THROWS_AS(Classifier{std::vector<uint8_t>{}}, ModelError);
  CHECK_THROWS_AS(Classifier{garbage}, ModelError);
  const std::vector<uint8_t> model = small_model_bytes();
  CHECK_THROWS_AS(Classifier{std::span(model).first(model.size() / 2)}, ModelError);
  std::vector<uint8_t> flipped = model;
  flipped[flipped.size() / 2] ^= 0x40;
  CHECK_THROWS_AS(Classifier{flipped}, ModelError);
}

TEST_CASE("the result says whether the model input looks like a leaf") {
  Classifier classifier(small_model_bytes());
  const auto solid = [](uint8_t r, uint8_t g, uint8_t b) {
    RgbImage image{40, 30, std::vector<uint8_t>(40 * 30 * 3)};
    for (size_t i = 0; i < image.pixels.size(); i += 3) {
      image.pixels[i] = r;
      image.pixels[i + 1] = g;
      image.pixels[i + 2] = b;
    }
    return image;
  };
  const Classification leaf = classifier.classify_rgb(solid(60, 140, 50));
  CHECK(leaf.plant_fraction == doctest::Approx(1.0));
  CHECK(leaf.looks_like_leaf);
  const Classification wall = classifier.classify_rgb(solid(128, 128, 128));
  CHECK(wall.plant_fraction == 0.0f);
  CHECK_FALSE(wall.looks_like_leaf);
}
