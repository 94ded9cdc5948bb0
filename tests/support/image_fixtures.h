// Tiny images made inside the tests (never real photos) and their JPEG/PNG encodings.
#pragma once

#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "image.h"

#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wunused-function"
#endif
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

namespace leafcheck::fixtures {

inline void append_bytes(void* context, void* data, int size) {
  auto* out = static_cast<std::vector<uint8_t>*>(context);
  const size_t old_size = out->size();
  out->resize(old_size + static_cast<size_t>(size));
  std::memcpy(out->data() + old_size, data, static_cast<size_t>(size));
}

// `channels` of interleaved 8-bit samples per pixel (1 grey, 3 RGB, 4 RGBA).
inline std::vector<uint8_t> encode_png(const std::vector<uint8_t>& pixels, int width, int height, int channels) {
  std::vector<uint8_t> out;
  stbi_write_png_to_func(append_bytes, &out, width, height, channels, pixels.data(), width * channels);
  return out;
}

inline std::vector<uint8_t> encode_png(const RgbImage& image) {
  return encode_png(image.pixels, image.width, image.height, 3);
}

// Quality above 90 turns off chroma subsampling, so colours stay put up to the 8x8 block edges.
inline std::vector<uint8_t> encode_jpeg(const RgbImage& image, int quality = 100) {
  std::vector<uint8_t> out;
  stbi_write_jpg_to_func(append_bytes, &out, image.width, image.height, 3, image.pixels.data(), quality);
  return out;
}

inline RgbImage random_image(int width, int height, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> byte(0, 255);
  RgbImage image{width, height, std::vector<uint8_t>(static_cast<size_t>(width) * height * 3)};
  for (auto& v : image.pixels) v = static_cast<uint8_t>(byte(rng));
  return image;
}

inline RgbImage solid_image(int width, int height, uint8_t r, uint8_t g, uint8_t b) {
  RgbImage image{width, height, {}};
  for (int i = 0; i < width * height; ++i) image.pixels.insert(image.pixels.end(), {r, g, b});
  return image;
}

}  // namespace leafcheck::fixtures
