// The arithmetic the int8 kernels and their scalar twins share, so both round the same way:
// activations are quantized symmetrically per tensor, q = round(x / scale) clamped to -127..127
// (int8 values, held in int16 so a kernel broadcasts a (k, k+1) pair with one 32-bit load);
// an int32 accumulator becomes acc * multiplier + bias, in the next layer's quantized units
// (round to nearest even, clamped) or as a float when no int8 layer reads it next.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace leafcheck::qs8 {

inline constexpr float kQMax = 127.0f;

inline int16_t quantize(float x, float inverse_scale) {
  return static_cast<int16_t>(std::nearbyint(std::clamp(x * inverse_scale, -kQMax, kQMax)));
}

// out_scale 0: the output stays a float (dequantized).
inline float output_multiplier(float input_scale, float weight_scale, float out_scale) {
  return out_scale > 0.0f ? input_scale * weight_scale / out_scale : input_scale * weight_scale;
}

inline float output_bias(float bias, float out_scale) { return out_scale > 0.0f ? bias / out_scale : bias; }

// Clamp bounds in output units: ReLU clamps at 0; a quantized output also at +-127.
inline float output_min(bool relu, float out_scale) {
  if (relu) return 0.0f;
  return out_scale > 0.0f ? -kQMax : -HUGE_VALF;
}
inline float output_max(float out_scale) { return out_scale > 0.0f ? kQMax : HUGE_VALF; }

}  // namespace leafcheck::qs8
