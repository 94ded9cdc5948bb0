// Runs a validated ModelSpec forward at batch 1: weights packed once at construction,
// activation buffers allocated once and reused, so forward() never allocates.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <stdexcept>
#include <vector>

#include "model.h"
#include "step_time.h"

namespace leafcheck {

class Qs8Network;

// What forward() throws for an input of the wrong length, whichever kernels run the model.
std::invalid_argument wrong_input_size(size_t height, size_t width, size_t channels, size_t got);

enum class KernelSet {
  Reference,  // plain scalar C++ (kernels/reference_ops.h): the ground truth in tests
  Optimized,  // packed weights + vectorised microkernels (kernels/optimized_ops.h)
};

// An int8 model (is_quantized) runs on the int8 kernels (qs8_network.h) in a build with SIMD, on any
// number of threads, and as the f32 model it stands for (dequantized) without SIMD; any other model on
// the f32 kernels.
class Network {
 public:
  // threads > 1 (Optimized) splits each convolution's output rows across a ThreadPool of that many
  // threads, the caller included. Every output value is computed by the same instructions in the same
  // order whatever the split, so the logits are bit-identical to threads = 1.
  explicit Network(const ModelSpec& spec, KernelSet kernels = KernelSet::Optimized, size_t threads = 1);
  ~Network();
  Network(Network&&) noexcept;
  Network& operator=(Network&&) noexcept;

  // input: normalised NHWC floats, input_height*input_width*input_channels of them.
  // Returns the logits (size output_size()); the span stays valid until the next call.
  std::span<const float> forward(std::span<const float> input);
  // forward(), timing each step on a steady clock (leafcheck-bench --layers). The same steps, threads
  // and kernels as forward(); allocates its result.
  std::vector<StepTime> profile(std::span<const float> input);

  size_t input_size() const;
  size_t output_size() const;
  size_t threads() const;
  // True when an int8 model runs on the int8 kernels; false for f32/f16 models and for an int8 model
  // run as the f32 model it stands for (a build without SIMD: see network.cpp).
  bool int8() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;         // f32/f16 models
  std::unique_ptr<Qs8Network> qs8_;  // int8 models
};

}  // namespace leafcheck
