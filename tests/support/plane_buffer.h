// A kernel test's NHWC image: a Plane (optimized_ops::Plane, qs8_ops::QPlane) inside a buffer with a
// `border`-pixel zero frame, `slack` filler values after every row and `tail` more after the buffer.
// The filler is what a kernel that reads past the frame or ignores row_stride picks up, and what
// its stray writes overwrite (NaN for float planes, a garbage value for int8 ones).
#pragma once

#include <algorithm>
#include <cstddef>
#include <type_traits>
#include <vector>

namespace leafcheck::fixtures {

template <typename Plane>
struct PlaneBuffer {
  using Value = std::remove_pointer_t<decltype(Plane::data)>;

  std::vector<Value> storage;
  Plane plane;

  PlaneBuffer(size_t h, size_t w, size_t c, size_t border, size_t slack, Value filler, size_t tail = 0) {
    const size_t row = (w + 2 * border) * c + slack;
    storage.assign((h + 2 * border) * row + tail, filler);
    for (size_t y = 0; y < h + 2 * border; ++y) std::fill_n(storage.data() + y * row, (w + 2 * border) * c, Value{0});
    plane = {storage.data() + border * row + border * c, h, w, c, row};
  }

  void fill(const std::vector<Value>& nhwc) {
    const size_t row = plane.width * plane.channels;
    for (size_t y = 0; y < plane.height; ++y) std::copy_n(nhwc.data() + y * row, row, plane.pixel(y, 0));
  }

  std::vector<Value> read() const {
    std::vector<Value> out;
    for (size_t y = 0; y < plane.height; ++y) {
      out.insert(out.end(), plane.pixel(y, 0), plane.pixel(y, 0) + plane.width * plane.channels);
    }
    return out;
  }
};

}  // namespace leafcheck::fixtures
