// libFuzzer target: everything an uploaded photo goes through before the network: format sniffing,
// JPEG/PNG decoding (stb_image), transparency, EXIF orientation, centre crop + area resize,
// normalisation, the plant-pixel and "something to see" checks. A garbled image may only end in ImageError.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "detail_check.h"
#include "image.h"
#include "leaf_check.h"

namespace {

// 40 MP (the app's limit) decodes take seconds under ASan; the size checks are the same code.
constexpr leafcheck::DecodeLimits kLimits{4'000'000};
constexpr float kMean[3] = {0.485f, 0.456f, 0.406f};
constexpr float kStddev[3] = {0.229f, 0.224f, 0.225f};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  const int orientation = leafcheck::jpeg_exif_orientation(bytes);
  if (orientation < 1 || orientation > 8) std::abort();
  leafcheck::RgbImage image;
  try {
    image = leafcheck::decode_image(bytes, kLimits);
  } catch (const leafcheck::ImageError&) {
    return 0;
  }
  if (image.width <= 0 || image.height <= 0 ||
      image.pixels.size() != static_cast<size_t>(image.width) * static_cast<size_t>(image.height) * 3) {
    std::abort();
  }
  // Odd target sizes exercise the crop and the filter weights beyond the model's square input.
  const int target_w = 1 + data[size - 1] % 130, target_h = 1 + data[size / 2] % 130;
  const leafcheck::RgbImage resized = leafcheck::center_crop_resize(image, target_w, target_h);
  std::vector<float> input(resized.pixels.size());
  leafcheck::normalize_to_nhwc(resized, kMean, kStddev, input);
  const float fraction = leafcheck::plant_pixel_fraction(resized);
  if (!(fraction >= 0.0f && fraction <= 1.0f)) std::abort();
  const float spread = leafcheck::colour_stddev(resized);  // 0..127.5 for 8-bit pixels
  if (!(spread >= 0.0f && spread <= 128.0f)) std::abort();
  leafcheck::has_something_to_see(image.width, image.height, resized);
  return 0;
}
