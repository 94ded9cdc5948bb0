#include "image.h"
#include "jpeg_segments.h"
#include "png_chunks.h"

#include <stb_image.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace leafcheck {
namespace {

constexpr const char* kSupportedFormats = "Leafcheck reads JPEG and PNG images";

bool starts_with(std::span<const uint8_t> bytes, std::string_view magic, size_t at = 0) {
  return bytes.size() >= at + magic.size() && std::memcmp(bytes.data() + at, magic.data(), magic.size()) == 0;
}

bool is_jpeg(std::span<const uint8_t> bytes) { return starts_with(bytes, "\xFF\xD8\xFF"); }
bool is_png(std::span<const uint8_t> bytes) { return starts_with(bytes, "\x89PNG\r\n\x1A\n"); }

// Names the formats people most often try (phones save HEIC, the web WebP) so the message says what to do.
std::string unsupported_format_message(std::span<const uint8_t> bytes) {
  const char* name = nullptr;
  if (starts_with(bytes, "GIF8")) name = "GIF";
  else if (starts_with(bytes, "BM")) name = "BMP";
  else if (starts_with(bytes, "RIFF") && starts_with(bytes, "WEBP", 8)) name = "WebP";
  else if (starts_with(bytes, "ftypheic", 4) || starts_with(bytes, "ftypheix", 4) || starts_with(bytes, "ftypmif1", 4))
    name = "HEIC";
  else if (starts_with(bytes, "ftypavif", 4)) name = "AVIF";
  else if (starts_with(bytes, std::string_view("II*\0", 4)) || starts_with(bytes, std::string_view("MM\0*", 4)))
    name = "TIFF";
  if (name) return std::string("unsupported image format (") + name + "); " + kSupportedFormats;
  return std::string("not a JPEG or PNG image (unrecognised data); ") + kSupportedFormats;
}

std::string megapixels(uint64_t pixels, bool whole_if_exact) {
  char text[64];
  if (whole_if_exact && pixels % 1'000'000 == 0) {
    std::snprintf(text, sizeof text, "%llu", static_cast<unsigned long long>(pixels / 1'000'000));
  } else {
    std::snprintf(text, sizeof text, "%.1f", static_cast<double>(pixels) / 1e6);
  }
  return text;
}

std::string over_limit_message(uint64_t pixels, uint64_t limit) {
  // Megapixels read best for photos; tiny limits (tests, thumbnails) would all print as "0.0".
  if (limit < 100'000) {
    return "image is " + std::to_string(pixels) + " pixels; the limit is " + std::to_string(limit) + " pixels";
  }
  return "image is " + megapixels(pixels, false) + " megapixels; the limit is " + megapixels(limit, true) +
         " megapixels";
}

void check_pixel_count(uint64_t width, uint64_t height, const DecodeLimits& limits) {
  if (width == 0 || height == 0) {
    throw ImageError("image has a zero size (" + std::to_string(width) + "x" + std::to_string(height) + ")");
  }
  const uint64_t pixels = width * height;
  if (pixels > limits.max_pixels) {
    throw ImageError(over_limit_message(pixels, limits.max_pixels));
  }
}

// stb_image 2.27 (Debian 12) writes past its Huffman arrays when a DHT segment declares more than
// 256 symbols (fixed upstream in 2.28); such tables are invalid JPEG, so they are refused here first.
bool has_oversized_huffman_table(std::span<const uint8_t> bytes) {
  bool oversized = false;
  jpeg::walk_segments(bytes, true, [&](uint8_t marker, std::span<const uint8_t> payload) {
    if (marker != jpeg::kDht) return true;
    // Like stb_image: a table that starts inside the segment is read whole, even past the segment's
    // declared end, and past the end of the data it reads zeros.
    const size_t start = static_cast<size_t>(payload.data() - bytes.data());
    for (size_t pos = start; pos < start + payload.size() && !oversized;) {
      size_t symbols = 0;
      for (size_t i = pos + 1; i <= pos + 16 && i < bytes.size(); ++i) symbols += bytes[i];
      oversized = symbols > 256;
      pos += 17 + symbols;
    }
    return !oversized;
  });
  return oversized;
}

// stb_image 2.27 decodes a scan with whatever its Huffman table slots hold, initialised or not, and
// an undefined table sends its decoder's lookups far out of bounds (found by tools/fuzz). So every
// table a scan decodes with must have been defined by an earlier DHT segment. Progressive JPEGs
// decode their first DC scans with DC tables only, refinements of DC with none, AC scans with AC
// tables only; baseline scans use both.
bool uses_undefined_huffman_table(std::span<const uint8_t> bytes) {
  bool defined[2][4] = {};  // [class: 0 DC, 1 AC][table id]
  bool progressive = false, undefined = false;
  jpeg::walk_segments(bytes, true, [&](uint8_t marker, std::span<const uint8_t> payload) {
    if (marker == jpeg::kSof2) progressive = true;
    if (marker == jpeg::kDht) {
      for (size_t pos = 0; pos + 17 <= payload.size();) {
        const int table_class = payload[pos] >> 4, id = payload[pos] & 15;
        if (table_class <= 1 && id <= 3) defined[table_class][id] = true;
        size_t symbols = 0;
        for (size_t i = pos + 1; i <= pos + 16; ++i) symbols += payload[i];
        pos += 17 + symbols;
      }
    }
    if (marker != jpeg::kSos || payload.empty()) return true;
    const size_t components = payload[0];
    if (payload.size() < 1 + 2 * components + 3) return true;  // stb_image refuses a short scan header itself
    const uint8_t spectral_start = payload[1 + 2 * components], approximation_high = payload[3 + 2 * components] >> 4;
    const bool needs_dc = !progressive || (spectral_start == 0 && approximation_high == 0);
    const bool needs_ac = !progressive || spectral_start > 0;
    for (size_t c = 0; c < components && !undefined; ++c) {
      const int dc = payload[2 + 2 * c] >> 4, ac = payload[2 + 2 * c] & 15;
      undefined = (needs_dc && (dc > 3 || !defined[0][dc])) || (needs_ac && (ac > 3 || !defined[1][ac]));
    }
    return !undefined;
  });
  return undefined;
}

struct StbiFree {
  void operator()(stbi_uc* p) const { stbi_image_free(p); }
};

// Copies `src` (width x height RGB) so that an image stored with EXIF `orientation` comes out upright.
// Every orientation is "output pixel (x, y) reads source pixel start + x*step_x + y*step_y"; the
// transposing ones (5-8) walk the output in tiles so that a 12 MP photo's source rows stay in cache.
RgbImage oriented_copy(const uint8_t* src, int width, int height, int orientation) {
  const ptrdiff_t w = width, h = height;
  ptrdiff_t start = 0, step_x = 1, step_y = w;
  switch (orientation) {
    case 2: start = w - 1, step_x = -1, step_y = w; break;
    case 3: start = (h - 1) * w + w - 1, step_x = -1, step_y = -w; break;
    case 4: start = (h - 1) * w, step_x = 1, step_y = -w; break;
    case 5: start = 0, step_x = w, step_y = 1; break;
    case 6: start = (h - 1) * w, step_x = -w, step_y = 1; break;
    case 7: start = (h - 1) * w + w - 1, step_x = -w, step_y = -1; break;
    case 8: start = w - 1, step_x = w, step_y = -1; break;
    default: break;
  }
  const bool transposed = orientation >= 5 && orientation <= 8;
  RgbImage out;
  out.width = transposed ? height : width;
  out.height = transposed ? width : height;
  out.pixels.resize(static_cast<size_t>(w) * static_cast<size_t>(h) * 3);
  if (orientation < 2 || orientation > 8) {
    std::memcpy(out.pixels.data(), src, out.pixels.size());
    return out;
  }
  const ptrdiff_t out_w = out.width, out_h = out.height;
  if (!transposed) {  // whole rows, copied straight or reversed
    for (ptrdiff_t y = 0; y < out_h; ++y) {
      uint8_t* dst = out.pixels.data() + y * out_w * 3;
      const uint8_t* p = src + (start + y * step_y) * 3;
      if (step_x == 1) {
        std::memcpy(dst, p, static_cast<size_t>(out_w) * 3);
        continue;
      }
      for (ptrdiff_t x = 0; x < out_w; ++x, p -= 3, dst += 3) {
        dst[0] = p[0];
        dst[1] = p[1];
        dst[2] = p[2];
      }
    }
    return out;
  }
  constexpr ptrdiff_t kTile = 64;
  for (ptrdiff_t ty = 0; ty < out_h; ty += kTile) {
    const ptrdiff_t y_end = std::min(out_h, ty + kTile);
    for (ptrdiff_t tx = 0; tx < out_w; tx += kTile) {
      const ptrdiff_t x_end = std::min(out_w, tx + kTile);
      for (ptrdiff_t y = ty; y < y_end; ++y) {
        uint8_t* dst = out.pixels.data() + (y * out_w + tx) * 3;
        const uint8_t* p = src + (start + tx * step_x + y * step_y) * 3;
        for (ptrdiff_t x = tx; x < x_end; ++x, p += step_x * 3, dst += 3) {
          dst[0] = p[0];
          dst[1] = p[1];
          dst[2] = p[2];
        }
      }
    }
  }
  return out;
}

uint8_t to_byte(float v) { return static_cast<uint8_t>(std::clamp(v + 0.5f, 0.0f, 255.0f)); }

// Exact box filter along one axis: destination sample j covers source interval [j*n/m, (j+1)*n/m),
// and each source sample weighs by the fraction of it inside that interval. Coverage is computed
// in integers (units of 1/m source pixel), so the weights are exact before the final division.
struct AxisFilter {
  std::vector<int> first;      // first source index per destination sample
  std::vector<int> taps;       // number of source samples per destination sample
  std::vector<size_t> offset;  // into weights
  std::vector<float> weights;  // each destination sample's weights sum to 1

