// GEMM tile per target, shared by the direct 3x3 convolution and the Winograd products. AVX2: 6x16
// keeps 12 accumulators + 2 weight vectors + 1 broadcast in the 16 ymm registers (XNNPACK's
// f32-igemm-6x16 shape). SIMD128: engines map v128 to the 16 xmm registers (V8 keeps one as scratch)
// and there is no FMA, so each multiply-add needs a temporary: 2x16 (8 accumulators + 4 weight
// vectors + 1 broadcast + 1 temporary) issues the fewest instructions per multiply-add (one
// v128.load32_splat and its address per 4 of them). Measured in node 20 (CPU ms per inference,
// wasm/README.md): 2x16 11.3, 4x8 11.9, 5x8 14.2, 2x12 13.1, 1x16 14.9, 3x12 24.0; XNNPACK's "splat"
// variant (one v128 load of 4 inputs, then lane shuffles) 16.9 at 4x8 and 17.3 at 2x16. Scalar: 2x4
// (8 accumulators); wasm engines keep f32 locals in xmm registers too, and a 4x4 tile spills
// (measured in node: 2x4 about 1.5x faster than 4x4, 2x2, 1x4, 3x3 or 1x8).
#pragma once

#include <cstddef>

#include "vec.h"

namespace leafcheck::kernels {

#if defined(__AVX2__) && defined(LEAFCHECK_SIMD)
inline constexpr size_t kConvMR = 6;
inline constexpr size_t kConvNV = 2;
#else
inline constexpr size_t kConvMR = 2;
inline constexpr size_t kConvNV = 4;
#endif
inline constexpr size_t kConvNR = kConvNV * simd::kLanes;

// The int8 conv tile (qs8-igemm-minmax.h: int32 lanes, one dot product per multiply-add pair). AVX2
// keeps the f32 shape: 12 accumulators + 2 weight vectors + 1 broadcast. SIMD128: 5x8 (10
// accumulators + 2 weight vectors + 1 splat + 1 temporary). Measured in node 20 (CPU ms per
// inference of model/leafcheck-int8.lcm, min of 60): 5x8 6.9, 4x8 7.3, 2x16 7.8, 3x12 7.8, 6x8 8.2,
// 4x12 8.8, 1x32 9.1.
#if defined(__AVX2__) && defined(LEAFCHECK_SIMD)
inline constexpr size_t kQs8ConvMR = 6;
inline constexpr size_t kQs8ConvNV = 2;
#elif defined(__wasm_simd128__) && defined(LEAFCHECK_SIMD)
inline constexpr size_t kQs8ConvMR = 5;
inline constexpr size_t kQs8ConvNV = 2;
#else
inline constexpr size_t kQs8ConvMR = kConvMR;
inline constexpr size_t kQs8ConvNV = kConvNV;
#endif

// The int8 Winograd products (qs8-gemm.h, whole bands of tiles per call). AVX2: the int8 conv's 6x16,
// where pmaddwd's throughput already bounds it. SIMD128: 2x16 (8 accumulators + 4 weight vectors + 1
// splat + 1 temporary, 2 row pointers); the conv's 5x8 is slowest here. Measured in node 20 (CPU ms per
// inference of model/leafcheck-int8.lcm, min of 60, three rounds): 2x16 3.99-4.10, 4x8 4.11-4.49,
// 3x8 4.26-4.31, 1x16 4.75-4.83, 5x8 5.31-5.51.
#if defined(__AVX2__) && defined(LEAFCHECK_SIMD)
inline constexpr size_t kQs8WinogradMR = kQs8ConvMR;
inline constexpr size_t kQs8WinogradNV = kQs8ConvNV;
#elif defined(__wasm_simd128__) && defined(LEAFCHECK_SIMD)
inline constexpr size_t kQs8WinogradMR = 2;
inline constexpr size_t kQs8WinogradNV = 4;
#else
inline constexpr size_t kQs8WinogradMR = kQs8ConvMR;
inline constexpr size_t kQs8WinogradNV = kQs8ConvNV;
#endif

}  // namespace leafcheck::kernels
