// The confusion picture: cells coloured by what they count, axes labelled and numbered.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <unistd.h>

#include "confusion_png.h"
#include "file_io.h"
#include "image.h"

namespace fs = std::filesystem;
using namespace leafcheck;

namespace {

struct Pixel {
  int r, g, b;
};

Pixel at(const RgbImage& image, int x, int y) {
  const uint8_t* p = &image.pixels[(static_cast<size_t>(y) * image.width + x) * 3];
  return {p[0], p[1], p[2]};
}

bool is_ink(Pixel p) { return p.r < 80 && p.g < 80 && p.b < 80; }

int ink_in(const RgbImage& image, int x0, int y0, int x1, int y1) {
  int count = 0;
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) count += is_ink(at(image, x, y));
  return count;
}

}  // namespace

TEST_CASE("the confusion picture colours cells by their counts and labels both axes") {
  const fs::path file = fs::temp_directory_path() / ("leafcheck-confusion-test-" + std::to_string(getpid()) + ".png");
  const int cell = 24, classes = 12;
  std::vector<std::vector<size_t>> confusion(classes, std::vector<size_t>(classes, 0));
  for (int k = 0; k < classes; ++k) confusion[k][k] = 10;
  confusion[0][1] = 5;  // one kind of mistake
  leafcheck::train::write_confusion_png(confusion, file, cell);
  const RgbImage image = decode_image(read_file(file));
  fs::remove(file);

  const int grid = classes * cell + 1;
  REQUIRE(image.width > grid);
  REQUIRE(image.height > grid);
  // The grid sits in the bottom-right corner, below the column header and right of the row header.
  const int left = image.width - 4 - grid, top = image.height - 4 - grid;
  auto centre = [&](int row, int column) { return at(image, left + column * cell + cell / 2, top + row * cell + cell / 2); };
  const Pixel right = centre(1, 1), mistake = centre(0, 1), none = centre(1, 0);
  CHECK(right.g > right.r);  // green
  CHECK(mistake.r > mistake.g);  // red
  CHECK((none.r == 255 && none.g == 255 && none.b == 255));
  // Text: the axis names and numbers are drawn in the margins, and nowhere inside the grid.
  CHECK(ink_in(image, left, 0, image.width, top) > 100);   // "PREDICTED CLASS" and 1..12 over the columns
  CHECK(ink_in(image, 0, top, left, image.height) > 100);  // "TRUE CLASS" and 1..12 beside the rows
  CHECK(ink_in(image, left, top, left + grid, top + grid) == 0);
}

TEST_CASE("cells too small for their numbers are refused") {
  std::vector<std::vector<size_t>> confusion(38, std::vector<size_t>(38, 1));
  CHECK_THROWS_AS(leafcheck::train::write_confusion_png(confusion, fs::temp_directory_path() / "never.png", 8),
                  std::invalid_argument);
}
