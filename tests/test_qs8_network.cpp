// The int8 network: the optimized path against the scalar twins, quantize_model against the f32
// model on small random architectures, and on the shipped model and real test photos from
// ../shared (skipped with a message when they are absent).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <vector>

#include "dataset.h"
#include "file_io.h"
#include "image.h"
#include "kernels/qs8_vec.h"
#include "model.h"
#include "network.h"
#include "plantvillage.h"
#include "quantize.h"
#include "random_model.h"
#include "support/network_fixtures.h"

using namespace leafcheck;
using namespace leafcheck::fixtures;

namespace {

size_t argmax(std::span<const float> v) { return static_cast<size_t>(std::max_element(v.begin(), v.end()) - v.begin()); }

float max_abs(std::span<const float> v) {
  float m = 0.0f;
  for (float x : v) m = std::max(m, std::fabs(x));
  return m;
}

}  // namespace

TEST_CASE("int8 network: optimized kernels match the scalar twins") {
  const std::vector<std::string> labels(plantvillage_labels().begin(), plantvillage_labels().begin() + 5);
  for (const Architecture& arch : {Architecture{.input_size = 9, .conv_channels = {3}, .hidden = 7},
                                   Architecture{.input_size = 16, .conv_channels = {8, 17}, .hidden = 33},
                                   Architecture{.input_size = 32, .conv_channels = {32, 64}, .hidden = 64},
                                   // Winograd (16 input channels or more) with int8 and float output, odd sizes
                                   Architecture{.input_size = 26, .conv_channels = {17, 19, 40}, .hidden = 16}}) {
    CAPTURE(arch.input_size);
    const ModelSpec f32 = make_random_model(labels, 11, arch);
    const ModelSpec int8 = quantize_model(f32, random_inputs(f32, 4, 1));
    REQUIRE(is_quantized(int8));
    Network fast(int8, KernelSet::Optimized), plain(int8, KernelSet::Reference), reference_f32(f32);
    for (const auto& input : random_inputs(f32, 5, 2)) {
      const std::vector<float> a(fast.forward(input).begin(), fast.forward(input).end());
      const std::vector<float> b(plain.forward(input).begin(), plain.forward(input).end());
      // Off-by-one rounding (see test_qs8_kernels.cpp) may pass through the layers: a few units of
      // the last activation scale, far below the spread of the logits.
      const float tolerance = 0.02f * max_abs(b) + 1e-4f;
      for (size_t i = 0; i < a.size(); ++i) CHECK(std::fabs(a[i] - b[i]) <= tolerance);
      const auto f = reference_f32.forward(input);
      CHECK(max_abs(f) > 0.0f);
    }
  }
}

TEST_CASE("an int8 model rejects an input of the wrong size with the f32 model's message") {
  const ModelSpec f32 = make_random_model(plantvillage_labels(), 4, Architecture{.input_size = 16, .conv_channels = {8}, .hidden = 16});
  const ModelSpec int8 = quantize_model(f32, random_inputs(f32, 2, 1));
  for (KernelSet kernels : {KernelSet::Optimized, KernelSet::Reference}) {
    Network network(int8, kernels);
    const std::vector<float> short_input(network.input_size() - 1);
    CHECK_THROWS_WITH_AS(network.forward(short_input), "Network::forward: expected 768 floats (16x16x3 NHWC), got 767",
                         std::invalid_argument);
  }
}

TEST_CASE("quantize_model keeps the f32 model's answers on a random model") {
  const ModelSpec f32 = make_random_model(plantvillage_labels(), 7, Architecture{.input_size = 32, .conv_channels = {16, 32}, .hidden = 32});
  const ModelSpec int8 = quantize_model(f32, random_inputs(f32, 16, 3));
  Network a(f32), b(int8);
  double error = 0, scale = 0;
  for (const auto& input : random_inputs(f32, 8, 4)) {
    const std::vector<float> x(a.forward(input).begin(), a.forward(input).end());
    const auto y = b.forward(input);
    for (size_t i = 0; i < x.size(); ++i) {
      error += std::fabs(x[i] - y[i]);
      scale += std::fabs(x[i]);
    }
  }
  CHECK(error < 0.05 * scale);
  CHECK_THROWS_WITH_AS(quantize_model(int8, random_inputs(f32, 1, 5)), doctest::Contains("already int8"), ModelError);
  CHECK_THROWS_WITH_AS(quantize_model(f32, {}), doctest::Contains("at least one calibration image"), ModelError);
}

TEST_CASE("dequantized: each int8 weight becomes q * scale of its output channel, activations stay f32") {
  const ModelSpec f32 = make_random_model(plantvillage_labels(), 5, Architecture{.input_size = 16, .conv_channels = {8}, .hidden = 16});
  const ModelSpec int8 = quantize_model(f32, random_inputs(f32, 4, 6));
  const ModelSpec plain = dequantized(int8);
  CHECK_FALSE(is_quantized(plain));
  REQUIRE(plain.layers.size() == int8.layers.size());
  for (size_t l = 0; l < plain.layers.size(); ++l) {
    const Tensor& q = int8.layers[l].weight;
    const Tensor& w = plain.layers[l].weight;
    CHECK(plain.layers[l].input_scale == 0.0f);
    if (q.dtype != DType::Qs8) continue;
    CHECK(w.dtype == DType::F32);
    CHECK(w.shape == q.shape);
    REQUIRE(w.data.size() == q.quantized.size());
    const size_t per_channel = q.quantized.size() / q.scales.size();
    for (size_t i = 0; i < w.data.size(); ++i) CHECK(w.data[i] == static_cast<float>(q.quantized[i]) * q.scales[i / per_channel]);
  }
  CHECK(parse_model(serialize_model(plain)).layers.size() == plain.layers.size());
}

