// Walks the marker segments of JPEG bytes without decoding them, the way stb_image's parser finds
// them (so that a check here sees every segment the decoder will act on). Input is untrusted:
// every read is bounds-checked, and a structure that stops making sense simply ends the walk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace leafcheck::jpeg {

constexpr uint8_t kSos = 0xDA;  // start of scan: entropy-coded data follows the segment
constexpr uint8_t kEoi = 0xD9;
constexpr uint8_t kDht = 0xC4;
constexpr uint8_t kApp1 = 0xE1;
constexpr uint8_t kSof2 = 0xC2;  // progressive frame

// Calls visit(marker, payload) for each segment that has a length, in file order (the last one
// clipped to the data when the file is truncated). With
// through_scans false the walk ends at the first scan (where EXIF and the frame header have
// already appeared); with true it skips each scan's entropy-coded data and goes on, because
// progressive JPEGs define Huffman tables between scans. visit returns false to stop.
template <class Visit>
void walk_segments(std::span<const uint8_t> bytes, bool through_scans, Visit&& visit) {
  if (bytes.size() < 4 || bytes[0] != 0xFF || bytes[1] != 0xD8) return;
  size_t pos = 2;
  while (pos + 4 <= bytes.size()) {
    if (bytes[pos] != 0xFF) {  // junk between segments: resynchronise on the next 0xFF, as stb_image does
      const void* ff = std::memchr(bytes.data() + pos, 0xFF, bytes.size() - pos);
      if (!ff) return;
      pos = static_cast<size_t>(static_cast<const uint8_t*>(ff) - bytes.data());
      continue;
    }
    const uint8_t marker = bytes[pos + 1];
    if (marker == 0xFF) {  // fill byte before a marker
      ++pos;
      continue;
    }
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {  // markers without a length
      pos += 2;
      continue;
    }
    if (marker == kEoi) return;
    const size_t length = static_cast<size_t>(bytes[pos + 2]) << 8 | bytes[pos + 3];
    if (length < 2) return;
    if (length > bytes.size() - pos - 2) {  // truncated: decoders still read what is there
      visit(marker, bytes.subspan(pos + 4));
      return;
    }
    if (!visit(marker, bytes.subspan(pos + 4, length - 2))) return;
    pos += 2 + length;
    if (marker != kSos) continue;
    if (!through_scans) return;
    // Entropy-coded data ends at the first 0xFF that is not a stuffed 0xFF00 or a restart marker.
    while (true) {
      const void* ff = pos < bytes.size() ? std::memchr(bytes.data() + pos, 0xFF, bytes.size() - pos) : nullptr;
      if (!ff) return;
      pos = static_cast<size_t>(static_cast<const uint8_t*>(ff) - bytes.data());
      if (pos + 1 >= bytes.size()) return;
      const uint8_t next = bytes[pos + 1];
      if (next == 0x00 || (next >= 0xD0 && next <= 0xD7)) {
        pos += 2;
        continue;
      }
      break;
    }
  }
}

}  // namespace leafcheck::jpeg
