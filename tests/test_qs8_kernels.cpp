// Every int8 kernel (kernels/qs8_ops.h) against its scalar twin (kernels/qs8_reference_ops.h) on
// small random data: sizes 1x1 to 7x5, channel counts that are not multiples of the vector width, of
// the NR tile or even (an odd 3 x cin run reads one value past itself), and planes whose row slack
// holds garbage (which only a zero weight may multiply). The int8 Winograd conv (fused with the
// max-pool) against the scalar conv then pool.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <random>
#include <stdexcept>
#include <vector>

#include "kernels/optimized_ops.h"
#include "kernels/qs8_ops.h"
#include "kernels/qs8_reference_ops.h"
#include "kernels/qs8_winograd_ops.h"
#include "kernels/reference_ops.h"
#include "support/plane_buffer.h"

namespace qopt = leafcheck::qs8_ops;
namespace qref = leafcheck::qs8_reference_ops;
namespace opt = leafcheck::optimized_ops;

namespace {

constexpr int16_t kGarbage = 12345;

std::vector<int16_t> random_activations(size_t n, std::mt19937& rng, bool non_negative) {
  std::uniform_int_distribution<int> value(non_negative ? 0 : -127, 127);
  std::vector<int16_t> v(n);
  for (int16_t& x : v) x = static_cast<int16_t>(value(rng));
  return v;
}

struct Layer {
  std::vector<int8_t> weight;
  std::vector<float> scales;
  std::vector<float> bias;
  float input_scale = 0.02f;

  Layer(size_t out, size_t per_output, std::mt19937& rng) : weight(out * per_output), scales(out), bias(out) {
    std::uniform_int_distribution<int> w(-127, 127);
    std::uniform_real_distribution<float> unit(0.5f, 1.5f);
    for (int8_t& x : weight) x = static_cast<int8_t>(w(rng));
    for (float& s : scales) s = 0.004f * unit(rng);
    for (float& b : bias) b = unit(rng) - 1.0f;
  }

  qref::QuantizedWeights view() const { return {weight, scales, bias, input_scale}; }
};

// Garbage after every row and one value after the buffer: a kernel that reads past the frame or
// ignores row_stride picks it up.
struct QPlaneBuffer : leafcheck::fixtures::PlaneBuffer<qopt::QPlane> {
  QPlaneBuffer(size_t h, size_t w, size_t c, size_t border, size_t slack)
      : leafcheck::fixtures::PlaneBuffer<qopt::QPlane>(h, w, c, border, slack, kGarbage, 1) {}
};

// Both sides compute acc * multiplier + bias in float; a compiler may fuse one of them into an FMA,
// which can move a value sitting on a rounding boundary by one unit, never more.
void check_within_one_unit(const std::vector<int16_t>& got, const std::vector<int16_t>& want) {
  REQUIRE(got.size() == want.size());
  size_t off_by_one = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const int diff = std::abs(got[i] - want[i]);
    CHECK_MESSAGE(diff <= 1, "element " << i << ": " << got[i] << " vs " << want[i]);
    off_by_one += diff == 1;
  }
  CHECK(off_by_one * 100 <= got.size());
}

}  // namespace

TEST_CASE("qs8 conv3x3 matches the scalar twin, int8 and float outputs") {
  std::mt19937 rng(2026);
  const size_t sizes[][2] = {{1, 1}, {2, 3}, {5, 7}, {7, 5}, {4, 4}};
  for (const auto& size : sizes) {
    const size_t h = size[0];
    const size_t w = size[1];
    for (size_t cin : {1, 3, 5, 16, 33}) {
      for (size_t cout : {1, 5, 17, 40}) {
        for (bool relu : {false, true}) {
          CAPTURE(h); CAPTURE(w); CAPTURE(cin); CAPTURE(cout); CAPTURE(relu);
          const Layer layer(cout, cin * 9, rng);
          const auto input = random_activations(h * w * cin, rng, false);
          QPlaneBuffer in(h, w, cin, 1, 3);
          in.fill(input);
          const leafcheck::reference_ops::ImageShape shape{h, w, cin};

          const float out_scale = 0.05f;
          std::vector<int16_t> want(h * w * cout);
          qref::conv3x3(input, shape, layer.view(), relu, out_scale, want);
          QPlaneBuffer out(h, w, cout, 1, 2);
          qopt::conv3x3(qopt::pack_conv3x3(layer.view(), cout, cin, relu, out_scale), in.plane, out.plane);
          check_within_one_unit(out.read(), want);
          CHECK(std::all_of(want.begin(), want.end(), [&](int16_t v) { return v <= 127 && v >= (relu ? 0 : -127); }));

          std::vector<float> want_f(h * w * cout);
          qref::conv3x3(input, shape, layer.view(), relu, want_f);
          std::vector<float> got_f(h * w * cout, -1e9f);
          qopt::conv3x3(qopt::pack_conv3x3(layer.view(), cout, cin, relu, 0.0f), in.plane,
                        opt::Plane{got_f.data(), h, w, cout, w * cout});
          for (size_t i = 0; i < want_f.size(); ++i) {
            CHECK(got_f[i] == doctest::Approx(want_f[i]).epsilon(1e-5).scale(1.0));
          }
        }
      }
    }
  }
}

