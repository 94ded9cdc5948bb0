// Decoding what a person hands the app: PNG and JPEG (stb_image and the checks around it), transparency,
// EXIF orientation, and the errors for files that are not photos, damaged or too large. Resizing to the
// model input is in test_resize.cpp.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "image.h"
#include "support/image_fixtures.h"

using namespace leafcheck;
using namespace leafcheck::fixtures;

namespace {

void check_near(Rgb actual, Rgb expected, int tolerance) {
  for (int c = 0; c < 3; ++c) CHECK(std::abs(actual[c] - expected[c]) <= tolerance);
}

// Stored image with four quadrant colours; where each lands after orientation o is the EXIF definition
// (TIFF 6.0 tag 274: which visual side the stored row 0 and column 0 end up on).
const Rgb kRed{255, 0, 0}, kGreen{0, 255, 0}, kBlue{0, 0, 255}, kWhite{255, 255, 255};

RgbImage quadrants(int width, int height) {
  RgbImage image{width, height, {}};
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const bool right = x >= width / 2, bottom = y >= height / 2;
      const Rgb& c = bottom ? (right ? kWhite : kBlue) : (right ? kGreen : kRed);
      for (int v : c) image.pixels.push_back(static_cast<uint8_t>(v));
    }
  }
  return image;
}

struct Upright {
  Rgb top_left, top_right, bottom_left, bottom_right;
  bool transposed;
};

// Stored quadrants: top-left red, top-right green, bottom-left blue, bottom-right white.
Upright expected_upright(int orientation) {
  switch (orientation) {
    case 1: return {kRed, kGreen, kBlue, kWhite, false};
    case 2: return {kGreen, kRed, kWhite, kBlue, false};   // mirrored left-right
    case 3: return {kWhite, kBlue, kGreen, kRed, false};   // rotated 180
    case 4: return {kBlue, kWhite, kRed, kGreen, false};   // mirrored top-bottom
    case 5: return {kRed, kBlue, kGreen, kWhite, true};    // transposed
    case 6: return {kBlue, kRed, kWhite, kGreen, true};    // needs 90 degrees clockwise
    case 7: return {kWhite, kGreen, kBlue, kRed, true};    // transversed
    default: return {kGreen, kWhite, kRed, kBlue, true};   // 8: needs 90 degrees counter-clockwise
  }
}

void check_upright(const RgbImage& out, int stored_w, int stored_h, int orientation, int tolerance) {
  const Upright want = expected_upright(orientation);
  CHECK(out.width == (want.transposed ? stored_h : stored_w));
  CHECK(out.height == (want.transposed ? stored_w : stored_h));
  const int qx = out.width / 4, qy = out.height / 4;
  check_near(pixel(out, qx, qy), want.top_left, tolerance);
  check_near(pixel(out, out.width - 1 - qx, qy), want.top_right, tolerance);
  check_near(pixel(out, qx, out.height - 1 - qy), want.bottom_left, tolerance);
  check_near(pixel(out, out.width - 1 - qx, out.height - 1 - qy), want.bottom_right, tolerance);
}

// A PNG signature and IHDR claiming the given size, with no pixel data at all.
std::vector<uint8_t> forged_png_header(uint32_t width, uint32_t height) {
  std::vector<uint8_t> p = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
  put32(p, width, false);
  put32(p, height, false);
  p.insert(p.end(), {8, 2, 0, 0, 0});  // 8-bit RGB, deflate, no filter, no interlace
  p.insert(p.end(), {0, 0, 0, 0});     // CRC (stb_image does not check it)
  return p;
}

}  // namespace

