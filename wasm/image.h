// Image decoding and the preprocessing shared by the app, the CLI and training:
// train and serve must see identical pixels.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <vector>

namespace leafcheck {

// Thrown for empty, garbled, unsupported or over-limit images.
class ImageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RgbImage {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;  // RGB8, row-major, width*height*3
};

struct DecodeLimits {
  uint64_t max_pixels = 40'000'000;  // 40 megapixels
};

// JPEG or PNG bytes -> RGB, upright (JPEG EXIF orientation applied), a PNG's transparency composited
// over white. Throws ImageError.
RgbImage decode_image(std::span<const uint8_t> bytes, const DecodeLimits& limits = {});

// EXIF orientation tag (1..8) of a JPEG; 1 when absent, unreadable or not a JPEG.
int jpeg_exif_orientation(std::span<const uint8_t> bytes);

// Rotates/flips so that an image stored with EXIF `orientation` displays upright.
RgbImage apply_exif_orientation(const RgbImage& image, int orientation);

// RGBA8 (canvas / camera frame) -> RGB8, composited over white like a PNG's transparency (camera
// frames are opaque: unchanged). Throws ImageError on bad sizes.
RgbImage rgb_from_rgba(std::span<const uint8_t> rgba, int width, int height, const DecodeLimits& limits = {});

// A rectangle of a picture in its pixel coordinates, which need not be whole: where the browser
// decoded a photo at a reduced scale, the part of that smaller picture which the full photo's centre
// crop covers.
struct CropRegion {
  double x = 0;
  double y = 0;
  double width = 0;
  double height = 0;
};

// The crop center_crop_resize takes: the largest centred region of an image_width x image_height
// picture with the aspect ratio of width x height (a square of the shorter side for a square target).
CropRegion center_crop_region(int image_width, int image_height, int width, int height);

// Centre crop (center_crop_region), then area-averaging resize to width x height (antialiased when
// shrinking; identity when sizes already match). Coverage is computed in whole integers.
RgbImage center_crop_resize(const RgbImage& image, int width, int height);

// Area-averaging resize of `region` of the image to width x height: each source pixel weighs by the
// part of it inside an output pixel's footprint, so a region scaled from the full photo gives the
// input center_crop_resize makes from that photo, to within the smaller picture's own averaging.
// Throws ImageError when the region is empty or reaches outside the image.
RgbImage crop_resize(const RgbImage& image, const CropRegion& region, int width, int height);

// RGB8 -> normalised NHWC float: (pixel/255 - mean[c]) / stddev[c].
void normalize_to_nhwc(const RgbImage& image, std::span<const float> mean, std::span<const float> stddev,
                       std::span<float> out);

}  // namespace leafcheck