  AxisFilter(int n, int m) : first(m), taps(m), offset(m) {
    const int64_t n64 = n, m64 = m;
    for (int j = 0; j < m; ++j) {
      const int64_t lo = j * n64, hi = (j + 1) * n64;
      const int64_t i0 = lo / m64, i1 = (hi - 1) / m64;
      first[j] = static_cast<int>(i0);
      taps[j] = static_cast<int>(i1 - i0 + 1);
      offset[j] = weights.size();
      for (int64_t i = i0; i <= i1; ++i) {
        const int64_t covered = std::min((i + 1) * m64, hi) - std::max(i * m64, lo);
        weights.push_back(static_cast<float>(static_cast<double>(covered) / static_cast<double>(n64)));
      }
    }
  }

  // The same box filter over the source interval [start, start + length) of n samples, whose ends
  // need not be whole (crop_resize). `first` counts from sample 0, not from `start`.
  AxisFilter(double start, double length, int n, int m) : first(m), taps(m), offset(m) {
    for (int j = 0; j < m; ++j) {
      const double lo = start + length * j / m, hi = start + length * (j + 1) / m;
      const int i0 = std::clamp(static_cast<int>(std::floor(lo)), 0, n - 1);
      const int i1 = std::clamp(static_cast<int>(std::ceil(hi)) - 1, i0, n - 1);
      first[j] = i0;
      taps[j] = i1 - i0 + 1;
      offset[j] = weights.size();
      for (int i = i0; i <= i1; ++i) {
        weights.push_back(static_cast<float>(std::max(0.0, std::min(i + 1.0, hi) - std::max<double>(i, lo)) / (hi - lo)));
      }
    }
  }
};

// Area-averaging resize, vertical pass first over whole source rows (contiguous, so it vectorises),
// leaving the horizontal pass only `height` short rows. `origin` is the source pixel the filters'
// index 0 refers to; `row_pixels` how many pixels of each row the horizontal filter may read.
RgbImage box_resize(const uint8_t* origin, size_t src_stride, size_t row_pixels, const AxisFilter& vertical,
                    const AxisFilter& horizontal, int width, int height) {
  RgbImage out{width, height, std::vector<uint8_t>(static_cast<size_t>(width) * static_cast<size_t>(height) * 3)};
  const size_t out_stride = static_cast<size_t>(width) * 3;
  const size_t row_len = row_pixels * 3;
  std::vector<float> row(row_len);
  for (int j = 0; j < height; ++j) {
    std::fill(row.begin(), row.end(), 0.0f);
    const float* wv = vertical.weights.data() + vertical.offset[j];
    for (int t = 0; t < vertical.taps[j]; ++t) {
      const uint8_t* src = origin + static_cast<size_t>(vertical.first[j] + t) * src_stride;
      const float wt = wv[t];
      float* acc = row.data();
      for (size_t k = 0; k < row_len; ++k) acc[k] += wt * static_cast<float>(src[k]);
    }
    uint8_t* dst = out.pixels.data() + static_cast<size_t>(j) * out_stride;
    for (int i = 0; i < width; ++i, dst += 3) {
      const float* wh = horizontal.weights.data() + horizontal.offset[i];
      const float* src = row.data() + static_cast<size_t>(horizontal.first[i]) * 3;
      float r = 0, g = 0, b = 0;
      for (int t = 0; t < horizontal.taps[i]; ++t, src += 3) {
        r += wh[t] * src[0];
        g += wh[t] * src[1];
        b += wh[t] * src[2];
      }
      dst[0] = to_byte(r);
      dst[1] = to_byte(g);
      dst[2] = to_byte(b);
    }
  }
  return out;
}

void check_resize_arguments(const RgbImage& image, int width, int height, const char* function) {
  if (width <= 0 || height <= 0) {
    throw std::invalid_argument(std::string(function) + ": target size " + std::to_string(width) + "x" +
                                std::to_string(height) + " is not positive");
  }
  if (image.width <= 0 || image.height <= 0 ||
      image.pixels.size() != static_cast<size_t>(image.width) * static_cast<size_t>(image.height) * 3) {
    throw ImageError("cannot resize an RGB image of " + std::to_string(image.width) + "x" +
                     std::to_string(image.height) + " with " + std::to_string(image.pixels.size()) + " bytes");
  }
}

// RGBA -> RGB as an image viewer shows it on a white page: a transparent area is blank paper, not
// the colour its invisible pixels happen to hold (a fully transparent PNG may store any RGB, and a
// canvas stores black). `dst` may alias `src`: each pixel is read before it is overwritten.
void composite_over_white(const uint8_t* src, size_t pixels, uint8_t* dst) {
  for (size_t i = 0; i < pixels; ++i, src += 4, dst += 3) {
    const unsigned a = src[3];
    const uint8_t r = src[0], g = src[1], b = src[2];
    if (a == 255) {  // camera frames and most photos: the formula below gives the same bytes, slower
      dst[0] = r, dst[1] = g, dst[2] = b;
      continue;
    }
    dst[0] = static_cast<uint8_t>((r * a + 255 * (255 - a) + 127) / 255);
    dst[1] = static_cast<uint8_t>((g * a + 255 * (255 - a) + 127) / 255);
    dst[2] = static_cast<uint8_t>((b * a + 255 * (255 - a) + 127) / 255);
  }
}

}  // namespace

