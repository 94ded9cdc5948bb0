// Deterministic models with random (He-initialised) weights, for tests and benchmarks
// until a trained model exists. Their metadata says "untrained": never present one as trained.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model.h"

namespace leafcheck {

struct Architecture {
  uint32_t input_size = 128;
  std::vector<uint32_t> conv_channels = {32, 64, 128, 256};  // one conv-relu-maxpool block each
  uint32_t hidden = 256;
};

// The seed architecture: blocks of Conv3x3(+ReLU)-MaxPool2x2, global average pool,
// Linear(C, hidden)+ReLU, Linear(hidden, labels.size()). Same seed, same bytes.
ModelSpec make_random_model(const std::vector<std::string>& labels, uint64_t seed, const Architecture& arch = {});

}  // namespace leafcheck
