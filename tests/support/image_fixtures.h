// Tiny images made inside the tests (never real photos) and their JPEG/PNG encodings.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <random>
#include <span>
#include <string>
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

// decode_image's ImageError message for `bytes`, or "" when they decode.
inline std::string error_of(std::span<const uint8_t> bytes, const DecodeLimits& limits = {}) {
  try {
    decode_image(bytes, limits);
  } catch (const ImageError& e) {
    return e.what();
  }
  return "";
}

using Rgb = std::array<int, 3>;

inline Rgb pixel(const RgbImage& image, int x, int y) {
  const size_t at = (static_cast<size_t>(y) * image.width + x) * 3;
  return {image.pixels[at], image.pixels[at + 1], image.pixels[at + 2]};
}

inline RgbImage solid_image(int width, int height, uint8_t r, uint8_t g, uint8_t b) {
  RgbImage image{width, height, {}};
  for (int i = 0; i < width * height; ++i) image.pixels.insert(image.pixels.end(), {r, g, b});
  return image;
}

inline void put16(std::vector<uint8_t>& out, uint16_t v, bool little) {
  out.push_back(static_cast<uint8_t>(little ? v : v >> 8));
  out.push_back(static_cast<uint8_t>(little ? v >> 8 : v));
}

inline void put32(std::vector<uint8_t>& out, uint32_t v, bool little) {
  put16(out, static_cast<uint16_t>(little ? v : v >> 16), little);
  put16(out, static_cast<uint16_t>(little ? v >> 16 : v), little);
}

// "Exif\0\0" + TIFF header + IFD0 with an unrelated tag first, then the orientation as one SHORT.
inline std::vector<uint8_t> exif_payload(bool little, uint16_t orientation, uint16_t type = 3, uint32_t count = 1) {
  std::vector<uint8_t> p = {'E', 'x', 'i', 'f', 0, 0};
  p.push_back(little ? 'I' : 'M');
  p.push_back(little ? 'I' : 'M');
  put16(p, 42, little);
  put32(p, 8, little);
  put16(p, 2, little);
  put16(p, 0x010F, little);  // Make, ASCII, 4 bytes inline
  put16(p, 2, little);
  put32(p, 4, little);
  p.insert(p.end(), {'A', 'B', 'C', 0});
  put16(p, 0x0112, little);
  put16(p, type, little);
  put32(p, count, little);
  put16(p, orientation, little);
  put16(p, 0, little);
  put32(p, 0, little);  // no next IFD
  return p;
}

// Inserts an APP1 segment right after SOI, where cameras write it.
inline std::vector<uint8_t> with_app1(const std::vector<uint8_t>& jpeg, const std::vector<uint8_t>& payload) {
  const size_t length = payload.size() + 2;
  const uint8_t marker[4] = {0xFF, 0xE1, static_cast<uint8_t>(length >> 8), static_cast<uint8_t>(length)};
  std::vector<uint8_t> out(jpeg.size() + 2 + length);
  std::memcpy(out.data(), jpeg.data(), 2);
  std::memcpy(out.data() + 2, marker, 4);
  if (!payload.empty()) std::memcpy(out.data() + 6, payload.data(), payload.size());
  std::memcpy(out.data() + 6 + payload.size(), jpeg.data() + 2, jpeg.size() - 2);
  return out;
}

}  // namespace leafcheck::fixtures