TEST_CASE("qs8 conv3x3 refuses weights packed for the other output type") {
  std::mt19937 rng(1);
  const Layer layer(4, 9, rng);
  QPlaneBuffer in(2, 2, 1, 1, 0), out(2, 2, 4, 1, 0);
  CHECK_THROWS_AS(qopt::conv3x3(qopt::pack_conv3x3(layer.view(), 4, 1, false, 0.0f), in.plane, out.plane),
                  std::invalid_argument);
}

TEST_CASE("qs8 maxpool2x2 and relu are exact") {
  std::mt19937 rng(3);
  for (size_t h : {2, 3, 6}) {
    for (size_t c : {1, 7, 32}) {
      CAPTURE(h); CAPTURE(c);
      const size_t w = h + 1;
      const auto input = random_activations(h * w * c, rng, false);
      std::vector<int16_t> want(h / 2 * (w / 2) * c);
      qref::maxpool2x2(input, {h, w, c}, want);
      QPlaneBuffer in(h, w, c, 1, 1), out(h / 2, w / 2, c, 0, 2);
      in.fill(input);
      qopt::maxpool2x2(in.plane, out.plane);
      CHECK(out.read() == want);

      auto a = input, b = input;
      qref::relu(a);
      qopt::relu(b);
      CHECK(a == b);
      CHECK(std::all_of(a.begin(), a.end(), [](int16_t v) { return v >= 0; }));
    }
  }
}

TEST_CASE("qs8 quantize matches the scalar twin and rounds to nearest even") {
  std::mt19937 rng(4);
  std::uniform_real_distribution<float> value(-4.0f, 4.0f);
  std::vector<float> x(101);
  for (float& v : x) v = value(rng);
  x[0] = 0.5f * 0.02f;  // exactly half a unit: rounds to 0
  x[1] = 1.5f * 0.02f;  // rounds to 2
  x[2] = 1000.0f;       // clamps
  std::vector<int16_t> want(x.size()), got(x.size());
  qref::quantize(x, 0.02f, want);
  qopt::quantize_values(x, 0.02f, got);
  CHECK(got == want);
  CHECK(want[2] == 127);
  CHECK(std::all_of(want.begin(), want.end(), [](int16_t v) { return v >= -127 && v <= 127; }));
}

TEST_CASE("qs8 linear matches the scalar twin") {
  std::mt19937 rng(5);
  for (size_t in : {1, 2, 7, 64, 257}) {
    for (size_t out : {1, 3, 17, 39, 64}) {
      for (bool relu : {false, true}) {
        CAPTURE(in); CAPTURE(out); CAPTURE(relu);
        const Layer layer(out, in, rng);
        auto x = random_activations(in, rng, true);
        std::vector<float> want(out);
        qref::linear(x, layer.view(), relu, want);
        x.resize(qopt::linear_input_size(in), kGarbage);
        std::vector<float> got(out);
        qopt::linear(qopt::pack_linear(layer.view(), out, in, relu), x, got);
        for (size_t i = 0; i < out; ++i) CHECK(got[i] == doctest::Approx(want[i]).epsilon(1e-5).scale(1.0));
      }
    }
  }
}

