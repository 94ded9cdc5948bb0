// The one vector type the kernels are written with. GCC/clang vector extensions lower it to the
// widest SIMD the build targets: 32-byte AVX2 natively (LEAFCHECK_SIMD + -march=x86-64-v3),
// 16-byte SIMD128 on WebAssembly (-msimd128) or SSE, and a one-lane vector (plain scalar code)
// when LEAFCHECK_SIMD is off, so the non-SIMD WebAssembly build compiles the very same kernels.
#pragma once

#include <cstddef>
#include <cstring>
#include <utility>

namespace leafcheck::simd {

#if defined(LEAFCHECK_SIMD) && defined(__AVX2__)
inline constexpr size_t kLanes = 8;
#elif defined(LEAFCHECK_SIMD) && (defined(__wasm_simd128__) || defined(__SSE2__) || defined(__ARM_NEON))
inline constexpr size_t kLanes = 4;
#else
inline constexpr size_t kLanes = 1;
#endif

using vf = float __attribute__((vector_size(kLanes * sizeof(float))));

// memcpy is how vector extensions spell an unaligned load/store; it compiles to one instruction.
inline vf load(const float* p) {
  vf v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline void store(float* p, vf v) { std::memcpy(p, &v, sizeof v); }

// Built lane by lane rather than as `vf{} + x`, which costs a scalar add (0 + x is not x for -0).
inline vf splat(float x) {
  return [x]<size_t... I>(std::index_sequence<I...>) { return vf{((void)I, x)...}; }
  (std::make_index_sequence<kLanes>{});
}

inline vf max(vf a, vf b) { return a > b ? a : b; }
inline vf min(vf a, vf b) { return a < b ? a : b; }
inline vf clamp(vf v, vf lo, vf hi) { return min(max(v, lo), hi); }

// Stores the first n (< kLanes) lanes: the tail of a row whose length is not a multiple of kLanes.
inline void store_partial(float* p, vf v, size_t n) {
  for (size_t i = 0; i < n; ++i) p[i] = v[i];
}

inline vf load_partial(const float* p, size_t n) {
  vf v{};
  for (size_t i = 0; i < n; ++i) v[i] = p[i];
  return v;
}

}  // namespace leafcheck::simd
