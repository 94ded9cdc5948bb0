// Files the yardsticks share with compare.mjs: the .lcm model and the fixed input, a raw array of
// little-endian f32 in NHWC order (what leafcheck::Network::forward takes), written once by
// leafcheck-logits so that every engine classifies the very same numbers.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "model.h"

namespace leafcheck::yardsticks {

ModelSpec read_model_file(const std::string& path);
std::vector<float> read_floats(const std::string& path, size_t expected_count);
void write_floats(const std::string& path, std::span<const float> values);

}  // namespace leafcheck::yardsticks
