// The EXIF orientation of JPEG photos, which stb_image ignores. Input is untrusted: every read is
// bounds-checked, and anything malformed means "no orientation" (1) rather than an error, because
// a photo with a broken EXIF block still has perfectly good pixels.
#include "image.h"
#include "jpeg_segments.h"

#include <cstring>
#include <optional>

namespace leafcheck {
namespace {

constexpr uint16_t kOrientationTag = 0x0112;
constexpr uint16_t kTypeShort = 3;

// Reads integers from the TIFF structure inside the APP1 segment in its declared byte order.
class TiffReader {
 public:
  TiffReader(std::span<const uint8_t> tiff, bool little_endian) : tiff_(tiff), little_(little_endian) {}

  std::optional<uint16_t> u16(size_t at) const {
    if (at > tiff_.size() || tiff_.size() - at < 2) return std::nullopt;
    const uint16_t a = tiff_[at], b = tiff_[at + 1];
    return static_cast<uint16_t>(little_ ? (a | b << 8) : (a << 8 | b));
  }

  std::optional<uint32_t> u32(size_t at) const {
    const auto lo = u16(at + (little_ ? 0 : 2)), hi = u16(at + (little_ ? 2 : 0));
    if (!lo || !hi) return std::nullopt;
    return static_cast<uint32_t>(*hi) << 16 | *lo;
  }

 private:
  std::span<const uint8_t> tiff_;
  bool little_;
};

// `tiff` starts at the TIFF header ("II*\0" or "MM\0*"); returns the orientation from IFD0, if valid.
std::optional<int> orientation_from_tiff(std::span<const uint8_t> tiff) {
  if (tiff.size() < 8) return std::nullopt;
  bool little;
  if (tiff[0] == 'I' && tiff[1] == 'I') little = true;
  else if (tiff[0] == 'M' && tiff[1] == 'M') little = false;
  else return std::nullopt;
  const TiffReader reader(tiff, little);
  if (reader.u16(2) != 42) return std::nullopt;
  const auto ifd = reader.u32(4);
  if (!ifd || *ifd > tiff.size()) return std::nullopt;  // also keeps the offsets below from wrapping on wasm32
  const auto count = reader.u16(*ifd);
  if (!count) return std::nullopt;
  for (size_t i = 0; i < *count; ++i) {
    const size_t entry = static_cast<size_t>(*ifd) + 2 + 12 * i;
    const auto tag = reader.u16(entry);
    if (!tag) return std::nullopt;  // the directory runs past the segment
    if (*tag != kOrientationTag) continue;
    const auto type = reader.u16(entry + 2);
    const auto components = reader.u32(entry + 4);
    const auto value = reader.u16(entry + 8);  // a single SHORT sits left-justified in the value field
    if (type != kTypeShort || components != 1u || !value || *value < 1 || *value > 8) return std::nullopt;
    return static_cast<int>(*value);
  }
  return std::nullopt;
}

}  // namespace

int jpeg_exif_orientation(std::span<const uint8_t> bytes) {
  constexpr uint8_t kExifHeader[6] = {'E', 'x', 'i', 'f', 0, 0};
  int orientation = 1;
  jpeg::walk_segments(bytes, false, [&](uint8_t marker, std::span<const uint8_t> payload) {
    if (marker != jpeg::kApp1 || payload.size() < sizeof kExifHeader ||
        std::memcmp(payload.data(), kExifHeader, sizeof kExifHeader) != 0) {
      return true;  // other APPn blocks (JFIF, XMP, ICC) come and go before EXIF
    }
    orientation = orientation_from_tiff(payload.subspan(sizeof kExifHeader)).value_or(1);
    return false;
  });
  return orientation;
}

}  // namespace leafcheck
