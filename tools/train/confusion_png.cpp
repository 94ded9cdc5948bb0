#include "confusion_png.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

// Static so this copy cannot clash with another translation unit that also implements stb_image_write.
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>

namespace leafcheck::train {
namespace {

// A 3x5 pixel font with just the characters the axis labels use, so the picture needs no font file.
struct Glyph {
  char ch;
  std::array<std::string_view, 5> rows;
};

constexpr std::array<Glyph, 22> kFont{{
    {'0', {"###", "#.#", "#.#", "#.#", "###"}}, {'1', {".#.", "##.", ".#.", ".#.", "###"}},
    {'2', {"###", "..#", "###", "#..", "###"}}, {'3', {"###", "..#", ".##", "..#", "###"}},
    {'4', {"#.#", "#.#", "###", "..#", "..#"}}, {'5', {"###", "#..", "###", "..#", "###"}},
    {'6', {"###", "#..", "###", "#.#", "###"}}, {'7', {"###", "..#", "..#", ".#.", ".#."}},
    {'8', {"###", "#.#", "###", "#.#", "###"}}, {'9', {"###", "#.#", "###", "..#", "###"}},
    {'A', {".#.", "#.#", "###", "#.#", "#.#"}}, {'C', {".##", "#..", "#..", "#..", ".##"}},
    {'D', {"##.", "#.#", "#.#", "#.#", "##."}}, {'E', {"###", "#..", "##.", "#..", "###"}},
    {'I', {"###", ".#.", ".#.", ".#.", "###"}}, {'L', {"#..", "#..", "#..", "#..", "###"}},
    {'P', {"##.", "#.#", "##.", "#..", "#.."}}, {'R', {"##.", "#.#", "##.", "#.#", "#.#"}},
    {'S', {".##", "#..", ".#.", "..#", "##."}}, {'T', {"###", ".#.", ".#.", ".#.", ".#."}},
    {'U', {"#.#", "#.#", "#.#", "#.#", "###"}}, {' ', {"...", "...", "...", "...", "..."}},
}};

constexpr int kScale = 2;  // font pixels per glyph pixel
constexpr int kGlyphWidth = 3 * kScale, kGlyphHeight = 5 * kScale, kGap = kScale;
constexpr int kMargin = 4;

const Glyph& glyph_of(char ch) {
  for (const Glyph& g : kFont)
    if (g.ch == ch) return g;
  throw std::logic_error(std::string("confusion picture: no glyph for '") + ch + "'");
}

int text_width(std::string_view text) {
  return text.empty() ? 0 : static_cast<int>(text.size()) * (kGlyphWidth + kGap) - kGap;
}

class Canvas {
 public:
  Canvas(int width, int height, uint8_t grey) : width_(width), height_(height), rgb_(size_t(width) * height * 3, grey) {}

  void fill(int x0, int y0, int w, int h, const std::array<uint8_t, 3>& colour) {
    for (int y = std::max(0, y0); y < std::min(height_, y0 + h); ++y)
      for (int x = std::max(0, x0); x < std::min(width_, x0 + w); ++x)
        std::copy(colour.begin(), colour.end(), &rgb_[(size_t(y) * width_ + x) * 3]);
  }

  void text(std::string_view text, int x, int y) {
    for (char ch : text) {
      const Glyph& g = glyph_of(ch);
      for (int r = 0; r < 5; ++r)
        for (int c = 0; c < 3; ++c)
          if (g.rows[r][c] == '#') fill(x + c * kScale, y + r * kScale, kScale, kScale, kInk);
      x += kGlyphWidth + kGap;
    }
  }

  // One character under another: a vertical label without rotating glyphs.
  void stacked_text(std::string_view text, int x, int y) {
    for (char ch : text) {
      this->text(std::string_view(&ch, 1), x, y);
      y += kGlyphHeight + kGap;
    }
  }

  void write_png(const std::filesystem::path& file) const {
    if (!stbi_write_png(file.string().c_str(), width_, height_, 3, rgb_.data(), width_ * 3))
      throw std::runtime_error("cannot write " + file.string());
  }

 private:
  static constexpr std::array<uint8_t, 3> kInk{30, 30, 30};
  int width_, height_;
  std::vector<uint8_t> rgb_;
};

std::array<uint8_t, 3> cell_colour(bool diagonal, size_t count, size_t row_total) {
  const double fraction = row_total ? static_cast<double>(count) / row_total : 0.0;
  // Any non-zero error stays visible: shade from a floor of 0.15.
  const double shade = count ? 0.15 + 0.85 * fraction : 0.0;
  if (diagonal)
    return {static_cast<uint8_t>(255 * (1 - shade)), static_cast<uint8_t>(255 - 100 * shade),
            static_cast<uint8_t>(255 * (1 - shade))};
  return {255, static_cast<uint8_t>(255 * (1 - shade)), static_cast<uint8_t>(255 * (1 - shade))};
}

}  // namespace

void write_confusion_png(const std::vector<std::vector<size_t>>& confusion, const std::filesystem::path& file,
                         int cell_pixels) {
  constexpr std::string_view kRowsLabel = "TRUE CLASS", kColumnsLabel = "PREDICTED CLASS";
  const int classes = static_cast<int>(confusion.size());
  const int number_width = text_width(std::to_string(classes));
  if (cell_pixels < std::max(number_width, kGlyphHeight) + 2)
    throw std::invalid_argument("confusion picture: cells too small for their numbers");
  const int grid = classes * cell_pixels + 1;  // + the closing grid line
  const int left = kMargin + kGlyphWidth + kMargin + number_width + kMargin;
  const int top = kMargin + kGlyphHeight + kMargin + kGlyphHeight + kMargin;
  const int stacked_height = static_cast<int>(kRowsLabel.size()) * (kGlyphHeight + kGap);
  const int width = left + std::max(grid, text_width(kColumnsLabel)) + kMargin;
  const int height = top + std::max(grid, stacked_height) + kMargin;

  Canvas canvas(width, height, 255);
  canvas.text(kColumnsLabel, left + std::max(0, (grid - text_width(kColumnsLabel)) / 2), kMargin);
  canvas.stacked_text(kRowsLabel, kMargin, top + std::max(0, (grid - stacked_height) / 2));
  canvas.fill(left, top, grid, grid, {160, 160, 160});  // grid lines
  for (int k = 0; k < classes; ++k) {
    const std::string number = std::to_string(k + 1);
    const int cell_start = k * cell_pixels;
    canvas.text(number, left + cell_start + (cell_pixels - text_width(number)) / 2, kMargin + kGlyphHeight + kMargin);
    canvas.text(number, left - kMargin - text_width(number), top + cell_start + (cell_pixels - kGlyphHeight) / 2);
  }
  for (int t = 0; t < classes; ++t) {
    size_t row_total = 0;
    for (size_t v : confusion[t]) row_total += v;
    for (int p = 0; p < classes; ++p)
      canvas.fill(left + p * cell_pixels + 1, top + t * cell_pixels + 1, cell_pixels - 1, cell_pixels - 1,
                  cell_colour(t == p, confusion[t][p], row_total));
  }
  canvas.write_png(file);
}

}  // namespace leafcheck::train
