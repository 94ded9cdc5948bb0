// What the Network tests feed a network: numbered class names for random models, and random normal
// inputs (the same seed gives the same input).
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

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

}  // namespace leafcheck::fixtures
