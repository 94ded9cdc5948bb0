// Every optimized kernel against its scalar twin in reference_ops, over random shapes chosen to hit
// the edges: sizes 1x1, 2x3, 5x7 and other odd ones, channel counts that are not multiples of the
// vector width or of the microkernel's MR/NR tiles, and Planes with row padding to catch stride bugs.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/optimized_ops.h"
#include "kernels/reference_ops.h"
#include "kernels/winograd_ops.h"
#include "support/plane_buffer.h"

namespace opt = leafcheck::optimized_ops;
namespace ref = leafcheck::reference_ops;

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

std::vector<float> random_values(size_t n, std::mt19937& rng) {
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = uniform(rng);
  return v;
}

// NaN after every row: a kernel that reads past the frame or ignores row_stride produces NaN.
struct PlaneBuffer : leafcheck::fixtures::PlaneBuffer<opt::Plane> {
  PlaneBuffer(size_t h, size_t w, size_t c, size_t border, size_t slack)
      : leafcheck::fixtures::PlaneBuffer<opt::Plane>(h, w, c, border, slack, kNaN) {}

  // Everything outside the image must be exactly as constructed (zero frame, NaN slack).
  size_t writes_outside() const {
    size_t count = 0;
    const size_t row = plane.row_stride;
    const size_t frame_rows = storage.size() / row;
    const size_t border = static_cast<size_t>(plane.data - storage.data()) / row;
    for (size_t y = 0; y < frame_rows; ++y) {
      for (size_t i = 0; i < row; ++i) {
        const size_t x = i / plane.channels;
        const bool inside_row = y >= border && y < border + plane.height;
        const bool inside_col =
            i < (plane.width + 2 * border) * plane.channels && x >= border && x < border + plane.width;
        if (inside_row && inside_col) continue;
        const float v = storage[y * row + i];
        const bool in_frame = i < (plane.width + 2 * border) * plane.channels;
        if (in_frame ? v != 0.0f : !std::isnan(v)) ++count;
      }
    }
    return count;
  }
};

// Optimized kernels use FMA and another summation order; the error of a K-term dot product of
// values in [-1, 1] grows with K, so the bound is 2e-6 per term (measured errors are ~10x smaller).
void check_close(const std::vector<float>& got, const std::vector<float>& want, size_t terms) {
  REQUIRE(got.size() == want.size());
  const float tolerance = 2e-6f * static_cast<float>(terms + 1);
  size_t bad = 0;
  float worst = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const float d = std::fabs(got[i] - want[i]);
    if (!(d <= tolerance)) ++bad;
    if (!(d <= worst)) worst = d;
  }
  INFO("worst |difference| " << worst << ", tolerance " << tolerance);
  CHECK(bad == 0);
}

struct ConvCase {
  size_t h, w, cin, cout;
  bool relu;

  std::string describe() const {
    return std::to_string(h) + "x" + std::to_string(w) + "x" + std::to_string(cin) + " -> " + std::to_string(cout) +
           (relu ? " relu" : "");
  }
};

std::vector<ConvCase> conv_cases(std::mt19937& rng) {
  std::vector<ConvCase> cases = {{1, 1, 1, 1, false},   {2, 3, 3, 32, true},    {5, 7, 3, 17, true},
                                 {7, 5, 16, 16, false}, {3, 3, 5, 33, true},    {1, 9, 8, 7, false},
                                 {9, 1, 13, 24, true},  {16, 16, 32, 64, true}, {6, 13, 3, 8, false}};
  std::uniform_int_distribution<size_t> spatial(1, 12);
  std::uniform_int_distribution<size_t> channels(1, 40);
  std::bernoulli_distribution coin(0.5);
  for (int i = 0; i < 40; ++i) cases.push_back({spatial(rng), spatial(rng), channels(rng), channels(rng), coin(rng)});
  return cases;
}

// Random input and weights for a case, the packed weights, and the reference conv output.
struct ConvData {
  std::vector<float> input;
  std::vector<float> conv;
  std::vector<float> weight;
  std::vector<float> bias;
  opt::PackedConv3x3 packed;

  ConvData(const ConvCase& c, std::mt19937& rng)
      : input(random_values(c.h * c.w * c.cin, rng)),
        conv(c.h * c.w * c.cout),
        weight(random_values(c.cout * c.cin * 9, rng)),
        bias(random_values(c.cout, rng)) {
    ref::conv3x3(input, {c.h, c.w, c.cin}, weight, bias, c.cout, c.relu, conv);
    packed = opt::pack_conv3x3(weight, bias, c.cout, c.cin);
  }
};