// Where the int8 kernels do not pay (a build without SIMD), an int8 model runs as the f32 model it
// stands for; with SIMD it runs on the int8 kernels on any number of threads, the same answers to the bit.
TEST_CASE("an int8 model runs on the int8 kernels wherever there is SIMD, split across threads to the same bits") {
  const ModelSpec f32 = make_random_model(plantvillage_labels(), 9, Architecture{.input_size = 32, .conv_channels = {16, 32}, .hidden = 32});
  const ModelSpec int8 = quantize_model(f32, random_inputs(f32, 4, 7));
  Network one(int8, KernelSet::Optimized, 1), two(int8, KernelSet::Optimized, 2), three(int8, KernelSet::Optimized, 3),
      twin(dequantized(int8), KernelSet::Optimized, 1);
  CHECK(one.int8() == qs8::kVectorised);
  CHECK(two.int8() == qs8::kVectorised);
  CHECK(Network(int8, KernelSet::Reference, 2).int8());
  CHECK(Network(int8, KernelSet::Reference, 2).threads() == 1);
  CHECK(two.threads() == 2);
  CHECK(three.threads() == 3);
  CHECK_FALSE(twin.int8());
  CHECK_FALSE(Network(f32).int8());
  for (const auto& input : random_inputs(f32, 3, 8)) {
    const std::vector<float> a(one.forward(input).begin(), one.forward(input).end());
    const std::vector<float> b(two.forward(input).begin(), two.forward(input).end());
    const auto c = three.forward(input);
    CHECK(a == b);
    CHECK(std::equal(a.begin(), a.end(), c.begin(), c.end()));
    if (!qs8::kVectorised) {
      const auto t = twin.forward(input);
      CHECK(std::equal(a.begin(), a.end(), t.begin(), t.end()));
    }
  }
}

TEST_CASE("int8 profile computes what forward computes, one named step at a time") {
  const ModelSpec f32 = make_random_model(plantvillage_labels(), 3, Architecture{.input_size = 32, .conv_channels = {3, 16, 32}, .hidden = 16});
  const ModelSpec int8 = quantize_model(f32, random_inputs(f32, 4, 9));
  // 2 x multiply-adds: convs 3->3 at 32x32, 3->16 at 16x16, 16->32 at 8x8; linears 32->16, 16->38.
  const double flops = 2.0 * (32 * 32 * 3 * 3 * 9 + 16 * 16 * 3 * 16 * 9 + 8 * 8 * 16 * 32 * 9 + 32 * 16 + 16 * 38);
  for (KernelSet kernels : {KernelSet::Optimized, KernelSet::Reference}) {
    Network network(int8, kernels);
    const auto inputs = random_inputs(f32, 2, 10);
    const auto out = network.forward(inputs[0]);
    const std::vector<float> want(out.begin(), out.end());
    network.forward(inputs[1]);
    const std::vector<StepTime> steps = network.profile(inputs[0]);
    CHECK(std::vector<float>(out.begin(), out.end()) == want);
    double total = 0;
    size_t winograd = 0;
    for (const StepTime& s : steps) {
      CAPTURE(s.what);
      CHECK(s.ms >= 0);
      total += s.flops;
      if (s.what.find("int8 Winograd") != std::string::npos) ++winograd;
    }
    CHECK(total == flops);
    // Only the optimized kernels on one SIMD thread run int8 Winograd (16 input channels or more).
    CHECK(winograd == (kernels == KernelSet::Optimized && network.int8() ? 1u : 0u));
  }
}

// The shipped model quantized as `leafcheck-model quantize` does, against itself in f32, on every
// lab photo of the test split: the top-1 answers must agree on at least 99% of them.
TEST_CASE("int8 agrees with f32 on the real test split") {
  const auto data = find_shared_data_dir();
  const std::filesystem::path model_path = std::filesystem::path(LEAFCHECK_SOURCE_DIR) / "model" / "leafcheck.lcm";
  if (!data || !std::filesystem::exists(*data / "plantvillage") || !std::filesystem::exists(model_path)) {
    MESSAGE("skipped: no ../shared/data/plantvillage (set LEAFCHECK_DATA_DIR) or no model/leafcheck.lcm");
    return;
  }
  const std::filesystem::path root = *data / "plantvillage";
  const ModelSpec f32 = parse_model(read_file(model_path));
  const ModelSpec int8 = quantize_model(f32, calibration_inputs(f32, *data, 512));
  Network a(f32), b(int8);
  size_t images = 0, agree = 0;
  std::vector<float> input(a.input_size());
  for (const DatasetItem& item : scan_dataset(root).items) {
    if (item.split != Split::Test) continue;
    const RgbImage image = center_crop_resize(decode_image(read_file(item.path)), static_cast<int>(f32.input_width),
                                              static_cast<int>(f32.input_height));
    normalize_to_nhwc(image, f32.mean, f32.stddev, input);
    const size_t top_f32 = argmax(a.forward(input));
    agree += argmax(b.forward(input)) == top_f32;
    ++images;
  }
  MESSAGE("int8 top-1 agrees with f32 on " << agree << " of " << images << " test photos");
  REQUIRE(images > 1000);
  CHECK(agree * 100 >= images * 99);
}
