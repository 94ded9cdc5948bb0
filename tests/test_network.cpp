// The whole Network: Optimized against Reference on random models, sizes, input checks, and that
// forward() does not allocate.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "model.h"
#include "network.h"
#include "plantvillage.h"
#include "random_model.h"
#include "support/network_fixtures.h"

// Counts every global allocation so the test can show forward() makes none. Test-only instrument.
namespace {
std::atomic<size_t> g_allocations{0};
}

void* operator new(size_t size) {
  ++g_allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t size) { return operator new(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }

namespace {

using leafcheck::Architecture;
using leafcheck::KernelSet;
using leafcheck::LayerKind;
using leafcheck::ModelSpec;
using leafcheck::Network;
using leafcheck::fixtures::labels;
using leafcheck::fixtures::random_input;

// He-initialised layers keep activations O(1); FMA and summation order differ between the kernel
// sets, so logits agree to a relative 1e-4 of the largest logit (observed: ~1e-6).
void check_matches_reference(const ModelSpec& spec, uint32_t input_seed) {
  Network optimized(spec, KernelSet::Optimized);
  Network reference(spec, KernelSet::Reference);
  REQUIRE(optimized.input_size() == reference.input_size());
  REQUIRE(optimized.output_size() == spec.labels.size());
  const auto input = random_input(optimized.input_size(), input_seed);
  const auto got = optimized.forward(input);
  const auto want = reference.forward(input);
  REQUIRE(got.size() == want.size());
  float scale = 1.0f;
  for (float v : want) scale = std::max(scale, std::fabs(v));
  for (size_t i = 0; i < got.size(); ++i) {
    CAPTURE(i);
    CHECK(std::fabs(got[i] - want[i]) <= 1e-4f * scale);
  }
}

}  // namespace

TEST_CASE("Optimized matches Reference on small random architectures") {
  struct Case {
    uint32_t input;
    std::vector<uint32_t> channels;
    uint32_t hidden;
    size_t classes;
  };
  const Case cases[] = {
      {8, {4}, 5, 3}, {9, {5, 7}, 16, 38},           {13, {3, 17, 9}, 7, 2},  {16, {8, 16, 32}, 33, 38},
      {2, {6}, 4, 1}, {21, {16, 24, 40, 8}, 64, 11}, {32, {32, 64}, 256, 38}, {5, {1, 2}, 3, 4},
  };
  uint64_t seed = 100;
  for (const Case& c : cases) {
    CAPTURE(c.input);
    CAPTURE(c.channels.size());
    const ModelSpec spec = leafcheck::make_random_model(labels(c.classes), seed++, {c.input, c.channels, c.hidden});
    check_matches_reference(spec, static_cast<uint32_t>(seed));
  }
}

TEST_CASE("Optimized matches Reference on the full seed architecture") {
  const ModelSpec spec = leafcheck::make_random_model(leafcheck::plantvillage_labels(), 42);
  Network network(spec);
  CHECK(network.input_size() == 128 * 128 * 3);
  CHECK(network.output_size() == 38);
  check_matches_reference(spec, 1);
}

TEST_CASE("standalone ReLU layers and a conv without a following pool") {
  // conv(no ReLU), Relu, conv(+ReLU), MaxPool, Relu, GlobalAvgPool, Relu, Linear(no ReLU), Relu, Linear:
  // exercises ReLU folding into conv/linear, an unfused conv, and an in-place ReLU after pooling.
  ModelSpec spec = leafcheck::make_random_model(labels(5), 7, {11, {6, 10}, 12});
  REQUIRE(spec.layers[1].kind == LayerKind::MaxPool2x2);
  spec.layers.erase(spec.layers.begin() + 1);
  spec.layers[0].fused_relu = false;
  spec.layers.insert(spec.layers.begin() + 1, leafcheck::Layer{.kind = LayerKind::Relu, .weight = {}, .bias = {}});
  spec.layers.insert(spec.layers.begin() + 4, leafcheck::Layer{.kind = LayerKind::Relu, .weight = {}, .bias = {}});
  spec.layers.insert(spec.layers.begin() + 6, leafcheck::Layer{.kind = LayerKind::Relu, .weight = {}, .bias = {}});
  spec.layers[7].fused_relu = false;
  spec.layers.insert(spec.layers.begin() + 8, leafcheck::Layer{.kind = LayerKind::Relu, .weight = {}, .bias = {}});
  REQUIRE(spec.layers[7].kind == LayerKind::Linear);
  check_matches_reference(spec, 3);
}

TEST_CASE("forward rejects an input of the wrong size with a clear message") {
  const ModelSpec spec = leafcheck::make_random_model(labels(3), 1, {16, {4}, 8});
  for (KernelSet kernels : {KernelSet::Optimized, KernelSet::Reference}) {
    Network network(spec, kernels);
    const std::vector<float> short_input(network.input_size() - 1);
    CHECK_THROWS_WITH_AS(network.forward(short_input), "Network::forward: expected 768 floats (16x16x3 NHWC), got 767",
                         std::invalid_argument);
    CHECK_THROWS_AS(network.forward({}), std::invalid_argument);
  }
}

TEST_CASE("a model whose shapes do not chain is rejected") {
  ModelSpec spec = leafcheck::make_random_model(labels(3), 1, {16, {4, 8}, 8});
  SUBCASE("label count differs from the output size") {
    spec.labels.pop_back();
    CHECK_THROWS_AS(Network{spec}, leafcheck::ModelError);
  }
  SUBCASE("conv input channels do not match") {
    spec.layers[2].weight.shape[1] = 5;
    CHECK_THROWS_AS(Network{spec}, leafcheck::ModelError);
  }
  SUBCASE("linear before global average pooling") {
    std::swap(spec.layers[4], spec.layers[5]);
    CHECK_THROWS_AS((Network{spec, KernelSet::Reference}), leafcheck::ModelError);
  }
  SUBCASE("ends in an image") {
    spec.layers.resize(4);
    CHECK_THROWS_AS(Network{spec}, leafcheck::ModelError);
  }
}

TEST_CASE("forward allocates nothing and returns the same buffer every call") {
  const ModelSpec spec = leafcheck::make_random_model(leafcheck::plantvillage_labels(), 42, {32, {8, 16}, 16});
  for (KernelSet kernels : {KernelSet::Optimized, KernelSet::Reference}) {
    Network network(spec, kernels);
    const auto a = random_input(network.input_size(), 1);
    const auto b = random_input(network.input_size(), 2);
    const auto first = network.forward(a);
    const std::vector<float> first_values(first.begin(), first.end());
    const size_t before = g_allocations.load();
    const auto second = network.forward(b);
    const auto third = network.forward(a);
    const size_t after = g_allocations.load();
    CHECK(after == before);
    CHECK(second.data() == first.data());
    CHECK(third.data() == first.data());
    CHECK(std::vector<float>(third.begin(), third.end()) == first_values);
  }
}

TEST_CASE("a moved-from Network's state lives on in the target") {
  const ModelSpec spec = leafcheck::make_random_model(labels(4), 9, {8, {4}, 8});
  Network original(spec);
  const auto input = random_input(original.input_size(), 5);
  const auto out = original.forward(input);
  const std::vector<float> want(out.begin(), out.end());
  Network moved(std::move(original));
  const auto got = moved.forward(input);
  CHECK(std::vector<float>(got.begin(), got.end()) == want);
}

TEST_CASE("profile computes what forward computes, one named and timed step at a time") {
  const ModelSpec spec = leafcheck::make_random_model(leafcheck::plantvillage_labels(), 42);
  // 2 x multiply-adds of the seed architecture, layer by layer (bench GFLOP/s rest on these).
  const double flops = 2.0 * (128 * 128 * 3 * 32 * 9 + 64 * 64 * 32 * 64 * 9 + 32 * 32 * 64 * 128 * 9 +
                              16 * 16 * 128 * 256 * 9 + 256 * 256 + 256 * 38);
  for (KernelSet kernels : {KernelSet::Optimized, KernelSet::Reference}) {
    Network network(spec, kernels);
    const auto a = random_input(network.input_size(), 1);
    const auto b = random_input(network.input_size(), 2);
    const auto out = network.forward(a);
    const std::vector<float> want(out.begin(), out.end());
    network.forward(b);
    const std::vector<leafcheck::StepTime> steps = network.profile(a);
    CHECK(std::vector<float>(out.begin(), out.end()) == want);
    double total = 0;
    size_t winograd = 0;
    for (const leafcheck::StepTime& s : steps) {
      CAPTURE(s.what);
      CHECK(!s.what.empty());
      CHECK(s.ms >= 0);
      total += s.flops;
      if (s.what.find("Winograd") != std::string::npos) ++winograd;
    }
    CHECK(total == flops);
    // Optimized: 4 convs with ReLU and pool fused, global average pool, 2 linears; Reference: the pools apart.
    CHECK(steps.size() == (kernels == KernelSet::Optimized ? 7u : 11u));
    CHECK(winograd == (kernels == KernelSet::Optimized ? 3u : 0u));
  }
}
