// The integer dot product every int8 kernel is written with: int8 weights (held in int16, widened
// once at packing: cheaper than widening on every load, 6.76 against 6.91 ms per inference in node,
// 2.83 against 3.00 natively) multiplied by a broadcast pair of int16 activations (k, k+1), adjacent
// products summed into int32 lanes. One instruction on every SIMD target: i32x4.dot_i16x8_s
// (SIMD128), pmaddwd (SSE2, AVX2). Each int32 lane holds one output channel, so a weight vector is
// 2 * kLanes values: (channel 0: k, k+1), (channel 1: k, k+1), ...
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(LEAFCHECK_SIMD) && defined(__wasm_simd128__)
#include <wasm_simd128.h>
#elif defined(LEAFCHECK_SIMD) && (defined(__AVX2__) || defined(__SSE2__))
#include <immintrin.h>
#endif

namespace leafcheck::qs8 {

#if defined(LEAFCHECK_SIMD) && defined(__wasm_simd128__)
inline constexpr size_t kLanes = 4;
using vi = v128_t;

inline vi zero() { return wasm_i32x4_splat(0); }
inline vi load_weights(const int16_t* p) { return wasm_v128_load(p); }
inline vi splat_pair(const int16_t* p) { return wasm_v128_load32_splat(p); }
inline vi dot_add(vi acc, vi w, vi x) { return wasm_i32x4_add(acc, wasm_i32x4_dot_i16x8(w, x)); }
#elif defined(LEAFCHECK_SIMD) && defined(__AVX2__)
inline constexpr size_t kLanes = 8;
using vi = __m256i;

inline vi zero() { return _mm256_setzero_si256(); }
inline vi load_weights(const int16_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
inline vi splat_pair(const int16_t* p) {
  int32_t pair;
  std::memcpy(&pair, p, sizeof pair);
  return _mm256_set1_epi32(pair);
}
inline vi dot_add(vi acc, vi w, vi x) { return _mm256_add_epi32(acc, _mm256_madd_epi16(w, x)); }
#elif defined(LEAFCHECK_SIMD) && defined(__SSE2__)
inline constexpr size_t kLanes = 4;
using vi = __m128i;

inline vi zero() { return _mm_setzero_si128(); }
inline vi load_weights(const int16_t* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); }
inline vi splat_pair(const int16_t* p) {
  int32_t pair;
  std::memcpy(&pair, p, sizeof pair);
  return _mm_set1_epi32(pair);
}
inline vi dot_add(vi acc, vi w, vi x) { return _mm_add_epi32(acc, _mm_madd_epi16(w, x)); }
#else
// One lane: plain scalar code (the non-SIMD WebAssembly build, and targets without a path above).
inline constexpr size_t kLanes = 1;
struct Pair {
  int32_t first;
  int32_t second;
};
using vi = int32_t;

inline vi zero() { return 0; }
inline Pair load_weights(const int16_t* p) { return {p[0], p[1]}; }
inline Pair splat_pair(const int16_t* p) { return {p[0], p[1]}; }
inline vi dot_add(vi acc, Pair w, Pair x) { return acc + w.first * x.first + w.second * x.second; }
#endif

// Whether this target has a SIMD path above: without one the int8 kernels are slower than f32 ones.
inline constexpr bool kVectorised = kLanes > 1;

// The int32 lanes as floats for requantization (exact below 2^24 in magnitude, which a 3x3 conv over
// 256 channels of 7-bit values stays under in practice; beyond, rounded like the scalar twin).
using vf = float __attribute__((vector_size(kLanes * sizeof(float))));
using vi32 = int32_t __attribute__((vector_size(kLanes * sizeof(int32_t))));

inline vf to_float(vi acc) {
  vi32 lanes;
  static_assert(sizeof lanes == sizeof acc);
  std::memcpy(&lanes, &acc, sizeof lanes);
  return __builtin_convertvector(lanes, vf);
}

inline vf load_f(const float* p) {
  vf v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Stores the first min(n, kLanes) lanes: whole vectors in one go, the tail of a block lane by lane.
inline void store(float* p, vf v, size_t n) {
  if (n >= kLanes) {
    std::memcpy(p, &v, sizeof v);
  } else {
    for (size_t i = 0; i < n; ++i) p[i] = v[i];
  }
}

// v holds integers within int16 (already rounded and clamped). Whole vectors narrow with the
// target's pack instruction: a generic int16 conversion is lowered lane by lane on WebAssembly.
inline void store(int16_t* p, vf v, size_t n) {
  if (n < kLanes) {
    for (size_t i = 0; i < n; ++i) p[i] = static_cast<int16_t>(v[i]);
    return;
  }
#if defined(LEAFCHECK_SIMD) && defined(__wasm_simd128__)
  const v128_t lanes = wasm_i32x4_trunc_sat_f32x4(reinterpret_cast<v128_t&>(v));
  wasm_v128_store64_lane(p, wasm_i16x8_narrow_i32x4(lanes, lanes), 0);
#elif defined(LEAFCHECK_SIMD) && defined(__AVX2__)
  const __m256i lanes = _mm256_cvttps_epi32(reinterpret_cast<__m256&>(v));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(p),
                   _mm_packs_epi32(_mm256_castsi256_si128(lanes), _mm256_extracti128_si256(lanes, 1)));
#elif defined(LEAFCHECK_SIMD) && defined(__SSE2__)
  const __m128i lanes = _mm_cvttps_epi32(reinterpret_cast<__m128&>(v));
  _mm_storel_epi64(reinterpret_cast<__m128i*>(p), _mm_packs_epi32(lanes, lanes));
#else
  p[0] = static_cast<int16_t>(v[0]);
#endif
}

}  // namespace leafcheck::qs8
