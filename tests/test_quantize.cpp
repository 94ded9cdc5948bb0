// What leafcheck-model quantize does before rounding anything: which photos it calibrates on, and the
// cross-layer equalization that lets one activation scale per layer fit every channel.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "dataset.h"
#include "float_runner.h"
#include "model.h"
#include "network.h"
#include "plantvillage.h"
#include "quantize.h"
#include "random_model.h"
#include "support/network_fixtures.h"
#include "support/temp_dir.h"

using namespace leafcheck;
using namespace leafcheck::fixtures;
namespace fs = std::filesystem;

namespace {

// A random model whose channels differ in range by orders of magnitude, as trained ones do: each
// conv/linear output channel's weights and bias multiplied by 10^u, u uniform in [-1.5, 1.5].
ModelSpec uneven_model(uint32_t seed) {
  ModelSpec spec = make_random_model(plantvillage_labels(), seed,
                                     Architecture{.input_size = 16, .conv_channels = {8, 16}, .hidden = 12});
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> exponent(-1.5f, 1.5f);
  for (Layer& layer : spec.layers) {
    if (layer.kind != LayerKind::Conv3x3 && layer.kind != LayerKind::Linear) continue;
    const size_t outputs = layer.weight.shape[0], per_output = layer.weight.data.size() / outputs;
    for (size_t o = 0; o < outputs; ++o) {
      const float factor = std::pow(10.0f, exponent(rng));
      for (size_t k = 0; k < per_output; ++k) layer.weight.data[o * per_output + k] *= factor;
      layer.bias.data[o] *= factor;
    }
  }
  return spec;
}

}  // namespace

TEST_CASE("FloatRunner computes what Network computes; an int8 model as its dequantized twin") {
  const ModelSpec f32 = uneven_model(7);
  const ModelSpec int8 = quantize_model(f32, random_inputs(f32, 4, 8));
  for (const ModelSpec* spec : {&f32, &int8}) {
    Network network(is_quantized(*spec) ? dequantized(*spec) : *spec);
    const FloatRunner runner(*spec);
    size_t hooked = 0;
    for (const auto& input : random_inputs(f32, 2, 9)) {
      const std::vector<float> want(network.forward(input).begin(), network.forward(input).end());
      const std::vector<float> got = runner.run(input, [&](size_t, std::vector<float>&, size_t) { ++hooked; });
      REQUIRE(got.size() == want.size());
      float scale = 0.0f;
      for (float v : want) scale = std::max(scale, std::fabs(v));
      for (size_t i = 0; i < want.size(); ++i) CHECK(std::fabs(got[i] - want[i]) <= 1e-5f * scale + 1e-6f);
    }
    CHECK(hooked == 2 * 4);  // two inputs x (conv 1, conv 2, linear 1, linear 2)
  }
}

TEST_CASE("equalize_channels keeps what the f32 network computes") {
  const ModelSpec spec = uneven_model(3);
  const auto calibration = random_inputs(spec, 4, 1);
  for (float alpha : {0.0f, 0.5f, 1.0f}) {
    CAPTURE(alpha);
    const ModelSpec equalized = equalize_channels(spec, input_channel_ranges(spec, calibration), alpha);
    Network before(spec), after(equalized);
    for (const auto& input : random_inputs(spec, 3, 2)) {
      const std::vector<float> want(before.forward(input).begin(), before.forward(input).end());
      const auto got = after.forward(input);
      float scale = 0.0f;
      for (float v : want) scale = std::max(scale, std::fabs(v));
      for (size_t i = 0; i < want.size(); ++i) CHECK(std::fabs(got[i] - want[i]) <= 1e-4f * scale);
    }
  }
}

TEST_CASE("with alpha 1 every channel between two equalized layers has the range 1") {
  const ModelSpec spec = uneven_model(5);
  const auto calibration = random_inputs(spec, 4, 3);
  const auto ranges = input_channel_ranges(spec, calibration);
  const auto equalized_ranges = input_channel_ranges(equalize_channels(spec, ranges, 1.0f), calibration);
  REQUIRE(ranges.size() == spec.layers.size());
  size_t layers = 0, spread_before = 0;
  bool first = true;
  for (size_t i = 0; i < spec.layers.size(); ++i) {
    if (ranges[i].empty()) continue;
    if (first) {  // the picture itself: no layer before it to take a scale back
      CHECK(equalized_ranges[i] == ranges[i]);
      first = false;
      continue;
    }
    ++layers;
    const auto [low, high] = std::minmax_element(ranges[i].begin(), ranges[i].end());
    spread_before += *high > 10.0f * *low;
    for (size_t c = 0; c < ranges[i].size(); ++c) {
      CAPTURE(i);
      CAPTURE(c);
      if (ranges[i][c] == 0.0f) CHECK(equalized_ranges[i][c] == 0.0f);  // a channel that never fired stays so
      else CHECK(equalized_ranges[i][c] == doctest::Approx(1.0f).epsilon(1e-4));
    }
  }
  CHECK(layers == 3);         // conv 2, linear 1 and linear 2
  CHECK(spread_before == 3);  // the ranges differed by more than 10x in each before
  CHECK_THROWS_AS(equalize_channels(spec, std::vector<std::vector<float>>(2), 0.5f), ModelError);
}

TEST_CASE("calibration takes the training photos of the lab, not-a-leaf and field folders") {
  const TempDir scratch;
  const fs::path root = scratch.path() / "data";
  std::vector<fs::path> want_lab, want_not_leaf, want_field;
  for (int i = 0; i < 40; ++i) {
    const std::string n = std::to_string(i);
    const fs::path lab = root / "plantvillage" / (i % 2 ? "Apple___healthy" : "Apple___Apple_scab") / ("leaf_" + n + ".jpg");
    const fs::path not_leaf = root / "background_without_leaves" / ("image_" + n + ".jpg");
    const fs::path field = root / "plantdoc_field" / "Apple___healthy" / ("photo_" + std::to_string(i / 4) + "_" + n + ".jpg");
    for (const fs::path& file : {lab, not_leaf, field}) touch(file);
    if (split_of(lab.filename().string()) == Split::Train) want_lab.push_back(lab);
    if (split_of(not_leaf.filename().string()) == Split::Train) want_not_leaf.push_back(not_leaf);
    if (!is_field_test_crop(field.filename().string())) want_field.push_back(field);
  }
  touch(root / "background_without_leaves" / "notes.txt");
  // A hidden copy (macOS writes "._" files beside photos copied from it), in the training split by its
  // name: training leaves it out, so calibration must too.
  std::string hidden = "._image_0.jpg";
  for (int i = 1; split_of(hidden) != Split::Train; ++i) hidden = "._image_" + std::to_string(i) + ".jpg";
  touch(root / "background_without_leaves" / hidden);

  const std::vector<fs::path> photos = calibration_photos(root);
  std::vector<fs::path> want = want_lab;
  want.insert(want.end(), want_not_leaf.begin(), want_not_leaf.end());
  want.insert(want.end(), want_field.begin(), want_field.end());
  CHECK(photos.size() == want.size());
  CHECK(std::is_permutation(photos.begin(), photos.end(), want.begin(), want.end()));
  CHECK(!want_not_leaf.empty());
  CHECK(want_field.size() < 40);

  // A PlantVillage-layout folder alone gives its training photos only.
  const std::vector<fs::path> lab_only = calibration_photos(root / "plantvillage");
  CHECK(std::is_permutation(lab_only.begin(), lab_only.end(), want_lab.begin(), want_lab.end()));
  fs::remove_all(root);
  CHECK_THROWS_AS(calibration_photos(root), std::runtime_error);
}