TEST_CASE("PNG decodes losslessly, grey and opaque RGBA included") {
  const RgbImage image = random_image(7, 5, 1);
  const RgbImage decoded = decode_image(encode_png(image));
  CHECK(decoded.width == 7);
  CHECK(decoded.height == 5);
  CHECK(decoded.pixels == image.pixels);

  const std::vector<uint8_t> grey = {0, 50, 100, 150, 200, 250};
  const RgbImage from_grey = decode_image(encode_png(grey, 3, 2, 1));
  REQUIRE(from_grey.pixels.size() == 18);
  for (int i = 0; i < 6; ++i) check_near(pixel(from_grey, i % 3, i / 3), {grey[i], grey[i], grey[i]}, 0);

  const std::vector<uint8_t> rgba = {10, 20, 30, 255, 40, 50, 60, 255};
  const RgbImage from_rgba = decode_image(encode_png(rgba, 2, 1, 4));
  CHECK(from_rgba.pixels == std::vector<uint8_t>{10, 20, 30, 40, 50, 60});
}

// What a viewer shows on a white page: c * a/255 + 255 * (1 - a/255), rounded.
uint8_t over_white(int c, int a) { return static_cast<uint8_t>(std::lround(c * a / 255.0 + 255.0 * (1 - a / 255.0))); }

TEST_CASE("transparency is composited over white, never dropped") {
  // A fully transparent pixel may store any colour (here leaf green): it must come out white.
  const std::vector<uint8_t> rgba = {60, 140, 50, 0, 100, 0, 200, 128, 40, 50, 60, 255};
  const RgbImage from_png = decode_image(encode_png(rgba, 3, 1, 4));
  const std::vector<uint8_t> want = {255, 255, 255, over_white(100, 128), over_white(0, 128), over_white(200, 128), 40, 50, 60};
  CHECK(from_png.pixels == want);
  CHECK(rgb_from_rgba(rgba, 3, 1).pixels == want);

  const std::vector<uint8_t> grey_alpha = {0, 0, 90, 51};
  CHECK(decode_image(encode_png(grey_alpha, 2, 1, 2)).pixels ==
        std::vector<uint8_t>{255, 255, 255, over_white(90, 51), over_white(90, 51), over_white(90, 51)});
}

TEST_CASE("JPEG decodes to the right size and colours") {
  const RgbImage image = quadrants(48, 32);
  const RgbImage decoded = decode_image(encode_jpeg(image));
  check_upright(decoded, 48, 32, 1, 8);
  CHECK(jpeg_exif_orientation(encode_jpeg(image)) == 1);
}

TEST_CASE("EXIF orientations 1-8 come out upright, both byte orders") {
  const std::vector<uint8_t> jpeg = encode_jpeg(quadrants(48, 32));
  for (bool little : {true, false}) {
    for (int orientation = 1; orientation <= 8; ++orientation) {
      CAPTURE(little);
      CAPTURE(orientation);
      const auto bytes = with_app1(jpeg, exif_payload(little, static_cast<uint16_t>(orientation)));
      CHECK(jpeg_exif_orientation(bytes) == orientation);
      check_upright(decode_image(bytes), 48, 32, orientation, 8);
    }
  }
}

TEST_CASE("apply_exif_orientation moves every pixel exactly") {
  const RgbImage stored = quadrants(6, 4);
  for (int orientation = 1; orientation <= 8; ++orientation) {
    CAPTURE(orientation);
    const RgbImage out = apply_exif_orientation(stored, orientation);
    check_upright(out, 6, 4, orientation, 0);
    // Orientations are permutations of whole pixels: same multiset of colours.
    auto sorted = [](std::vector<uint8_t> v) { std::sort(v.begin(), v.end()); return v; };
    CHECK(sorted(out.pixels) == sorted(stored.pixels));
  }
  // The exact corner pixels of a random image, for the two rotations.
  const RgbImage r = random_image(5, 3, 9);
  const RgbImage cw = apply_exif_orientation(r, 6);
  CHECK(pixel(cw, 0, 0) == pixel(r, 0, 2));
  CHECK(pixel(cw, 2, 0) == pixel(r, 0, 0));
  CHECK(pixel(cw, 1, 4) == pixel(r, 4, 1));
  const RgbImage ccw = apply_exif_orientation(r, 8);
  CHECK(pixel(ccw, 0, 0) == pixel(r, 4, 0));
  CHECK(pixel(ccw, 2, 4) == pixel(r, 0, 2));
  CHECK(apply_exif_orientation(r, 0).pixels == r.pixels);  // out-of-range values mean "as stored"
  CHECK(apply_exif_orientation(r, 9).pixels == r.pixels);
}

