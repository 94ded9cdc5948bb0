// Runs an int8 model (format version 2, model/FORMAT.md) forward at batch 1, for Network. Each
// conv3x3 and linear quantizes its input with its calibrated scale (once, where a float activation
// meets an int8 layer); a conv whose output feeds another int8 conv (through max-pool or ReLU)
// writes it already quantized with that conv's input scale, any other output is dequantized to
// float. Planned once, buffers allocated once: forward() never allocates.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <vector>

#include "model.h"
#include "network.h"

namespace leafcheck {

class Qs8Network {
 public:
  // KernelSet::Reference runs the scalar twins (kernels/qs8_reference_ops.h) on unpadded buffers, on the
  // calling thread (Network, which checks the thread count, gives it 1). threads > 1 (Optimized) splits
  // each conv's output rows across a ThreadPool, as Network does: the same logits, bit for bit.
  Qs8Network(const ModelSpec& spec, KernelSet kernels, size_t threads = 1);
  ~Qs8Network();
  Qs8Network(Qs8Network&&) noexcept;
  Qs8Network& operator=(Qs8Network&&) noexcept;

  std::span<const float> forward(std::span<const float> input);
  std::vector<StepTime> profile(std::span<const float> input);  // see Network::profile
  size_t input_size() const;
  size_t output_size() const;
  size_t threads() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace leafcheck
