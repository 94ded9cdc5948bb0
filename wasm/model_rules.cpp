#include "model_rules.h"

#include <cmath>
#include <cstdio>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace leafcheck {
namespace model_rules {
namespace {

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

std::string number_text(float value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", static_cast<double>(value));
  return text;
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

std::string_view expected_shape(LayerKind kind, Role role) {
  if (role == Role::Bias) return "[out]";
  return kind == LayerKind::Conv3x3 ? "[out, in, 3, 3]" : "[out, in]";
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

}  // namespace

bool is_known_kind(uint8_t kind) {
  return kind >= static_cast<uint8_t>(LayerKind::Conv3x3) && kind <= static_cast<uint8_t>(LayerKind::Relu);
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

[[noreturn]] void fail(const std::string& message) { throw ModelError("invalid model: " + message); }

void check_range(uint64_t value, uint64_t low, uint64_t high, const std::string& what) {
  if (value < low || value > high) {
    fail(what + " is " + std::to_string(value) + "; it must be " + std::to_string(low) + ".." + std::to_string(high));
  }
}

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

void check_input_scale(float scale, bool int8_model, const std::string& what) {
  if (!int8_model) {
    if (scale != 0.0f) fail(what + " has an input scale, which only int8 models (format version 2) have");
    return;
  }
  if (!std::isfinite(scale) || !(scale > 0.0f)) {
    fail(what + " input scale is " + number_text(scale) + "; it must be finite and greater than 0");
  }
}

void check_rank(LayerKind kind, Role role, size_t rank, const std::string& what) {
  const size_t expected = role == Role::Bias ? 1 : kind == LayerKind::Conv3x3 ? 4 : 2;
  if (rank != expected) {
    fail(what + " has rank " + std::to_string(rank) + "; it must have rank " + std::to_string(expected) + ", " +
         std::string(expected_shape(kind, role)));
  }
}

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

void check_input(uint32_t height, uint32_t width, uint32_t channels) {
  check_range(height, 1, kMaxInputSize, "the input height");
  check_range(width, 1, kMaxInputSize, "the input width");
  check_range(channels, 1, kMaxChannels, "the input channel count");
}

}  // namespace model_rules

using namespace model_rules;

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

}  // namespace leafcheck
