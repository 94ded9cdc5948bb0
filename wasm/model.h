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
  // 2 is reserved for int8 with per-channel scales.
  F16 = 3,  // stored as IEEE binary16 (half the download), decoded to f32 in Tensor::data
};

struct Tensor {
  DType dtype = DType::F32;
  std::vector<uint32_t> shape;
  std::vector<float> data;  // row-major in `shape` order

  size_t element_count() const;
};

struct Layer {
  LayerKind kind = LayerKind::Relu;
  bool fused_relu = false;  // Conv3x3 and Linear only
  Tensor weight;            // Conv3x3: [out, in, 3, 3] (PyTorch OIHW); Linear: [out, in]
  Tensor bias;              // [out]
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
// when the file is written).
void set_weight_dtype(ModelSpec& spec, DType dtype);

// Checks that layer shapes chain from the input to an output vector whose size equals labels.size().
void validate_model(const ModelSpec& spec);

}  // namespace leafcheck
