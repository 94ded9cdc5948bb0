// ThreadPool, and Network with its convolutions split across threads: the logits must be bit-identical
// to the single-thread forward pass (each output value is computed by the same instructions in the
// same order whatever thread computes it), for several thread counts and shapes.
#include <doctest/doctest.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <vector>

#include "model.h"
#include "network.h"
#include "plantvillage.h"
#include "random_model.h"
#include "support/network_fixtures.h"
#include "thread_pool.h"

namespace {

using leafcheck::KernelSet;
using leafcheck::ModelSpec;
using leafcheck::Network;
using leafcheck::ThreadPool;
using leafcheck::fixtures::labels;
using leafcheck::fixtures::random_input;

void check_threads_match_single_thread(const ModelSpec& spec, uint32_t input_seed) {
  Network single(spec, KernelSet::Optimized, 1);
  const auto input = random_input(single.input_size(), input_seed);
  const auto want_span = single.forward(input);
  const std::vector<float> want(want_span.begin(), want_span.end());
  for (size_t threads : {2, 3, 4, 7}) {
    CAPTURE(threads);
    Network threaded(spec, KernelSet::Optimized, threads);
    CHECK(threaded.threads() == threads);
    // Twice: the second pass reuses the pool and the per-thread scratch.
    for (int pass = 0; pass < 2; ++pass) {
      const auto got = threaded.forward(input);
      CHECK(std::vector<float>(got.begin(), got.end()) == want);
    }
  }
}

}  // namespace

TEST_CASE("ThreadPool runs every task exactly once, the caller included") {
  for (size_t threads : {1, 2, 4}) {
    ThreadPool pool(threads);
    CHECK(pool.size() == threads);
    for (size_t tasks : {0, 1, 3, 4, 17}) {
      std::vector<std::atomic<int>> runs(tasks);
      pool.run(tasks, [&](size_t i) { ++runs[i]; });
      for (size_t i = 0; i < tasks; ++i) CHECK(runs[i].load() == 1);
    }
  }
}

TEST_CASE("ThreadPool rethrows a task's exception and stays usable") {
  ThreadPool pool(3);
  CHECK_THROWS_WITH_AS(pool.run(5, [](size_t i) {
    if (i == 2) throw std::runtime_error("task 2 failed");
  }),
                       "task 2 failed", std::runtime_error);
  std::atomic<int> count{0};
  pool.run(6, [&](size_t) { ++count; });
  CHECK(count.load() == 6);
}

TEST_CASE("ThreadPool and Network refuse zero threads with a clear message") {
  CHECK_THROWS_WITH_AS(ThreadPool(0), "ThreadPool: needs at least 1 thread (the caller)", std::invalid_argument);
  const ModelSpec spec = leafcheck::make_random_model(labels(3), 1, {16, {4}, 8});
  CHECK_THROWS_WITH_AS(Network(spec, KernelSet::Optimized, 0), "Network: threads must be at least 1",
                       std::invalid_argument);
}

TEST_CASE("threaded forward is bit-identical to single-thread on small random architectures") {
  struct Case {
    uint32_t input;
    std::vector<uint32_t> channels;
  };
  // Odd sizes (floor pooling leaves a row out), fewer output rows than threads, Winograd (>= 16 input
  // channels) and direct layers.
  const Case cases[] = {{8, {4}}, {9, {5, 7}}, {13, {3, 17, 9}}, {21, {16, 24, 40, 8}}, {32, {32, 64}}, {2, {6}}};
  uint64_t seed = 300;
  for (const Case& c : cases) {
    CAPTURE(c.input);
    const ModelSpec spec = leafcheck::make_random_model(labels(5), seed++, {c.input, c.channels, 16});
    check_threads_match_single_thread(spec, static_cast<uint32_t>(seed));
  }
}

TEST_CASE("threaded forward is bit-identical to single-thread on the seed architecture") {
  check_threads_match_single_thread(leafcheck::make_random_model(leafcheck::plantvillage_labels(), 42), 5);
}

TEST_CASE("a conv without a following pool splits too") {
  ModelSpec spec = leafcheck::make_random_model(labels(4), 11, {15, {6, 20}, 12});
  REQUIRE(spec.layers[1].kind == leafcheck::LayerKind::MaxPool2x2);
  spec.layers.erase(spec.layers.begin() + 1);  // conv 6 then conv 20 directly: an unfused Conv3x3 step
  check_threads_match_single_thread(spec, 8);
}

TEST_CASE("the reference kernels ignore threads: they are the single-thread ground truth") {
  const ModelSpec spec = leafcheck::make_random_model(labels(3), 2, {16, {4}, 8});
  CHECK(Network(spec, KernelSet::Reference, 4).threads() == 1);
}
