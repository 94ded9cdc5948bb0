// The public API of the inference core (wrapped for JavaScript in bindings.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "image.h"
#include "model.h"
#include "network.h"

namespace leafcheck {

struct Prediction {
  int index = 0;
  std::string label;
  float probability = 0;
};

struct Timings {
  double decode_ms = 0;
  double preprocess_ms = 0;
  double inference_ms = 0;
};

struct Classification {
  std::vector<Prediction> top;  // best first
  float plant_fraction = 0;     // share of plant-coloured pixels in the model input (leaf_check.h)
  bool looks_like_leaf = true;  // plant_fraction >= kMinLeafFraction
  bool something_to_see = true;  // not blank, tiny or a thin strip (detail_check.h)
  Timings timings;
};

class Classifier {
 public:
  // threads: see Network (the convolutions' output rows split across that many threads, same logits).
  explicit Classifier(std::span<const uint8_t> model_bytes, KernelSet kernels = KernelSet::Optimized,
                      size_t threads = 1);

  // Encoded JPEG/PNG bytes. Throws ImageError on bad images.
  Classification classify_encoded(std::span<const uint8_t> bytes, int top_k = 3);
  // RGBA8 pixels, e.g. from a canvas or a camera frame.
  Classification classify_rgba(std::span<const uint8_t> rgba, int width, int height, int top_k = 3);
  // RGBA8 pixels of a photo the browser decoded at a reduced scale, with the region of them that the
  // full photo's centre crop covers (crop_resize): the input stays the full-size decode's, nearly.
  Classification classify_rgba(std::span<const uint8_t> rgba, int width, int height, const CropRegion& region,
                               int top_k = 3);
  // An image already decoded to RGB (any size), cropped to `region` when given, else centre-cropped.
  Classification classify_rgb(const RgbImage& image, int top_k = 3, const std::optional<CropRegion>& region = {});

  const ModelSpec& spec() const { return spec_; }
  size_t threads() const { return network_.threads(); }
  // Which arithmetic classifies: see Network::int8 (without SIMD an int8 model runs as its f32 twin).
  bool int8() const { return network_.int8(); }

 private:
  Classification classify_rgba_cropped(std::span<const uint8_t> rgba, int width, int height,
                                       const std::optional<CropRegion>& region, int top_k);

  ModelSpec spec_;
  Network network_;
  std::vector<float> input_;
  DecodeLimits limits_;
};

}  // namespace leafcheck
