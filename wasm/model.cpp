// Reader and writer of the model file format; model/FORMAT.md is the specification and lists
// every rule enforced here and in model_rules.cpp.
#include "model.h"

#include "crc32.h"
#include "half.h"
#include "model_rules.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <string_view>

namespace leafcheck {

using namespace model_rules;

namespace {

constexpr std::array<uint8_t, 8> kMagic = {'L', 'E', 'A', 'F', 'C', 'H', 'K', 0};
// Version 1: f32/f16 weights. Version 2: int8 weights and per-layer input scales (int8 activations).
// The writer uses version 1 unless the model is int8, so f32/f16 files stay readable by older apps.
constexpr uint32_t kFormatVersion = 1;
constexpr uint32_t kInt8FormatVersion = 2;
constexpr size_t kChecksumBytes = 4;
// Magic, version and checksum: the part every format version shares.
constexpr size_t kMinimumFileBytes = kMagic.size() + 4 + kChecksumBytes;

// std::memcpy rather than std::bit_cast: Emscripten 3.1.6's libc++ lacks bit_cast.
uint32_t bits_of(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

float float_from_bits(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

// ---- reading -------------------------------------------------------------------------------

// Every read goes through take(), which checks the length against what is left first.
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> bytes) : bytes_(bytes) {}

  size_t remaining() const { return bytes_.size() - position_; }

  void require(uint64_t count, const std::string& what) const {
    if (count > remaining()) truncated(count, what);
  }

  std::span<const uint8_t> take(uint64_t count, const std::string& what) {
    require(count, what);
    const auto out = bytes_.subspan(position_, static_cast<size_t>(count));
    position_ += static_cast<size_t>(count);
    return out;
  }

  uint8_t u8(const std::string& what) { return take(1, what)[0]; }
  uint16_t u16(const std::string& what) {
    const auto b = take(2, what);
    return static_cast<uint16_t>(b[0] | b[1] << 8);
  }
  uint32_t u32(const std::string& what) { return load_u32(take(4, what).data()); }

  // Callers bound count by their limits (at most 4096 * 4096 * 9), so count * 4 cannot overflow.
  std::vector<float> f16s(uint64_t count, const std::string& what) {
    const auto bytes = take(count * 2, what);
    std::vector<float> values(static_cast<size_t>(count));
    for (size_t i = 0; i < values.size(); ++i) {
      values[i] = half_to_float(static_cast<uint16_t>(bytes[2 * i] | bytes[2 * i + 1] << 8));
    }
    return values;
  }

  std::vector<int8_t> i8s(uint64_t count, const std::string& what) {
    const auto bytes = take(count, what);
    std::vector<int8_t> values(bytes.size());
    std::memcpy(values.data(), bytes.data(), bytes.size());
    return values;
  }

  std::vector<float> f32s(uint64_t count, const std::string& what) {
    const auto bytes = take(count * 4, what);
    std::vector<float> values(static_cast<size_t>(count));
    for (size_t i = 0; i < values.size(); ++i) values[i] = float_from_bits(load_u32(bytes.data() + 4 * i));
    return values;
  }

  static uint32_t load_u32(const uint8_t* p) {
    return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
  }

 private:
  [[noreturn]] void truncated(uint64_t count, const std::string& what) const {
    throw ModelError("model file is truncated: expected " + std::to_string(count) + " more bytes for " + what +
                     " but only " + std::to_string(remaining()) + " remain; download the model again");
  }

  std::span<const uint8_t> bytes_;
  size_t position_ = 0;
};

Tensor read_tensor(Reader& reader, LayerKind kind, Role role, uint32_t weight_out, bool int8_model,
                   const std::string& what) {
  Tensor tensor;
  const uint8_t dtype = reader.u8(what + " dtype");
  check_dtype(dtype, role, int8_model, what);
  tensor.dtype = static_cast<DType>(dtype);
  const uint8_t rank = reader.u8(what + " rank");
  check_rank(kind, role, rank, what);
  for (uint8_t i = 0; i < rank; ++i) tensor.shape.push_back(reader.u32(what + " dimensions"));
  check_shape(kind, role, tensor.shape, weight_out, what);
  // Shapes within the limits hold at most 4096 * 4096 * 9 values: no overflow in 64 bits.
  uint64_t count = 1;
  for (uint32_t d : tensor.shape) count *= d;
  if (tensor.dtype == DType::Qs8) {
    tensor.scales = reader.f32s(tensor.shape[0], what + " scales");
    tensor.quantized = reader.i8s(count, what + " values");
  } else {
    tensor.data =
        tensor.dtype == DType::F16 ? reader.f16s(count, what + " values") : reader.f32s(count, what + " values");
  }
  return tensor;
}

Layer read_layer(Reader& reader, size_t index, bool int8_model) {
  const std::string number = "layer " + std::to_string(index + 1);
  const uint8_t kind = reader.u8(number + " kind");
  if (!is_known_kind(kind)) {
    fail(number + " has unknown kind " + std::to_string(kind) +
         " (known: 1 conv3x3, 2 maxpool2x2, 3 global avg pool, 4 linear, 5 relu)");
  }
  Layer layer;
  layer.kind = static_cast<LayerKind>(kind);
  const std::string name = layer_name(index, layer.kind);
  const uint8_t fused_relu = reader.u8(name + " fused_relu flag");
  check_fused_relu(layer.kind, fused_relu, name);
  layer.fused_relu = fused_relu != 0;
  if (has_parameters(layer.kind)) {
    if (int8_model) {
      layer.input_scale = reader.f32s(1, name + " input scale")[0];
      check_input_scale(layer.input_scale, int8_model, name);
    }
    layer.weight = read_tensor(reader, layer.kind, Role::Weight, 0, int8_model, name + " weight");
    layer.bias = read_tensor(reader, layer.kind, Role::Bias, layer.weight.shape[0], int8_model, name + " bias");
  }
  return layer;
}

// Returns the format version.
uint32_t check_envelope(std::span<const uint8_t> bytes) {
  if (bytes.size() < kMagic.size() || !std::equal(kMagic.begin(), kMagic.end(), bytes.begin())) {
    throw ModelError("not a Leafcheck model file: it does not start with the LEAFCHK signature (" +
                     std::to_string(bytes.size()) + " bytes); choose a Leafcheck .lcm model file");
  }
  if (bytes.size() < kMinimumFileBytes) {
    throw ModelError("model file is truncated: " + std::to_string(bytes.size()) + " bytes, fewer than the " +
                     std::to_string(kMinimumFileBytes) + " of an empty model; download the model again");
  }
  const size_t body = bytes.size() - kChecksumBytes;
  const uint32_t stored = Reader::load_u32(bytes.data() + body);
  if (crc32(bytes.first(body)) != stored) {
    throw ModelError(
        "model file is corrupted or incompletely downloaded: its CRC-32 checksum does not match; "
        "download the model again");
  }
  const uint32_t version = Reader::load_u32(bytes.data() + kMagic.size());
  if (version > kInt8FormatVersion) {
    throw ModelError("model file uses format version " + std::to_string(version) +
                     ", but this version of Leafcheck reads only versions 1 and " + std::to_string(kInt8FormatVersion) +
                     "; update the app to use this model");
  }
  if (version < 1) throw ModelError("model file has invalid format version 0");
  return version;
}

// ---- writing -------------------------------------------------------------------------------

class Writer {
 public:
  void u8(uint8_t v) { bytes_.push_back(v); }
  void u16(uint16_t v) {
    u8(static_cast<uint8_t>(v));
    u8(static_cast<uint8_t>(v >> 8));
  }
  void u32(uint32_t v) {
    for (int shift = 0; shift < 32; shift += 8) u8(static_cast<uint8_t>(v >> shift));
  }
  void f32s(std::span<const float> values) {
    for (float v : values) u32(bits_of(v));
  }
  void f16s(std::span<const float> values) {
    for (float v : values) u16(float_to_half(v));
  }
  void text(std::string_view s) { bytes_.insert(bytes_.end(), s.begin(), s.end()); }
  void tensor(const Tensor& t) {
    u8(static_cast<uint8_t>(t.dtype));
    u8(static_cast<uint8_t>(t.shape.size()));
    for (uint32_t d : t.shape) u32(d);
    if (t.dtype == DType::Qs8) {
      f32s(t.scales);
      for (int8_t q : t.quantized) u8(static_cast<uint8_t>(q));
    } else if (t.dtype == DType::F16) {
      f16s(t.data);
    } else {
      f32s(t.data);
    }
  }
  std::vector<uint8_t> finish() {
    u32(crc32(bytes_));
    return std::move(bytes_);
  }
  void reserve(size_t n) { bytes_.reserve(n); }