RgbImage decode_image(std::span<const uint8_t> bytes, const DecodeLimits& limits) {
  if (bytes.empty()) throw ImageError("image is empty (0 bytes)");
  const bool jpeg = is_jpeg(bytes);
  if (!jpeg && !is_png(bytes)) throw ImageError(unsupported_format_message(bytes));
  if (!jpeg) {
    if (const auto overrun = png::first_chunk_past_end(bytes)) {
      throw ImageError("garbled PNG image: cut short or damaged (a chunk claims " + std::to_string(overrun->declared) +
                       " bytes, " + std::to_string(overrun->remaining) + " remain)");
    }
    const std::vector<uint8_t> repaired = png::without_leading_empty_idat(bytes);
    if (!repaired.empty()) return decode_image(repaired, limits);
  }
  const char* format = jpeg ? "JPEG" : "PNG";
  if (bytes.size() > static_cast<size_t>(INT_MAX)) {
    throw ImageError(std::string(format) + " file is too large (" + std::to_string(bytes.size() >> 20) + " MB)");
  }
  const int length = static_cast<int>(bytes.size());
  if (jpeg && has_oversized_huffman_table(bytes)) {
    throw ImageError("garbled JPEG image: a Huffman table declares more than 256 symbols");
  }
  if (jpeg && uses_undefined_huffman_table(bytes)) {
    throw ImageError("garbled JPEG image: a scan uses a Huffman table the file does not define");
  }

  // The header alone gives the size, so an over-limit image is refused before any pixel memory exists.
  int width = 0, height = 0, channels = 0;
  if (!stbi_info_from_memory(bytes.data(), length, &width, &height, &channels)) {
    throw ImageError(std::string("garbled ") + format + " image: its header cannot be read (decoder: " +
                     stbi_failure_reason() + ")");
  }
  check_pixel_count(static_cast<uint64_t>(std::max(width, 0)), static_cast<uint64_t>(std::max(height, 0)), limits);

  // Grey+alpha and RGBA PNGs are decoded with their alpha and composited (composite_over_white).
  const bool alpha = !jpeg && (channels == 2 || channels == 4);
  int decoded_w = 0, decoded_h = 0;
  std::unique_ptr<stbi_uc, StbiFree> pixels(
      stbi_load_from_memory(bytes.data(), length, &decoded_w, &decoded_h, &channels, alpha ? 4 : 3));
  if (!pixels) {
    throw ImageError(std::string("garbled ") + format + " image: damaged or truncated data (decoder: " +
                     stbi_failure_reason() + ")");
  }
  if (decoded_w != width || decoded_h != height) {
    throw ImageError(std::string("garbled ") + format + " image: header and data disagree on the size");
  }
  if (alpha) {
    const size_t count = static_cast<size_t>(width) * static_cast<size_t>(height);
    composite_over_white(pixels.get(), count, pixels.get());
  }
  return oriented_copy(pixels.get(), width, height, jpeg ? jpeg_exif_orientation(bytes) : 1);
}

