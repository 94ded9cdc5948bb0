// Reader and writer of the model file format; model/FORMAT.md is the specification and lists
// every rule enforced here.
#include "model.h"

#include "half.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string_view>
#include <unordered_set>

namespace leafcheck {
namespace {

constexpr std::array<uint8_t, 8> kMagic = {'L', 'E', 'A', 'F', 'C', 'H', 'K', 0};
// Version 1: f32/f16 weights. Version 2: int8 weights and per-layer input scales (int8 activations).
// The writer uses version 1 unless the model is int8, so f32/f16 files stay readable by older apps.
constexpr uint32_t kFormatVersion = 1;
constexpr uint32_t kInt8FormatVersion = 2;
constexpr size_t kChecksumBytes = 4;
// Magic, version and checksum: the part every format version shares.
constexpr size_t kMinimumFileBytes = kMagic.size() + 4 + kChecksumBytes;

constexpr uint32_t kMaxInputSize = 4096;
constexpr uint32_t kMaxChannels = 4096;  // input channels and every conv/linear in/out size
constexpr uint32_t kMaxLabels = 4096;
constexpr uint32_t kMaxLabelBytes = 256;
constexpr uint32_t kMaxMetadataBytes = 64 * 1024;
constexpr uint32_t kMaxLayers = 256;
// Bounds the activation buffers a reader allocates from the shapes in the file (256 MiB of f32).
constexpr uint64_t kMaxActivationValues = uint64_t{1} << 26;

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

// ---- checksum ------------------------------------------------------------------------------

// Slicing-by-4: four table lookups per 32-bit word instead of one per byte. Every start checks the whole
// model, in code the browser has not optimised yet, where the byte-at-a-time loop took about a millisecond.
using Crc32Tables = std::array<std::array<uint32_t, 256>, 4>;

constexpr Crc32Tables make_crc32_tables() {
  Crc32Tables tables{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int bit = 0; bit < 8; ++bit) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    tables[0][i] = c;
  }
  // tables[k][i]: the CRC of byte i followed by k zero bytes.
  for (size_t k = 1; k < tables.size(); ++k) {
    for (uint32_t i = 0; i < 256; ++i) tables[k][i] = tables[0][tables[k - 1][i] & 0xFFu] ^ (tables[k - 1][i] >> 8);
  }
  return tables;
}

constexpr Crc32Tables kCrc32Tables = make_crc32_tables();

uint32_t crc32(std::span<const uint8_t> bytes) {
  const auto& t = kCrc32Tables;
  uint32_t c = 0xFFFFFFFFu;
  size_t i = 0;
  for (; i + 4 <= bytes.size(); i += 4) {
    c ^= uint32_t{bytes[i]} | uint32_t{bytes[i + 1]} << 8 | uint32_t{bytes[i + 2]} << 16 | uint32_t{bytes[i + 3]} << 24;
    c = t[3][c & 0xFFu] ^ t[2][(c >> 8) & 0xFFu] ^ t[1][(c >> 16) & 0xFFu] ^ t[0][c >> 24];
  }
  for (; i < bytes.size(); ++i) c = t[0][(c ^ bytes[i]) & 0xFFu] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

// ---- naming, for messages ------------------------------------------------------------------

bool is_known_kind(uint8_t kind) {
  return kind >= static_cast<uint8_t>(LayerKind::Conv3x3) && kind <= static_cast<uint8_t>(LayerKind::Relu);
}

std::string_view kind_name(LayerKind kind) {
  switch (kind) {
    case LayerKind::Conv3x3: return "conv3x3";
    case LayerKind::MaxPool2x2: return "maxpool2x2";
    case LayerKind::GlobalAvgPool: return "global avg pool";
    case LayerKind::Linear: return "linear";
    case LayerKind::Relu: return "relu";
  }
  return "unknown";
}

bool has_parameters(LayerKind kind) { return kind == LayerKind::Conv3x3 || kind == LayerKind::Linear; }

std::string layer_name(size_t index, LayerKind kind) {
  return "layer " + std::to_string(index + 1) + " (" + std::string(kind_name(kind)) + ")";
}

std::string shape_text(std::span<const uint32_t> shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

std::string number_text(float value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", static_cast<double>(value));
  return text;
}

[[noreturn]] void fail(const std::string& message) { throw ModelError("invalid model: " + message); }

void check_range(uint64_t value, uint64_t low, uint64_t high, const std::string& what) {
  if (value < low || value > high) {
    fail(what + " is " + std::to_string(value) + "; it must be " + std::to_string(low) + ".." + std::to_string(high));
  }
}

// ---- rules shared by the reader and validate_model ---------------------------------------

enum class Role { Weight, Bias };

// In a version 2 (int8) model every weight is int8 and every bias f32 or f16; version 1 has no int8.
void check_dtype(uint8_t dtype, Role role, bool int8_model, const std::string& what) {
  const bool is_float = dtype == static_cast<uint8_t>(DType::F32) || dtype == static_cast<uint8_t>(DType::F16);
  const bool is_int8 = dtype == static_cast<uint8_t>(DType::Qs8);
  if (!is_float && !is_int8) {
    fail(what + " has unknown dtype " + std::to_string(dtype) + " (supported: 1 = f32, 2 = int8, 3 = f16)");
  }
  if (is_int8 && !int8_model) {
    fail(what + " uses int8 weights (dtype 2), which only a version 2 (int8) model file may hold; "
                "re-quantize the model with leafcheck-model quantize");
  }
  if (is_int8 && role == Role::Bias) fail(what + " is int8; biases are stored as f32 or f16 in every model");
  if (!is_int8 && int8_model && role == Role::Weight) {
    fail(what + " has dtype " + std::to_string(dtype) +
         "; in an int8 model (format version 2) every conv3x3 and linear weight is int8 (dtype 2)");
  }
}

// Int8 weights: per-output-channel scales finite and > 0, values in -127..127 (symmetric: -128 is
// never written, so negating a weight cannot overflow).
void check_int8_tensor(const Tensor& tensor, const std::string& what) {
  if (tensor.scales.size() != tensor.shape[0]) {
    fail(what + " has " + std::to_string(tensor.scales.size()) + " scales; it must have one per output (" +
         std::to_string(tensor.shape[0]) + ")");
  }
  for (size_t i = 0; i < tensor.scales.size(); ++i) {
    if (!std::isfinite(tensor.scales[i]) || !(tensor.scales[i] > 0.0f)) {
      fail(what + " scale of output " + std::to_string(i + 1) + " is " + number_text(tensor.scales[i]) +
           "; it must be finite and greater than 0 (re-quantize the model)");
    }
  }
  for (size_t i = 0; i < tensor.quantized.size(); ++i) {
    if (tensor.quantized[i] == -128) {
      fail(what + " element " + std::to_string(i) + " is -128; int8 weights are symmetric, -127..127");
    }
  }
}

void check_input_scale(float scale, bool int8_model, const std::string& what) {
  if (!int8_model) {
    if (scale != 0.0f) fail(what + " has an input scale, which only int8 models (format version 2) have");
    return;
  }
  if (!std::isfinite(scale) || !(scale > 0.0f)) {
    fail(what + " input scale is " + number_text(scale) + "; it must be finite and greater than 0");
  }
}

std::string_view expected_shape(LayerKind kind, Role role) {
  if (role == Role::Bias) return "[out]";
  return kind == LayerKind::Conv3x3 ? "[out, in, 3, 3]" : "[out, in]";
}

void check_rank(LayerKind kind, Role role, size_t rank, const std::string& what) {
  const size_t expected = role == Role::Bias ? 1 : kind == LayerKind::Conv3x3 ? 4 : 2;
  if (rank != expected) {
    fail(what + " has rank " + std::to_string(rank) + "; it must have rank " + std::to_string(expected) + ", " +
         std::string(expected_shape(kind, role)));
  }
}

// weight_out: the weight's first dimension, which a bias must match (unused for weights).
void check_shape(LayerKind kind, Role role, std::span<const uint32_t> shape, uint32_t weight_out,
                 const std::string& what) {
  check_rank(kind, role, shape.size(), what);
  if (role == Role::Bias) {
    if (shape[0] != weight_out) {
      fail(what + " has shape " + shape_text(shape) + "; it must be [" + std::to_string(weight_out) +
           "], one value per output of the weight");
    }
    return;
  }
  check_range(shape[0], 1, kMaxChannels, what + " out size");
  check_range(shape[1], 1, kMaxChannels, what + " in size");
  if (kind == LayerKind::Conv3x3 && (shape[2] != 3 || shape[3] != 3)) {
    fail(what + " has shape " + shape_text(shape) + "; a conv3x3 weight must be " +
         std::string(expected_shape(kind, role)));
  }
}

void check_fused_relu(LayerKind kind, uint8_t fused_relu, const std::string& what) {
  if (fused_relu > 1) fail(what + " has fused_relu " + std::to_string(fused_relu) + "; it must be 0 or 1");
  if (fused_relu && !has_parameters(kind)) fail(what + " sets fused_relu; only conv3x3 and linear layers can");
}

void check_finite(std::span<const float> values, const std::string& what) {
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      fail(what + " holds " + (std::isnan(values[i]) ? "NaN" : "infinity") + " at element " + std::to_string(i) +
           "; the model is broken (diverged training or a faulty export): re-train or re-export it");
    }
  }
}

// f16 tensors are written rounded to the nearest half; beyond +-65504 that would be infinity.
void check_f16_range(std::span<const float> values, const std::string& what) {
  for (size_t i = 0; i < values.size(); ++i) {
    if (std::fabs(values[i]) > 65504.0f) {
      fail(what + " is stored as f16 but element " + std::to_string(i) + " (" + std::to_string(values[i]) +
           ") is beyond the f16 range of +-65504; store it as f32");
    }
  }
}

// Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
bool is_valid_utf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<uint8_t>(text[i]);
    size_t extra = 0;
    uint32_t code = 0;
    if (lead < 0x80) {
      ++i;
      continue;
    } else if ((lead & 0xE0) == 0xC0) {
      extra = 1;
      code = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
      extra = 2;
      code = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0) {
      extra = 3;
      code = lead & 0x07;
    } else {
      return false;
    }
    if (text.size() - i <= extra) return false;
    for (size_t k = 1; k <= extra; ++k) {
      const auto next = static_cast<uint8_t>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    constexpr uint32_t kSmallestOfLength[] = {0, 0x80, 0x800, 0x10000};
    if (code < kSmallestOfLength[extra] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

void check_label(std::string_view label, size_t index) {
  const std::string what = "label " + std::to_string(index + 1);
  check_range(label.size(), 1, kMaxLabelBytes, what + " length in bytes");
  if (!is_valid_utf8(label)) fail(what + " is not valid UTF-8");
  for (char ch : label) {
    const auto byte = static_cast<uint8_t>(ch);
    if (byte < 0x20 || byte == 0x7F) fail(what + " contains a control character (byte " + std::to_string(byte) + ")");
  }
}

void check_labels(const std::vector<std::string>& labels) {
  check_range(labels.size(), 1, kMaxLabels, "the label count");
  std::unordered_set<std::string_view> seen;
  for (size_t i = 0; i < labels.size(); ++i) {
    check_label(labels[i], i);
    if (!seen.insert(labels[i]).second) fail("label \"" + labels[i] + "\" appears more than once");
  }
}

void check_metadata(std::string_view metadata) {
  check_range(metadata.size(), 0, kMaxMetadataBytes, "the metadata length in bytes");
  if (!is_valid_utf8(metadata)) fail("the metadata is not valid UTF-8");
}

void check_input(uint32_t height, uint32_t width, uint32_t channels) {
  check_range(height, 1, kMaxInputSize, "the input height");
  check_range(width, 1, kMaxInputSize, "the input width");
  check_range(channels, 1, kMaxChannels, "the input channel count");
}

void check_normalisation(const ModelSpec& spec) {
  if (spec.mean.size() != spec.input_channels || spec.stddev.size() != spec.input_channels) {
    fail("the input has " + std::to_string(spec.input_channels) + " channels but there are " +
         std::to_string(spec.mean.size()) + " means and " + std::to_string(spec.stddev.size()) +
         " standard deviations; there must be one of each per channel");
  }
  check_finite(spec.mean, "the input mean");
  check_finite(spec.stddev, "the input stddev");
  for (size_t c = 0; c < spec.stddev.size(); ++c) {
    if (!(spec.stddev[c] > 0.0f)) {
      fail("the input stddev of channel " + std::to_string(c + 1) + " is " + number_text(spec.stddev[c]) +
           "; it must be greater than 0");
    }
  }
}

// The activation shape while walking the layers: an image H x W x C or a vector of `channels`.
struct Activation {
  bool image = true;
  uint64_t height = 0;
  uint64_t width = 0;
  uint64_t channels = 0;

  uint64_t values() const { return image ? height * width * channels : channels; }
  std::string text() const {
    if (!image) return "a vector of " + std::to_string(channels);
    return "an image of " + std::to_string(height) + "x" + std::to_string(width) + "x" + std::to_string(channels);
  }
};

void check_activation_size(const Activation& a, const std::string& where) {
  if (a.values() > kMaxActivationValues) {
    fail(where + " produces " + a.text() + " (" + std::to_string(a.values()) + " values); at most " +
         std::to_string(kMaxActivationValues) + " are allowed");
  }
}

Activation apply_layer(const Layer& layer, const std::string& name, Activation a) {
  switch (layer.kind) {
    case LayerKind::Conv3x3: {
      const uint32_t out = layer.weight.shape[0], in = layer.weight.shape[1];
      if (!a.image || a.channels != in) {
        fail(name + " expects an image with " + std::to_string(in) + " channels but receives " + a.text());
      }
      a.channels = out;
      break;
    }
    case LayerKind::MaxPool2x2:
      if (!a.image || a.height < 2 || a.width < 2) {
        fail(name + " expects an image of at least 2x2 but receives " + a.text());
      }
      a.height /= 2;
      a.width /= 2;
      break;
    case LayerKind::GlobalAvgPool:
      if (!a.image) fail(name + " expects an image but receives " + a.text());
      a.image = false;
      break;
    case LayerKind::Linear: {
      const uint32_t out = layer.weight.shape[0], in = layer.weight.shape[1];
      if (a.image) {
        fail(name + " expects a vector of " + std::to_string(in) + " but receives " + a.text() +
             " (a global avg pool must come before it)");
      }
      if (a.channels != in) fail(name + " expects a vector of " + std::to_string(in) + " but receives " + a.text());
      a.channels = out;
      break;
    }
    case LayerKind::Relu: break;
  }
  check_activation_size(a, name);
  return a;
}

void check_layer_tensors(const Layer& layer, bool int8_model, const std::string& name) {
  if (!has_parameters(layer.kind)) {
    if (!layer.weight.shape.empty() || !layer.weight.data.empty() || !layer.bias.shape.empty() ||
        !layer.bias.data.empty() || !layer.weight.quantized.empty()) {
      fail(name + " has a weight or bias tensor; only conv3x3 and linear layers have them");
    }
    if (layer.input_scale != 0.0f) fail(name + " has an input scale; only conv3x3 and linear layers have one");
    return;
  }
  check_input_scale(layer.input_scale, int8_model, name);
  const auto check_tensor = [&](const Tensor& tensor, Role role, uint32_t weight_out, const std::string& what) {
    check_dtype(static_cast<uint8_t>(tensor.dtype), role, int8_model, what);
    check_shape(layer.kind, role, tensor.shape, weight_out, what);
    const bool int8 = tensor.dtype == DType::Qs8;
    const size_t held = int8 ? tensor.quantized.size() : tensor.data.size();
    if (held != tensor.element_count() || (int8 ? !tensor.data.empty() : !tensor.quantized.empty())) {
      fail(what + " has shape " + shape_text(tensor.shape) + " (" + std::to_string(tensor.element_count()) +
           " values) but holds " + std::to_string(held) + " values");
    }
    if (int8) {
      check_int8_tensor(tensor, what);
      return;
    }
    check_finite(tensor.data, what);
    if (tensor.dtype == DType::F16) check_f16_range(tensor.data, what);
  };
  check_tensor(layer.weight, Role::Weight, 0, name + " weight");
  check_tensor(layer.bias, Role::Bias, layer.weight.shape[0], name + " bias");
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

void validate_model(const ModelSpec& spec) {
  check_input(spec.input_height, spec.input_width, spec.input_channels);
  check_normalisation(spec);
  check_labels(spec.labels);
  check_metadata(spec.metadata_json);
  check_range(spec.layers.size(), 1, kMaxLayers, "the layer count");

  const bool int8_model = is_quantized(spec);
  Activation a{.image = true, .height = spec.input_height, .width = spec.input_width, .channels = spec.input_channels};
  check_activation_size(a, "the input");
  for (size_t i = 0; i < spec.layers.size(); ++i) {
    const Layer& layer = spec.layers[i];
    if (!is_known_kind(static_cast<uint8_t>(layer.kind))) {
      fail("layer " + std::to_string(i + 1) + " has unknown kind " + std::to_string(static_cast<int>(layer.kind)));
    }
    const std::string name = layer_name(i, layer.kind);
    check_fused_relu(layer.kind, layer.fused_relu, name);
    check_layer_tensors(layer, int8_model, name);
    a = apply_layer(layer, name, a);
  }
  if (a.image) {
    fail("the last layer outputs " + a.text() + "; the model must end with a vector of class scores");
  }
  if (a.channels != spec.labels.size()) {
    fail("the last layer outputs " + a.text() + " but there are " + std::to_string(spec.labels.size()) +
         " labels; there must be one output per label");
  }
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
