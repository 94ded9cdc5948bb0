#include "confusion_png.h"

#include <cstdint>
#include <stdexcept>

// Static so this copy cannot clash with another translation unit that also implements stb_image_write.
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>

namespace leafcheck::train {

void write_confusion_png(const std::vector<std::vector<size_t>>& confusion, const std::filesystem::path& file,
                         int cell_pixels) {
  const int classes = static_cast<int>(confusion.size());
  const int border = 1;
  const int side = classes * cell_pixels + border;
  std::vector<uint8_t> rgb(static_cast<size_t>(side) * side * 3, 160);  // grid lines stay grey
  for (int t = 0; t < classes; ++t) {
    size_t row_total = 0;
    for (size_t v : confusion[t]) row_total += v;
    for (int p = 0; p < classes; ++p) {
      const double fraction = row_total ? static_cast<double>(confusion[t][p]) / row_total : 0.0;
      // Any non-zero error stays visible: shade from a floor of 0.15.
      const double shade = confusion[t][p] ? 0.15 + 0.85 * fraction : 0.0;
      uint8_t colour[3];
      if (t == p) {
        colour[0] = static_cast<uint8_t>(255 * (1 - shade));
        colour[1] = static_cast<uint8_t>(255 - 100 * shade);
        colour[2] = static_cast<uint8_t>(255 * (1 - shade));
      } else {
        colour[0] = 255;
        colour[1] = static_cast<uint8_t>(255 * (1 - shade));
        colour[2] = static_cast<uint8_t>(255 * (1 - shade));
      }
      for (int y = border; y < cell_pixels; ++y)
        for (int x = border; x < cell_pixels; ++x) {
          uint8_t* px = &rgb[(static_cast<size_t>(t * cell_pixels + y) * side + (p * cell_pixels + x)) * 3];
          px[0] = colour[0];
          px[1] = colour[1];
          px[2] = colour[2];
        }
    }
  }
  if (!stbi_write_png(file.string().c_str(), side, side, 3, rgb.data(), side * 3))
    throw std::runtime_error("cannot write " + file.string());
}

}  // namespace leafcheck::train
