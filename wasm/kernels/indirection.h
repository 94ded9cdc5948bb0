// The indirection the 3x3 convolution drivers give their IGEMM microkernels: for each tile of MR output
// pixels, taken row by row, MR input pointers (the pixel under tap (0, 0)) and MR output pointers.
#pragma once

#include <algorithm>
#include <cstddef>

namespace leafcheck::kernels {

// Walks an output `width` pixels wide row by row, MR pixels a tile.
template <size_t MR>
class PixelTiles {
 public:
  explicit PixelTiles(size_t width) : width_(width) {}

  // Fills a and c for the next min(MR, remaining) pixels, in_at(y, x) and out_at(y, x) giving each
  // pixel's pointers. Rows past the end repeat the last pixel (XNNPACK's trick): the microkernel then
  // writes the same values to the same place, so a short last tile needs no kernel of its own.
  template <typename In, typename Out, typename InAt, typename OutAt>
  void next(size_t remaining, In* (&a)[MR], Out* (&c)[MR], InAt in_at, OutAt out_at) {
    const size_t mr = std::min(MR, remaining);
    for (size_t i = 0; i < MR; ++i) {
      if (i < mr) {
        a[i] = in_at(y_, x_);
        c[i] = out_at(y_, x_);
        if (++x_ == width_) {
          x_ = 0;
          ++y_;
        }
      } else {
        a[i] = a[i - 1];
        c[i] = c[i - 1];
      }
    }
  }

 private:
  size_t width_;
  size_t y_ = 0;
  size_t x_ = 0;
};

}  // namespace leafcheck::kernels