RgbImage apply_exif_orientation(const RgbImage& image, int orientation) {
  if (image.pixels.size() != static_cast<size_t>(image.width) * static_cast<size_t>(image.height) * 3) {
    throw ImageError("RGB image of " + std::to_string(image.width) + "x" + std::to_string(image.height) + " has " +
                     std::to_string(image.pixels.size()) + " bytes");
  }
  return oriented_copy(image.pixels.data(), image.width, image.height, orientation);
}

RgbImage rgb_from_rgba(std::span<const uint8_t> rgba, int width, int height, const DecodeLimits& limits) {
  if (width < 0 || height < 0) {
    throw ImageError("negative image size (" + std::to_string(width) + "x" + std::to_string(height) + ")");
  }
  check_pixel_count(static_cast<uint64_t>(width), static_cast<uint64_t>(height), limits);
  const uint64_t expected = static_cast<uint64_t>(width) * static_cast<uint64_t>(height) * 4;
  if (rgba.size() != expected) {
    throw ImageError("RGBA pixels of a " + std::to_string(width) + "x" + std::to_string(height) + " image need " +
                     std::to_string(expected) + " bytes, got " + std::to_string(rgba.size()));
  }
  const size_t count = static_cast<size_t>(width) * static_cast<size_t>(height);
  RgbImage out{width, height, std::vector<uint8_t>(count * 3)};
  composite_over_white(rgba.data(), count, out.pixels.data());
  return out;
}