TEST_CASE("garbled EXIF means orientation 1, never a crash") {
  const std::vector<uint8_t> jpeg = encode_jpeg(quadrants(16, 16), 90);
  auto orientation_with = [&](const std::vector<uint8_t>& payload) { return jpeg_exif_orientation(with_app1(jpeg, payload)); };

  CHECK(orientation_with(exif_payload(true, 0)) == 1);
  CHECK(orientation_with(exif_payload(true, 9)) == 1);
  CHECK(orientation_with(exif_payload(true, 6, /*type=*/4)) == 1);
  CHECK(orientation_with(exif_payload(false, 6, 3, /*count=*/2)) == 1);

  std::vector<uint8_t> bad_order = exif_payload(true, 6);
  bad_order[6] = 'X';
  CHECK(orientation_with(bad_order) == 1);
  std::vector<uint8_t> bad_magic = exif_payload(true, 6);
  bad_magic[8] = 43;
  CHECK(orientation_with(bad_magic) == 1);
  std::vector<uint8_t> far_ifd = exif_payload(true, 6);
  far_ifd[10] = 0xF0, far_ifd[13] = 0xFF;
  CHECK(orientation_with(far_ifd) == 1);
  std::vector<uint8_t> many_entries = exif_payload(false, 6);  // claims 65535 entries, has no orientation
  many_entries[14] = 0xFF, many_entries[15] = 0xFF;
  many_entries[29] = 0x13;
  CHECK(orientation_with(many_entries) == 1);
  for (size_t cut = 0; cut < 38; ++cut) {  // 38 bytes would include the whole orientation entry
    std::vector<uint8_t> truncated = exif_payload(true, 6);
    truncated.resize(cut);
    CHECK(orientation_with(truncated) == 1);
  }

  // An APP1 length running past the end of the file.
  std::vector<uint8_t> overlong = with_app1(jpeg, exif_payload(true, 6));
  overlong.resize(40);
  overlong[4] = 0xFF;
  CHECK(jpeg_exif_orientation(overlong) == 1);
  CHECK(jpeg_exif_orientation(std::vector<uint8_t>{0xFF, 0xD8}) == 1);
  CHECK(jpeg_exif_orientation(encode_png(random_image(2, 2, 3))) == 1);

  // A garbled EXIF block leaves good pixels decodable.
  check_upright(decode_image(with_app1(jpeg, bad_order)), 16, 16, 1, 8);

  // Random damage to the EXIF and header bytes: any orientation in 1..8, decode either works or says why.
  const std::vector<uint8_t> good = with_app1(jpeg, exif_payload(false, 6));
  std::mt19937 rng(7);
  for (int trial = 0; trial < 2000; ++trial) {
    std::vector<uint8_t> bytes = good;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) bytes[rng() % std::min<size_t>(bytes.size(), 200)] ^= static_cast<uint8_t>(1u << (rng() % 8));
    if (trial % 3 == 0) bytes.resize(rng() % bytes.size());
    const int o = jpeg_exif_orientation(bytes);
    CHECK((o >= 1 && o <= 8));
    try {
      const RgbImage image = decode_image(bytes);
      CHECK(image.pixels.size() == static_cast<size_t>(image.width) * image.height * 3);
    } catch (const ImageError&) {
    }
  }
}