// Pooling needs at least 2x2; odd sizes exercise the floor.
std::vector<ConvCase> pool_cases(std::mt19937& rng) {
  std::vector<ConvCase> cases = conv_cases(rng);
  for (ConvCase& c : cases) {
    c.h = std::max<size_t>(c.h, 2);
    c.w = std::max<size_t>(c.w, 2);
  }
  return cases;
}

// Checks conv_pool(data, in, out, clamp), a fused conv3x3 + maxpool2x2, against reference conv3x3 then
// maxpool2x2, and that it writes nothing outside its output plane.
template <typename ConvPool>
void check_conv_then_pool(const ConvCase& c, std::mt19937& rng, ConvPool conv_pool) {
  INFO(c.describe());
  const ConvData data(c, rng);
  std::vector<float> want(c.h / 2 * (c.w / 2) * c.cout);
  ref::maxpool2x2(data.conv, {c.h, c.w, c.cout}, want);

  PlaneBuffer in(c.h, c.w, c.cin, 1, 2);
  in.fill(data.input);
  PlaneBuffer out(c.h / 2, c.w / 2, c.cout, 1, 1);
  conv_pool(data, in.plane, out.plane, opt::Clamp::relu_if(c.relu));
  check_close(out.read(), want, 9 * c.cin);
  CHECK(out.writes_outside() == 0);
}

void check_conv3x3_maxpool2x2(const ConvCase& c, std::mt19937& rng) {
  check_conv_then_pool(c, rng, [&](const ConvData& data, const opt::Plane& in, const opt::Plane& out,
                                   opt::Clamp clamp) {
    std::vector<float> scratch(opt::conv3x3_maxpool2x2_scratch_size(c.h, c.w, c.cout), kNaN);
    opt::conv3x3_maxpool2x2(data.packed, in, out, clamp, scratch);
  });
}

}  // namespace

TEST_CASE("conv3x3 matches the reference on random shapes") {
  std::mt19937 rng(1);
  for (const ConvCase& c : conv_cases(rng)) {
    INFO(c.describe());
    const ConvData data(c, rng);
    PlaneBuffer in(c.h, c.w, c.cin, 1, 3);
    in.fill(data.input);
    PlaneBuffer out(c.h, c.w, c.cout, 1, 5);
    opt::conv3x3(data.packed, in.plane, out.plane, opt::Clamp::relu_if(c.relu));
    check_close(out.read(), data.conv, 9 * c.cin);
    CHECK(out.writes_outside() == 0);
  }
}

TEST_CASE("conv3x3_maxpool2x2 matches reference conv3x3 then maxpool2x2") {
  std::mt19937 rng(2);
  for (const ConvCase& c : pool_cases(rng)) check_conv3x3_maxpool2x2(c, rng);
}

TEST_CASE("conv3x3_maxpool2x2 on the seed architecture's first layer (several bands)") {
  std::mt19937 rng(3);
  check_conv3x3_maxpool2x2({128, 128, 3, 32, true}, rng);
}

// Winograd's transforms scale the values before the products and sum 16 of them per output, yet on
// inputs in [-1, 1] it stays within the direct kernel's bound (2e-6 per term), which is what it is held to.
void check_winograd_maxpool2x2(const ConvCase& c, std::mt19937& rng) {
  check_conv_then_pool(c, rng, [&](const ConvData& data, const opt::Plane& in, const opt::Plane& out,
                                   opt::Clamp clamp) {
    const auto packed = opt::pack_winograd_f2x3(data.weight, data.bias, c.cout, c.cin);
    std::vector<float> scratch(opt::conv3x3_winograd_maxpool2x2_scratch_size(c.h, c.w, c.cin, c.cout), kNaN);
    opt::conv3x3_winograd_maxpool2x2(packed, in, out, clamp, scratch);
  });
}

TEST_CASE("Winograd F(2x2,3x3) conv3x3 + maxpool2x2 matches reference conv3x3 then maxpool2x2") {
  std::mt19937 rng(11);
  for (const ConvCase& c : pool_cases(rng)) check_winograd_maxpool2x2(c, rng);
}

TEST_CASE("Winograd on the seed architecture's layers 2 to 4 (several bands)") {
  std::mt19937 rng(12);
  check_winograd_maxpool2x2({64, 64, 32, 64, true}, rng);
  check_winograd_maxpool2x2({32, 32, 64, 128, true}, rng);
  check_winograd_maxpool2x2({16, 16, 128, 256, true}, rng);
}

TEST_CASE("Winograd rejects planes that do not match the packed weights") {
  std::mt19937 rng(13);
  const auto packed = opt::pack_winograd_f2x3(random_values(4 * 3 * 9, rng), random_values(4, rng), 4, 3);
  PlaneBuffer in(4, 4, 5, 1, 0);
  PlaneBuffer out(2, 2, 4, 0, 0);
  std::vector<float> scratch(opt::conv3x3_winograd_maxpool2x2_scratch_size(4, 4, 5, 4));
  CHECK_THROWS_AS(opt::conv3x3_winograd_maxpool2x2(packed, in.plane, out.plane, {}, scratch), std::invalid_argument);
  CHECK_THROWS_AS(opt::pack_winograd_f2x3(random_values(10, rng), random_values(4, rng), 4, 3), std::invalid_argument);
}