CropRegion center_crop_region(int image_width, int image_height, int width, int height) {
  int crop_w = image_width, crop_h = image_height;
  if (static_cast<int64_t>(image_width) * height > static_cast<int64_t>(image_height) * width) {
    crop_w = std::max<int>(1, static_cast<int>(static_cast<int64_t>(image_height) * width / height));
  } else {
    crop_h = std::max<int>(1, static_cast<int>(static_cast<int64_t>(image_width) * height / width));
  }
  return {static_cast<double>((image_width - crop_w) / 2), static_cast<double>((image_height - crop_h) / 2),
          static_cast<double>(crop_w), static_cast<double>(crop_h)};
}

RgbImage center_crop_resize(const RgbImage& image, int width, int height) {
  check_resize_arguments(image, width, height, "center_crop_resize");
  const CropRegion region = center_crop_region(image.width, image.height, width, height);
  const int x0 = static_cast<int>(region.x), y0 = static_cast<int>(region.y);
  const int crop_w = static_cast<int>(region.width), crop_h = static_cast<int>(region.height);
  const size_t src_stride = static_cast<size_t>(image.width) * 3;
  const uint8_t* crop = image.pixels.data() + static_cast<size_t>(y0) * src_stride + static_cast<size_t>(x0) * 3;

  if (crop_w == width && crop_h == height) {
    RgbImage out{width, height, std::vector<uint8_t>(static_cast<size_t>(width) * static_cast<size_t>(height) * 3)};
    const size_t out_stride = static_cast<size_t>(width) * 3;
    for (int y = 0; y < height; ++y) std::memcpy(out.pixels.data() + y * out_stride, crop + y * src_stride, out_stride);
    return out;
  }
  // Whole-pixel coverage in integers: train and serve see the same bytes on every platform.
  return box_resize(crop, src_stride, static_cast<size_t>(crop_w), AxisFilter(crop_h, height), AxisFilter(crop_w, width),
                    width, height);
}

