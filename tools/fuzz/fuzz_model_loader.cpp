// libFuzzer target: the model loader (parse_model) and what the app does next with a model that
// parses (Classifier: planning, weight packing, one forward pass).
//
// The input is a model file without its last 4 bytes; the harness appends the CRC-32, so mutations
// reach the structural checks instead of stopping at the checksum (the checksum itself is covered
// by tests/test_model_format.cpp).
#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <vector>

#include "classifier.h"
#include "image.h"
#include "model.h"

namespace {

// Above this many input pixels a forward pass of a fuzzed model could take seconds; parsing and
// Network construction are still run, only the classification is skipped.
constexpr uint64_t kMaxClassifiedPixels = 64 * 64;

std::vector<uint8_t> sealed(const uint8_t* data, size_t size) {
  std::vector<uint8_t> file(data, data + size);
  const uLong crc = crc32(crc32(0L, Z_NULL, 0), data, static_cast<uInt>(size));
  for (int i = 0; i < 4; ++i) file.push_back(static_cast<uint8_t>(crc >> (8 * i)));
  return file;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<uint8_t> file = sealed(data, size);
  leafcheck::ModelSpec spec;
  try {
    spec = leafcheck::parse_model(file);
  } catch (const leafcheck::ModelError&) {
    return 0;
  }
  // FORMAT.md: any file that parses re-serializes to the identical bytes.
  if (leafcheck::serialize_model(spec) != file) std::abort();
  try {
    leafcheck::Classifier classifier(file);
    if (uint64_t{spec.input_width} * spec.input_height <= kMaxClassifiedPixels) {
      const leafcheck::RgbImage grey{7, 5, std::vector<uint8_t>(7 * 5 * 3, 128)};
      classifier.classify_rgb(grey, 5);
    }
  } catch (const leafcheck::ModelError&) {
    // The Classifier refuses models it cannot feed (input channels other than 3).
  }
  return 0;
}
