// The rules of model/FORMAT.md that the reader checks as it reads and validate_model checks on a
// ModelSpec built in memory: limits, allowed dtypes, ranks and shapes, and their messages.
#pragma once

#include "model.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace leafcheck::model_rules {

inline constexpr uint32_t kMaxInputSize = 4096;
inline constexpr uint32_t kMaxChannels = 4096;  // input channels and every conv/linear in/out size
inline constexpr uint32_t kMaxLabels = 4096;
inline constexpr uint32_t kMaxLabelBytes = 256;
inline constexpr uint32_t kMaxMetadataBytes = 64 * 1024;
inline constexpr uint32_t kMaxLayers = 256;
// Bounds the activation buffers a reader allocates from the shapes in the file (256 MiB of f32).
inline constexpr uint64_t kMaxActivationValues = uint64_t{1} << 26;

enum class Role { Weight, Bias };

// Throws ModelError("invalid model: " + message).
[[noreturn]] void fail(const std::string& message);
void check_range(uint64_t value, uint64_t low, uint64_t high, const std::string& what);

bool is_known_kind(uint8_t kind);
bool has_parameters(LayerKind kind);
// "layer 3 (conv3x3)": how messages name a layer.
std::string layer_name(size_t index, LayerKind kind);
std::string shape_text(std::span<const uint32_t> shape);

void check_input(uint32_t height, uint32_t width, uint32_t channels);
// In a version 2 (int8) model every weight is int8 and every bias f32 or f16; version 1 has no int8.
void check_dtype(uint8_t dtype, Role role, bool int8_model, const std::string& what);
void check_input_scale(float scale, bool int8_model, const std::string& what);
void check_rank(LayerKind kind, Role role, size_t rank, const std::string& what);
// weight_out: the weight's first dimension, which a bias must match (unused for weights).
void check_shape(LayerKind kind, Role role, std::span<const uint32_t> shape, uint32_t weight_out,
                 const std::string& what);
void check_fused_relu(LayerKind kind, uint8_t fused_relu, const std::string& what);

}  // namespace leafcheck::model_rules
