// The in-memory form of a Leafcheck model file (format: model/FORMAT.md).
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace leafcheck {

// Thrown for every malformed, truncated, corrupted or hostile model file.
class ModelError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class LayerKind : uint8_t {
  Conv3x3 = 1,        // 3x3, stride 1, zero padding 1, bias; BatchNorm already folded in
  MaxPool2x2 = 2,     // stride 2, floor on odd sizes
  GlobalAvgPool = 3,  // HxWxC -> C
  Linear = 4,         // y = W x + b
  Relu = 5,           // standalone ReLU (conv and linear can also fuse one)
};

enum class DType : uint8_t {
  F32 = 1,
  // Weights only, format version 2: symmetric int8 with one f32 scale per output channel
  // (value = q * scales[out]); the tensor keeps them in `quantized` and `scales`, `data` stays empty.
  Qs8 = 2,
  F16 = 3,  // stored as IEEE binary16 (half the download), decoded to f32 in Tensor::data
};

struct Tensor {
  DType dtype = DType::F32;
  std::vector<uint32_t> shape;
  std::vector<float> data;        // row-major in `shape` order; empty for Qs8
  std::vector<int8_t> quantized;  // Qs8 only: row-major, each in -127..127
  std::vector<float> scales;      // Qs8 only: one per output channel (shape[0]), > 0

  size_t element_count() const;
};

struct Layer {
  LayerKind kind = LayerKind::Relu;
  bool fused_relu = false;  // Conv3x3 and Linear only
  Tensor weight;            // Conv3x3: [out, in, 3, 3] (PyTorch OIHW); Linear: [out, in]
  Tensor bias;              // [out]; always f32 or f16, also in an int8 model
  // Int8 models only: the layer's input is quantized as round(x / input_scale) clamped to -127..127
  // (one scale for the whole tensor, from calibration). 0 in f32/f16 models.
  float input_scale = 0.0f;
};

struct ModelSpec {
  uint32_t input_height = 128;
  uint32_t input_width = 128;
  uint32_t input_channels = 3;
  std::vector<float> mean;  // per input channel, applied to pixel/255
  std::vector<float> stddev;
  std::vector<std::string> labels;  // PlantVillage class names, one per output
  std::string metadata_json;        // free-form: name, version, classes trained on, accuracy
  std::vector<Layer> layers;
};

// Parses and fully validates a model file. Throws ModelError with a message a person can act on.
ModelSpec parse_model(std::span<const uint8_t> bytes);

// Writes the file format; validates first (throws ModelError on an inconsistent spec).
std::vector<uint8_t> serialize_model(const ModelSpec& spec);

// Sets the storage type of every weight and bias (f16: half the download; the values are rounded
// when the file is written). F32 or F16 only, on a model whose weights are not int8.
void set_weight_dtype(ModelSpec& spec, DType dtype);

// True when the conv and linear weights are int8 (format version 2): Network then runs int8 kernels.
bool is_quantized(const ModelSpec& spec);

// The f32 model an int8 one stands for: each weight becomes q * scale (exactly the value the int8
// kernels multiply by), activations stay f32. For engines where the int8 kernels do not pay (several
// threads, no SIMD): the download stays int8, the arithmetic is the f32 path's.
ModelSpec dequantized(const ModelSpec& spec);

// Checks that layer shapes chain from the input to an output vector whose size equals labels.size().
void validate_model(const ModelSpec& spec);

}  // namespace leafcheck