 private:
  std::vector<uint8_t> bytes_;
};

}  // namespace

// A default-constructed tensor (empty shape) stands for "no tensor" in layers without parameters.
size_t Tensor::element_count() const {
  if (shape.empty()) return 0;
  size_t count = 1;
  for (uint32_t d : shape) {
    if (d != 0 && count > std::numeric_limits<size_t>::max() / d) {
      fail("tensor shape " + shape_text(shape) + " has more values than this platform can address");
    }
    count *= d;
  }
  return count;
}


ModelSpec parse_model(std::span<const uint8_t> bytes) {
  const uint32_t version = check_envelope(bytes);
  const bool int8_model = version == kInt8FormatVersion;
  Reader reader(bytes.first(bytes.size() - kChecksumBytes));
  reader.take(kMagic.size() + 4, "the signature and version");
  const uint32_t flags = reader.u32("the flags");
  if (flags != 0) {
    fail("the flags field is " + std::to_string(flags) + "; version " + std::to_string(version) +
         " files must have 0 (the file may need a newer Leafcheck)");
  }

  ModelSpec spec;
  spec.input_height = reader.u32("the input height");
  spec.input_width = reader.u32("the input width");
  spec.input_channels = reader.u32("the input channel count");
  check_input(spec.input_height, spec.input_width, spec.input_channels);
  spec.mean = reader.f32s(spec.input_channels, "the input mean");
  spec.stddev = reader.f32s(spec.input_channels, "the input stddev");

  const uint32_t label_count = reader.u32("the label count");
  check_range(label_count, 1, kMaxLabels, "the label count");
  constexpr uint64_t kMinLabelRecordBytes = 3;  // u16 length and at least one byte
  reader.require(label_count * kMinLabelRecordBytes, "at least " + std::to_string(label_count) + " labels");
  spec.labels.reserve(label_count);
  for (uint32_t i = 0; i < label_count; ++i) {
    const std::string what = "label " + std::to_string(i + 1);
    const uint16_t length = reader.u16(what + " length");
    check_range(length, 1, kMaxLabelBytes, what + " length in bytes");
    const auto text = reader.take(length, what);
    spec.labels.emplace_back(text.begin(), text.end());
  }

  const uint32_t metadata_length = reader.u32("the metadata length");
  check_range(metadata_length, 0, kMaxMetadataBytes, "the metadata length in bytes");
  const auto metadata = reader.take(metadata_length, "the metadata");
  spec.metadata_json.assign(metadata.begin(), metadata.end());

  const uint32_t layer_count = reader.u32("the layer count");
  check_range(layer_count, 1, kMaxLayers, "the layer count");
  constexpr uint64_t kMinLayerRecordBytes = 2;  // kind and fused_relu
  reader.require(layer_count * kMinLayerRecordBytes, "at least " + std::to_string(layer_count) + " layers");
  spec.layers.reserve(layer_count);
  for (uint32_t i = 0; i < layer_count; ++i) spec.layers.push_back(read_layer(reader, i, int8_model));

  if (reader.remaining() != 0) {
    fail("the file has " + std::to_string(reader.remaining()) +
         " unexpected bytes after the last layer; it was not written by a Leafcheck exporter");
  }
  validate_model(spec);
  if (int8_model && !is_quantized(spec)) fail("a version 2 (int8) model file has no conv3x3 or linear layer");
  return spec;
}

std::vector<uint8_t> serialize_model(const ModelSpec& spec) {
  validate_model(spec);
  const bool int8_model = is_quantized(spec);
  size_t size = 64 + spec.metadata_json.size() + 8 * spec.mean.size();
  for (const std::string& label : spec.labels) size += 2 + label.size();
  for (const Layer& layer : spec.layers) size += 32 + 4 * (layer.weight.data.size() + layer.bias.data.size());

  Writer out;
  out.reserve(size);
  out.text(std::string_view(reinterpret_cast<const char*>(kMagic.data()), kMagic.size()));
  out.u32(int8_model ? kInt8FormatVersion : kFormatVersion);
  out.u32(0);
  out.u32(spec.input_height);
  out.u32(spec.input_width);
  out.u32(spec.input_channels);
  out.f32s(spec.mean);
  out.f32s(spec.stddev);
  out.u32(static_cast<uint32_t>(spec.labels.size()));
  for (const std::string& label : spec.labels) {
    out.u16(static_cast<uint16_t>(label.size()));
    out.text(label);
  }
  out.u32(static_cast<uint32_t>(spec.metadata_json.size()));
  out.text(spec.metadata_json);
  out.u32(static_cast<uint32_t>(spec.layers.size()));
  for (const Layer& layer : spec.layers) {
    out.u8(static_cast<uint8_t>(layer.kind));
    out.u8(layer.fused_relu ? 1 : 0);
    if (has_parameters(layer.kind)) {
      if (int8_model) out.f32s(std::span(&layer.input_scale, 1));
      out.tensor(layer.weight);
      out.tensor(layer.bias);
    }
  }
  return out.finish();
}

void set_weight_dtype(ModelSpec& spec, DType dtype) {
  if (dtype == DType::Qs8) throw ModelError("int8 weights need calibration: use leafcheck-model quantize");
  if (is_quantized(spec)) {
    throw ModelError("the model's weights are int8 and cannot be converted back; convert its f32 or f16 source");
  }
  for (Layer& layer : spec.layers) {
    if (layer.weight.shape.empty()) continue;
    layer.weight.dtype = dtype;
    layer.bias.dtype = dtype;
  }
}

ModelSpec dequantized(const ModelSpec& spec) {
  ModelSpec out = spec;
  for (Layer& layer : out.layers) {
    layer.input_scale = 0.0f;
    Tensor& w = layer.weight;
    if (w.dtype != DType::Qs8) continue;
    const size_t per_channel = w.quantized.size() / w.scales.size();
    w.data.resize(w.quantized.size());
    for (size_t i = 0; i < w.quantized.size(); ++i) w.data[i] = static_cast<float>(w.quantized[i]) * w.scales[i / per_channel];
    w.dtype = DType::F32;
    std::vector<int8_t>().swap(w.quantized);
    std::vector<float>().swap(w.scales);
  }
  return out;
}

bool is_quantized(const ModelSpec& spec) {
  return std::any_of(spec.layers.begin(), spec.layers.end(),
                     [](const Layer& layer) { return layer.weight.dtype == DType::Qs8; });
}

}  // namespace leafcheck
