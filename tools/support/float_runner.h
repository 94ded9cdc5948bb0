// Runs a model's float network layer by layer on the optimized f32 kernels, with a hook that sees (and
// may change) the input of every conv3x3 and linear layer: calibration reads those inputs, the int8
// stability measurement rounds them (leafcheck-stability). Int8 weights run as q x scale.
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <vector>

#include "kernels/optimized_ops.h"
#include "model.h"

namespace leafcheck {

class FloatRunner {
 public:
  // Keeps its own copy of the weights; an int8 model runs as dequantized(spec).
  explicit FloatRunner(const ModelSpec& spec);

  // before_layer(layer index, values, channels): the NHWC input of a conv3x3 or linear layer
  // (a linear's channels are its inputs). Returns the network's output (logits).
  using Hook = std::function<void(size_t layer, std::vector<float>& values, size_t channels)>;
  std::vector<float> run(std::span<const float> input, const Hook& before_layer) const;

 private:
  ModelSpec spec_;
  std::vector<optimized_ops::PackedConv3x3> packed_;
};

}  // namespace leafcheck
