// What the Network tests feed a network: numbered class names for random models, and random inputs
// (the same seed gives the same input).
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "model.h"

namespace leafcheck::fixtures {

inline std::vector<std::string> labels(size_t n) {
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) out.push_back("class_" + std::to_string(i));
  return out;
}

inline std::vector<float> random_input(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = normal(rng);
  return v;
}

// `count` inputs of `spec`'s size, each value uniform in [-2, 2]: about the range of a normalised picture.
inline std::vector<std::vector<float>> random_inputs(const ModelSpec& spec, size_t count, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> value(-2.0f, 2.0f);
  std::vector<std::vector<float>> inputs(count);
  for (auto& input : inputs) {
    input.resize(size_t{spec.input_height} * spec.input_width * spec.input_channels);
    for (float& v : input) v = value(rng);
  }
  return inputs;
}

}  // namespace leafcheck::fixtures