RgbImage crop_resize(const RgbImage& image, const CropRegion& region, int width, int height) {
  check_resize_arguments(image, width, height, "crop_resize");
  // A little slack for the rounding of a region scaled from another picture's size.
  constexpr double kSlack = 1e-6;
  const bool inside = std::isfinite(region.x) && std::isfinite(region.y) && std::isfinite(region.width) &&
                      std::isfinite(region.height) && region.x >= -kSlack && region.y >= -kSlack &&
                      region.width > 0 && region.height > 0 && region.x + region.width <= image.width + kSlack &&
                      region.y + region.height <= image.height + kSlack;
  if (!inside) {
    throw ImageError("the crop region " + std::to_string(region.width) + "x" + std::to_string(region.height) + " at (" +
                     std::to_string(region.x) + ", " + std::to_string(region.y) + ") is empty or reaches outside the " +
                     std::to_string(image.width) + "x" + std::to_string(image.height) + " picture");
  }
  // The vertical pass runs over the columns the region touches only, not the whole rows.
  const int x_begin = std::clamp(static_cast<int>(std::floor(region.x)), 0, image.width - 1);
  const int x_end = std::clamp(static_cast<int>(std::ceil(region.x + region.width)), x_begin + 1, image.width);
  const AxisFilter vertical(region.y, region.height, image.height, height);
  const AxisFilter horizontal(region.x - x_begin, region.width, x_end - x_begin, width);
  return box_resize(image.pixels.data() + static_cast<size_t>(x_begin) * 3, static_cast<size_t>(image.width) * 3,
                    static_cast<size_t>(x_end - x_begin), vertical, horizontal, width, height);
}

void normalize_to_nhwc(const RgbImage& image, std::span<const float> mean, std::span<const float> stddev,
                       std::span<float> out) {
  const size_t pixels = static_cast<size_t>(std::max(image.width, 0)) * static_cast<size_t>(std::max(image.height, 0));
  if (image.pixels.size() != pixels * 3 || out.size() != pixels * 3) {
    throw std::invalid_argument("normalize_to_nhwc: " + std::to_string(image.width) + "x" +
                                std::to_string(image.height) + " RGB image with " +
                                std::to_string(image.pixels.size()) + " bytes into " + std::to_string(out.size()) +
                                " floats");
  }
  if (mean.size() != 3 || stddev.size() != 3) {
    throw std::invalid_argument("normalize_to_nhwc: mean and stddev need 3 channels each");
  }
  float scale[3], shift[3];
  for (int c = 0; c < 3; ++c) {
    if (!(stddev[c] > 0.0f) || !std::isfinite(stddev[c]) || !std::isfinite(mean[c])) {
      throw std::invalid_argument("normalize_to_nhwc: stddev must be positive and finite, mean finite");
    }
    scale[c] = 1.0f / (255.0f * stddev[c]);
    shift[c] = -mean[c] / stddev[c];
  }
  const uint8_t* src = image.pixels.data();
  float* dst = out.data();
  for (size_t i = 0; i < pixels; ++i, src += 3, dst += 3) {
    dst[0] = static_cast<float>(src[0]) * scale[0] + shift[0];
    dst[1] = static_cast<float>(src[1]) * scale[1] + shift[1];
    dst[2] = static_cast<float>(src[2]) * scale[2] + shift[2];
  }
}

}  // namespace leafcheck