TEST_CASE("conv3x3 rejects planes that do not match the packed weights") {
  std::mt19937 rng(4);
  const auto packed = opt::pack_conv3x3(random_values(4 * 3 * 9, rng), random_values(4, rng), 4, 3);
  PlaneBuffer in(4, 4, 5, 1, 0);
  PlaneBuffer out(4, 4, 4, 0, 0);
  CHECK_THROWS_AS(opt::conv3x3(packed, in.plane, out.plane, {}), std::invalid_argument);
  CHECK_THROWS_AS(opt::pack_conv3x3(random_values(10, rng), random_values(4, rng), 4, 3), std::invalid_argument);
}

TEST_CASE("maxpool2x2 matches the reference exactly, odd sizes floored") {
  std::mt19937 rng(5);
  const size_t shapes[][3] = {{2, 2, 1}, {2, 3, 5}, {5, 7, 3}, {3, 3, 8}, {4, 6, 17}, {9, 11, 33}, {2, 2, 64}};
  for (const auto& s : shapes) {
    const size_t h = s[0], w = s[1], c = s[2];
    INFO(h << "x" << w << "x" << c);
    const auto input = random_values(h * w * c, rng);
    std::vector<float> want(h / 2 * (w / 2) * c);
    ref::maxpool2x2(input, {h, w, c}, want);
    PlaneBuffer in(h, w, c, 0, 3);
    in.fill(input);
    PlaneBuffer out(h / 2, w / 2, c, 1, 2);
    opt::maxpool2x2(in.plane, out.plane);
    CHECK(out.read() == want);
    CHECK(out.writes_outside() == 0);
  }
}

TEST_CASE("global_avg_pool matches the reference") {
  std::mt19937 rng(6);
  const size_t shapes[][3] = {{1, 1, 1}, {1, 1, 9}, {2, 3, 5}, {5, 7, 17}, {8, 8, 256}, {3, 1, 31}};
  for (const auto& s : shapes) {
    const size_t h = s[0], w = s[1], c = s[2];
    INFO(h << "x" << w << "x" << c);
    const auto input = random_values(h * w * c, rng);
    std::vector<float> want(c);
    ref::global_avg_pool(input, {h, w, c}, want);
    PlaneBuffer in(h, w, c, 1, 4);
    in.fill(input);
    std::vector<float> got(c);
    opt::global_avg_pool(in.plane, got);
    check_close(got, want, h * w);
  }
}

TEST_CASE("linear matches the reference") {
  std::mt19937 rng(7);
  const size_t shapes[][2] = {{1, 1}, {3, 5}, {256, 256}, {256, 38}, {17, 33}, {64, 1}, {7, 100}};
  for (const auto& s : shapes) {
    for (bool relu : {false, true}) {
      const size_t in = s[0], out = s[1];
      INFO(in << " -> " << out << (relu ? " relu" : ""));
      const auto x = random_values(in, rng);
      const auto weight = random_values(out * in, rng);
      const auto bias = random_values(out, rng);
      std::vector<float> want(out);
      ref::linear(x, weight, bias, relu, want);
      std::vector<float> got(out + 1, kNaN);
      opt::linear(opt::pack_linear(weight, bias, out, in), x, std::span<float>(got).first(out),
                  opt::Clamp::relu_if(relu));
      CHECK(std::isnan(got.back()));
      got.pop_back();
      check_close(got, want, in);
    }
  }
}

TEST_CASE("relu matches the reference exactly on lengths around the vector width") {
  std::mt19937 rng(8);
  for (size_t n : {0, 1, 3, 4, 7, 8, 9, 15, 16, 17, 33, 100}) {
    CAPTURE(n);
    auto want = random_values(n, rng);
    auto got = want;
    ref::relu(want);
    opt::relu(got);
    CHECK(got == want);
  }
}

TEST_CASE("reference softmax sums to one and survives large logits") {
  const std::vector<float> logits = {1000.0f, 999.0f, -1000.0f, 0.0f};
  std::vector<float> p(logits.size());
  ref::softmax(logits, p);
  float sum = 0;
  for (float v : p) {
    CHECK(std::isfinite(v));
    sum += v;
  }
  CHECK(sum == doctest::Approx(1.0f).epsilon(1e-6));
  CHECK(p[0] == doctest::Approx(1.0f / (1.0f + std::exp(-1.0f))).epsilon(1e-6));
  CHECK(p[2] == 0.0f);
}
