#include "yardstick_files.h"

#include <fstream>
#include <iterator>
#include <stdexcept>

namespace leafcheck::yardsticks {

namespace {

std::vector<char> read_bytes(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw std::runtime_error("cannot open '" + path + "'");
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

}  // namespace

ModelSpec read_model_file(const std::string& path) {
  const std::vector<char> bytes = read_bytes(path);
  return parse_model({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
}

std::vector<float> read_floats(const std::string& path, size_t expected_count) {
  const std::vector<char> bytes = read_bytes(path);
  if (bytes.size() != expected_count * sizeof(float)) {
    throw std::runtime_error("'" + path + "' holds " + std::to_string(bytes.size()) + " bytes; the model input needs " +
                             std::to_string(expected_count) + " f32 (" + std::to_string(expected_count * sizeof(float)) +
                             " bytes): write it with leafcheck-logits --input-out");
  }
  std::vector<float> values(expected_count);
  std::copy(bytes.begin(), bytes.end(), reinterpret_cast<char*>(values.data()));
  return values;
}

void write_floats(const std::string& path, std::span<const float> values) {
  std::ofstream file(path, std::ios::binary);
  file.write(reinterpret_cast<const char*>(values.data()), static_cast<std::streamsize>(values.size_bytes()));
  if (!file) throw std::runtime_error("cannot write '" + path + "'");
}

}  // namespace leafcheck::yardsticks