TEST_CASE("empty, garbage, unsupported and truncated bytes raise ImageError") {
  CHECK(error_of({}) == "image is empty (0 bytes)");
  const std::vector<uint8_t> garbage = {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd'};
  CHECK(error_of(garbage).find("JPEG and PNG") != std::string::npos);
  const std::vector<uint8_t> gif = {'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0};
  CHECK(error_of(gif).find("unsupported image format (GIF)") != std::string::npos);
  const std::vector<uint8_t> heic = {0, 0, 0, 24, 'f', 't', 'y', 'p', 'h', 'e', 'i', 'c'};
  CHECK(error_of(heic).find("(HEIC)") != std::string::npos);

  const std::vector<uint8_t> png = encode_png(random_image(9, 9, 4));
  CHECK(error_of(std::span(png).first(png.size() / 2)).find("garbled PNG") == 0);
  CHECK(error_of(std::span(png).first(12)).find("garbled PNG") == 0);
  const std::vector<uint8_t> jpeg = encode_jpeg(random_image(9, 9, 4));
  CHECK(error_of(std::span(jpeg).first(20)).find("garbled JPEG") == 0);

  // A Huffman table declaring more than 256 symbols (stb_image 2.27 would write past its tables).
  std::vector<uint8_t> bad_dht = encode_jpeg(random_image(9, 9, 4));
  size_t dht = 2;
  while (dht + 1 < bad_dht.size() && !(bad_dht[dht] == 0xFF && bad_dht[dht + 1] == 0xC4)) ++dht;
  REQUIRE(dht + 21 < bad_dht.size());
  bad_dht[dht + 19] = 200;  // symbol counts for code lengths 15 and 16
  bad_dht[dht + 20] = 200;
  CHECK(error_of(bad_dht) == "garbled JPEG image: a Huffman table declares more than 256 symbols");
  // The same table when the segment claims to end right after the table's first byte: stb_image reads on.
  bad_dht[dht + 2] = 0;
  bad_dht[dht + 3] = 3;
  CHECK(error_of(bad_dht) == "garbled JPEG image: a Huffman table declares more than 256 symbols");

  // Found by tools/fuzz (fuzz_image): a scan naming a Huffman table no DHT defined made stb_image 2.27
  // decode with an uninitialised table and index far outside it.
  std::vector<uint8_t> undefined_table = encode_jpeg(random_image(9, 9, 4));
  size_t sos = 2;
  while (sos + 1 < undefined_table.size() && !(undefined_table[sos] == 0xFF && undefined_table[sos + 1] == 0xDA)) ++sos;
  REQUIRE(sos + 11 < undefined_table.size());
  const std::vector<uint8_t> valid_scan = undefined_table;
  undefined_table[sos + 10] = 0x03;  // third component: DC table 0, AC table 3
  CHECK(error_of(undefined_table) == "garbled JPEG image: a scan uses a Huffman table the file does not define");
  undefined_table[sos + 10] = 0x20;  // DC table 2
  CHECK(error_of(undefined_table) == "garbled JPEG image: a scan uses a Huffman table the file does not define");
  CHECK(error_of(valid_scan).empty());

  // Every truncation of a PNG is refused (its chunks are length-checked).
  for (size_t cut = 1; cut < png.size() - 12; ++cut) CHECK_THROWS_AS(decode_image(std::span(png).first(cut)), ImageError);
}

// Found by tools/fuzz (fuzz_image): stb_image passed a null buffer to memcpy for an empty IDAT
// chunk before the image data, which UBSan stops on in the sanitizer build.
TEST_CASE("an empty IDAT chunk before the image data decodes like the same PNG without it") {
  const RgbImage image = random_image(7, 5, 8);
  const std::vector<uint8_t> png = encode_png(image);
  const uint8_t idat_type[4] = {'I', 'D', 'A', 'T'};
  const auto first_idat = std::search(png.begin(), png.end(), idat_type, idat_type + 4) - 4;
  std::vector<uint8_t> with_empty(png.begin(), first_idat);
  const uint8_t empty_idat[12] = {0, 0, 0, 0, 'I', 'D', 'A', 'T', 0xAE, 0x42, 0x60, 0x82};
  with_empty.insert(with_empty.end(), empty_idat, empty_idat + 12);
  with_empty.insert(with_empty.end(), empty_idat, empty_idat + 12);
  with_empty.insert(with_empty.end(), first_idat, png.end());
  const RgbImage decoded = decode_image(with_empty);
  CHECK(decoded.width == 7);
  CHECK(decoded.pixels == image.pixels);

  // The fuzzer's own input: the empty chunk is followed by garbage, which must be refused cleanly.
  const std::vector<uint8_t> found = {
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
      0x00, 0x07, 0x00, 0x00, 0x00, 0x07, 0x08, 0x04, 0x00, 0x00, 0x00, 0x6e, 0x5b, 0x10, 0x36, 0x00, 0x00, 0x00,
      0x00, 0x49, 0x44, 0x41, 0x54, 0x78, 0x5e, 0x63, 0x60, 0x50, 0xf5, 0xca, 0x9f, 0xb2, 0xf3, 0x1e, 0xb3, 0x86,
      0x6f, 0xd1, 0xf4, 0x3d, 0x0f, 0x99, 0xd8, 0x50, 0x00, 0x15, 0xb9, 0x00, 0xab, 0x0e, 0x08, 0x2c, 0x9b, 0xe5,
      0x10, 0x36, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
  CHECK(error_of(found).find("garbled PNG") == 0);
  // A PNG that ends inside the empty chunk's framing is left to the decoder.
  CHECK(error_of(std::span(with_empty).first(with_empty.size() - png.size() + 40)).find("garbled PNG") == 0);
}

// Found by tools/fuzz (fuzz_image): stb_image grows its IDAT buffer to a chunk's declared length
// before reading the chunk, so this 90-byte file, whose second IDAT claims 2,088,501,260 bytes,
// made it allocate 2 GiB (in WebAssembly: grow the worker's memory for good).
TEST_CASE("a PNG chunk that claims more bytes than the file holds is refused before decoding") {
  const std::vector<uint8_t> found = {
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
      0x00, 0x26, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53, 0xde, 0x00, 0x00, 0x00,
      0x0c, 0x49, 0x44, 0x41, 0x54, 0x78, 0x5e, 0x63, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x7c, 0x7c, 0x7c,
      0x7c, 0x7c, 0x7c, 0x7c, 0x7c, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0xd0, 0x58, 0x60, 0x8d, 0xf8, 0x01, 0x00,
      0x01, 0x03, 0x05, 0xe4, 0xb0, 0x00, 0x00, 0x66, 0x65, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
  CHECK(error_of(found) == "garbled PNG image: cut short or damaged (a chunk claims 2088501260 bytes, 25 remain)");

  // A valid PNG's IDAT with its length raised past the end of the file.
  const std::vector<uint8_t> png = encode_png(random_image(9, 9, 3));
  const uint8_t idat_type[4] = {'I', 'D', 'A', 'T'};
  const auto idat_length = std::search(png.begin(), png.end(), idat_type, idat_type + 4) - 4;
  std::vector<uint8_t> overlong = png;
  overlong[static_cast<size_t>(idat_length - png.begin())] = 0x40;
  CHECK(error_of(overlong).find("garbled PNG image: cut short or damaged (a chunk claims 10737") == 0);
  // Bytes after IEND are not chunks: a file with trailing data still decodes.
  std::vector<uint8_t> trailing = png;
  trailing.insert(trailing.end(), {0xff, 0xff, 0xff, 0xff, 'J', 'U', 'N', 'K'});
  CHECK(error_of(trailing).empty());
}

TEST_CASE("over-limit images are refused from the header, before decoding") {
  // The forged file has no pixel data: if it were decoded the error would be "garbled PNG".
  CHECK(error_of(forged_png_header(10000, 6000)) == "image is 60.0 megapixels; the limit is 40 megapixels");
  CHECK(error_of(forged_png_header(8000, 6500)) == "image is 52.0 megapixels; the limit is 40 megapixels");
  CHECK(error_of(forged_png_header(0, 10)).find("garbled PNG") == 0);

  const std::vector<uint8_t> png = encode_png(random_image(16, 16, 5));
  CHECK(error_of(png, DecodeLimits{255}) == "image is 256 pixels; the limit is 255 pixels");
  CHECK(decode_image(png, DecodeLimits{256}).width == 16);
  CHECK(error_of(encode_jpeg(random_image(16, 16, 5)), DecodeLimits{100}).find("the limit is") != std::string::npos);
}