// Winograd is exact in int32 (kernels/qs8_winograd_ops.h), so the pooled sums equal the scalar conv's;
// what is left is the requantization's float expression, which a compiler may fuse into an FMA on one
// side only: one unit at most, as for the direct conv (int8 output), relative 1e-5 (float output).
// Sizes odd and even (the pool floors), channel counts off the vector widths and odd (a pair slot
// that meets a zero weight), one scratch for all of them (left over from larger convs).
TEST_CASE("qs8 Winograd conv3x3 + maxpool2x2 matches the scalar conv then pool") {
  std::mt19937 rng(2027);
  qopt::WinogradScratch scratch;
  const size_t sizes[][2] = {{2, 2}, {3, 5}, {4, 4}, {7, 6}, {10, 9}, {16, 16}};
  for (const auto& size : sizes) {
    const size_t h = size[0];
    const size_t w = size[1];
    for (size_t cin : {1, 2, 16, 17, 33}) {
      for (size_t cout : {1, 5, 17, 40}) {
        for (bool relu : {false, true}) {
          CAPTURE(h); CAPTURE(w); CAPTURE(cin); CAPTURE(cout); CAPTURE(relu);
          const Layer layer(cout, cin * 9, rng);
          const auto input = random_activations(h * w * cin, rng, relu);
          QPlaneBuffer in(h, w, cin, 1, 3);
          in.fill(input);
          const leafcheck::reference_ops::ImageShape shape{h, w, cin}, conv_shape{h, w, cout};
          scratch.fit(h, w, cin, cout);

          const float out_scale = 0.05f;
          std::vector<int16_t> conv(h * w * cout), want(h / 2 * (w / 2) * cout);
          qref::conv3x3(input, shape, layer.view(), relu, out_scale, conv);
          qref::maxpool2x2(conv, conv_shape, want);
          QPlaneBuffer out(h / 2, w / 2, cout, 1, 2);
          qopt::conv3x3_winograd_maxpool2x2(qopt::pack_winograd_f2x3(layer.view(), cout, cin, relu, out_scale),
                                            in.plane, out.plane, scratch);
          check_within_one_unit(out.read(), want);

          std::vector<float> conv_f(h * w * cout), want_f(want.size());
          qref::conv3x3(input, shape, layer.view(), relu, conv_f);
          leafcheck::reference_ops::maxpool2x2(conv_f, conv_shape, want_f);
          std::vector<float> got_f(want_f.size(), -1e9f);
          qopt::conv3x3_winograd_maxpool2x2(qopt::pack_winograd_f2x3(layer.view(), cout, cin, relu, 0.0f), in.plane,
                                            opt::Plane{got_f.data(), h / 2, w / 2, cout, w / 2 * cout}, scratch);
          for (size_t i = 0; i < want_f.size(); ++i) {
            CHECK(got_f[i] == doctest::Approx(want_f[i]).epsilon(1e-5).scale(1.0));
          }
        }
      }
    }
  }
}

// The largest sums the int32 bound allows: every input and weight 127 at the widest input, where the
// middle transform point of an inner tile holds in_channels x 4 x 127 x 9 x 127, and random signs.
TEST_CASE("qs8 Winograd stays exact at its widest input and refuses a wider one") {
  const size_t cin = qopt::kWinogradMaxInChannels, cout = 3, h = 6, w = 6;
  std::mt19937 rng(6);
  Layer layer(cout, cin * 9, rng);
  qopt::WinogradScratch scratch;
  scratch.fit(h, w, cin, cout);
  for (bool random_signs : {false, true}) {
    CAPTURE(random_signs);
    std::bernoulli_distribution negative(random_signs ? 0.5 : 0.0);
    for (int8_t& x : layer.weight) x = negative(rng) ? -127 : 127;
    std::vector<int16_t> input(h * w * cin);
    for (int16_t& x : input) x = negative(rng) ? -127 : 127;
    QPlaneBuffer in(h, w, cin, 1, 0);
    in.fill(input);
    std::vector<float> conv(h * w * cout), want(h / 2 * (w / 2) * cout), got(want.size());
    qref::conv3x3(input, {h, w, cin}, layer.view(), false, conv);
    leafcheck::reference_ops::maxpool2x2(conv, {h, w, cout}, want);
    qopt::conv3x3_winograd_maxpool2x2(qopt::pack_winograd_f2x3(layer.view(), cout, cin, false, 0.0f), in.plane,
                                      opt::Plane{got.data(), h / 2, w / 2, cout, w / 2 * cout}, scratch);
    for (size_t i = 0; i < want.size(); ++i) CHECK(got[i] == doctest::Approx(want[i]).epsilon(1e-5).scale(1.0));
  }
  const Layer wide(1, (cin + 1) * 9, rng);
  CHECK_THROWS_WITH_AS(qopt::pack_winograd_f2x3(wide.view(), 1, cin + 1, false, 0.0f),
                       doctest::Contains("could overflow"), std::invalid_argument);
}

TEST_CASE("qs8 Winograd refuses weights packed for the other output type or an unfitted scratch") {
  std::mt19937 rng(7);
  const Layer layer(4, 16 * 9, rng);
  QPlaneBuffer in(4, 4, 16, 1, 0), out(2, 2, 4, 1, 0);
  qopt::WinogradScratch scratch;
  const auto packed = qopt::pack_winograd_f2x3(layer.view(), 4, 16, false, 0.0f);
  CHECK_THROWS_WITH_AS(qopt::conv3x3_winograd_maxpool2x2(packed, in.plane, out.plane, scratch),
                       doctest::Contains("produce floats"), std::invalid_argument);
  std::vector<float> f(2 * 2 * 4);
  CHECK_THROWS_WITH_AS(qopt::conv3x3_winograd_maxpool2x2(packed, in.plane, opt::Plane{f.data(), 2, 2, 4, 8}, scratch),
                       doctest::Contains("WinogradScratch::fit"), std::invalid_argument);
}
