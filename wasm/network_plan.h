// The steps a Network runs for a ModelSpec, worked out once: checks that the layers fit together (each
// layer's input, weight and bias shapes, the labels against the outputs) with messages that name the
// layer, and, for the optimized kernels, folds each ReLU and max-pool into the conv or linear before it
// and picks the direct or the Winograd conv. network.cpp packs the weights and runs the steps.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "kernels/optimized_ops.h"
#include "kernels/reference_ops.h"
#include "model.h"

namespace leafcheck::network_plan {

// One intermediate result. Vectors (after GlobalAvgPool) are 1x1xC. An activation read by an
// optimized conv carries a one-pixel zero border (pad = 1) that is zeroed once and never written.
struct Activation {
  size_t height = 1;
  size_t width = 1;
  size_t channels = 0;
  bool spatial = true;
  size_t pad = 0;
  std::vector<float> storage;

  size_t size() const { return height * width * channels; }
  size_t row_stride() const { return (width + 2 * pad) * channels; }
  optimized_ops::Plane plane() {
    return {storage.data() + pad * row_stride() + pad * channels, height, width, channels, row_stride()};
  }
  reference_ops::ImageShape shape() const { return {height, width, channels}; }
  // Only meaningful without a border: the activation as one contiguous NHWC array.
  std::span<float> values() { return {storage.data(), size()}; }
};

enum class Op { Conv3x3, Conv3x3MaxPool, Conv3x3WinogradMaxPool, MaxPool, GlobalAvgPool, Linear, Relu };

struct Step {
  Op op;
  size_t src;
  size_t dst;     // == src for the in-place Relu
  size_t params;  // Optimized: index into convs/winograds/linears (set by pack()). Reference: into layers.
  bool relu;
  size_t layer;  // the model layer the step computes
};

struct Plan {
  std::vector<Activation> acts;  // acts[0] is the input; storage is left to the caller
  std::vector<Step> steps;
};

// fuse: fold ReLU and max-pool into the step before them (the optimized kernels); without it every
// layer is its own step, as the reference kernels run them. Throws ModelError for a model that does not
// fit together.
Plan plan(const ModelSpec& spec, bool fuse);

}  // namespace leafcheck::network_plan
