// JPEG scans that are damaged inside the entropy-coded data, built bit by bit. stb_image 2.27 has
// undefined behaviour on them; wasm/stb_image_fixes.cmake backports upstream's checks, so they are
// refused as garbled instead of decoding into whatever the shifts happened to produce.
#include <doctest/doctest.h>

#include <algorithm>
#include <bitset>
#include <cstdint>
#include <string>
#include <vector>

#include "image.h"
#include "support/image_fixtures.h"

using namespace leafcheck;
using namespace leafcheck::fixtures;

namespace {

void append_segment(std::vector<uint8_t>& out, uint8_t marker, const std::vector<uint8_t>& payload) {
  const size_t length = payload.size() + 2;
  out.insert(out.end(), {0xFF, marker, static_cast<uint8_t>(length >> 8), static_cast<uint8_t>(length)});
  out.insert(out.end(), payload.begin(), payload.end());
}

// A Huffman table with count_of_length[i] codes of length i + 1, in stb_image's canonical order.
std::vector<uint8_t> huffman_table(uint8_t class_and_id, const std::vector<uint8_t>& count_of_length,
                                   const std::vector<uint8_t>& symbols) {
  REQUIRE(count_of_length.size() <= 16);
  std::vector<uint8_t> payload(1 + 16 + symbols.size(), 0);
  payload[0] = class_and_id;
  std::copy(count_of_length.begin(), count_of_length.end(), payload.begin() + 1);
  std::copy(symbols.begin(), symbols.end(), payload.begin() + 17);
  return payload;
}

// An 8x8 grey baseline JPEG: quantiser `quant` everywhere, the given DC and AC tables, and `scan_bits`
// (a string of '0' and '1', a multiple of 8 long, with no 0xFF byte) as its entropy-coded data.
std::vector<uint8_t> grey_jpeg(uint8_t quant, const std::vector<uint8_t>& dc_table,
                               const std::vector<uint8_t>& ac_table, const std::string& scan_bits) {
  std::vector<uint8_t> out{0xFF, 0xD8};
  std::vector<uint8_t> dqt{0x00};
  dqt.insert(dqt.end(), 64, quant);
  append_segment(out, 0xDB, dqt);
  append_segment(out, 0xC0, {8, 0, 8, 0, 8, 1, 1, 0x11, 0});
  append_segment(out, 0xC4, dc_table);
  append_segment(out, 0xC4, ac_table);
  append_segment(out, 0xDA, {1, 1, 0x00, 0, 63, 0});
  REQUIRE(scan_bits.size() % 8 == 0);
  for (size_t at = 0; at < scan_bits.size(); at += 8) {
    const auto byte = static_cast<uint8_t>(std::bitset<8>(scan_bits.substr(at, 8)).to_ulong());
    REQUIRE(byte != 0xFF);
    out.push_back(byte);
  }
  out.insert(out.end(), {0xFF, 0xD9});
  return out;
}

}  // namespace

// Found by tools/fuzz (fuzz_image) in CI: stb_image's bit count went to -9 and its refill then shifted
// by 33. The scan's 32 bits are all used by its first two codes, so the end marker stops the next refill
// with no bits left, and the fast AC table then decodes a 9-bit code from nothing.
TEST_CASE("a scan that ends inside a Huffman code is refused as garbled") {
  // DC: one code, "0", difference size 0. AC: "00000000" is (run 0, size 1), and the 16-bit
  // "0000000100000000" is (run 0, size 15).
  const auto dc = huffman_table(0x00, {1}, {0x00});
  const auto ac = huffman_table(0x10, {0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1}, {0x01, 0x0F});
  const std::string used_up = "0" "0000000100000000" "100000000000000";
  CHECK(error_of(grey_jpeg(1, dc, ac, used_up)) ==
        "garbled JPEG image: damaged or truncated data (decoder: bad huffman code)");
  // The same scan with the rest of the block there (63 coefficients of "00000000"+"0") decodes.
  const std::string complete = used_up + std::string(62 * 9 + 2, '0');
  const RgbImage image = decode_image(grey_jpeg(1, dc, ac, complete));
  CHECK(image.width == 8);
  CHECK(image.height == 8);
}

TEST_CASE("a DC coefficient that does not fit 16 bits is refused as garbled") {
  // DC: "0" is a 15-bit difference; with the quantiser at 255 the coefficient is far beyond a short.
  const auto dc = huffman_table(0x00, {1}, {0x0F});
  const auto ac = huffman_table(0x10, {1}, {0x00});  // "0": end of block
  const std::string big_dc = "0" "100000000000000" "0" "0000000";
  CHECK(error_of(grey_jpeg(255, dc, ac, big_dc)) ==
        "garbled JPEG image: damaged or truncated data (decoder: bad delta)");
  // The same difference with a quantiser of 1 is a legal (if very bright) coefficient.
  CHECK(decode_image(grey_jpeg(1, dc, ac, big_dc)).width == 8);
}
