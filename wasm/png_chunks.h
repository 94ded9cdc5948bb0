// PNG chunk layouts that stb_image 2.27 (Debian 12) mishandles, found before it decodes: one is
// repaired, one refused. Input is untrusted: every read is bounds-checked, and a structure that
// stops making sense leaves the bytes to the decoder, which reports them as garbled.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace leafcheck::png {

inline constexpr size_t kSignature = 8, kFraming = 12;  // chunk: u32 length, type, data, u32 CRC

inline size_t chunk_length(const uint8_t* chunk) {
  return size_t{chunk[0]} << 24 | size_t{chunk[1]} << 16 | size_t{chunk[2]} << 8 | chunk[3];
}

struct ChunkOverrun {
  size_t declared;   // the chunk's length field
  size_t remaining;  // bytes after its length and type
};

// stb_image grows its IDAT buffer to a chunk's declared length before reading it, so a tiny file
// claiming a 2 GB chunk made it allocate 2 GB, in WebAssembly growing the worker's memory for good
// (found by tools/fuzz). A chunk, with its CRC, running past the end of the file means the file is
// cut short or damaged anyway. Returns the first such chunk up to IEND (bytes after IEND are not
// read by decoders), or nothing.
inline std::optional<ChunkOverrun> first_chunk_past_end(std::span<const uint8_t> bytes) {
  constexpr size_t kHeader = 8;  // length and type
  for (size_t pos = kSignature; pos + kHeader <= bytes.size();) {
    const uint8_t* chunk = bytes.data() + pos;
    const size_t length = chunk_length(chunk);
    const size_t remaining = bytes.size() - pos - kHeader;
    if (length > remaining || remaining - length < kFraming - kHeader) return ChunkOverrun{length, remaining};
    if (chunk[4] == 'I' && chunk[5] == 'E' && chunk[6] == 'N' && chunk[7] == 'D') break;
    pos += kFraming + length;
  }
  return std::nullopt;
}

// An empty IDAT chunk before the first one with data is legal PNG, but stb_image then copies zero
// bytes into its still-null data buffer: undefined behaviour, after which the compiler may drop
// the decoder's own "no IDAT" null check (found by tools/fuzz). Such chunks hold nothing, so they
// are removed. Returns the repaired copy, or an empty vector when `bytes` needs no repair.
inline std::vector<uint8_t> without_leading_empty_idat(std::span<const uint8_t> bytes) {
  std::vector<size_t> empty_idat;                   // offsets of the chunks to drop
  for (size_t pos = kSignature; pos + kFraming <= bytes.size();) {
    const uint8_t* chunk = bytes.data() + pos;
    const size_t length = chunk_length(chunk);
    const bool idat = chunk[4] == 'I' && chunk[5] == 'D' && chunk[6] == 'A' && chunk[7] == 'T';
    if (idat && length > 0) break;
    if (idat) empty_idat.push_back(pos);
    if (length > bytes.size() - pos - kFraming) break;
    pos += kFraming + length;
  }
  if (empty_idat.empty()) return {};
  std::vector<uint8_t> out;
  out.reserve(bytes.size() - kFraming * empty_idat.size());
  size_t from = 0;
  for (const size_t at : empty_idat) {
    out.insert(out.end(), bytes.begin() + static_cast<ptrdiff_t>(from), bytes.begin() + static_cast<ptrdiff_t>(at));
    from = at + kFraming;
  }
  out.insert(out.end(), bytes.begin() + static_cast<ptrdiff_t>(from), bytes.end());
  return out;
}

}  // namespace leafcheck::png
