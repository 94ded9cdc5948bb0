#include "simd_peak.h"

#include <algorithm>
#include <chrono>

#include "kernels/vec.h"

namespace leafcheck::bench {
namespace {

using simd::vf;

// Twelve independent chains of acc = acc * m + a: enough to cover the latency of a multiply then an add
// (or of one FMA, which this file's -ffp-contract=fast lets the compiler use where the target has it,
// as the kernels do), while 12 accumulators and 2 constants fit the 16 vector registers of x86-64 and of
// V8's SIMD128. No loads or stores: the microkernels' ceiling, not the memory system's.
constexpr int kChains = 12;

float chains(long steps, float m, float a) {
  vf acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = simd::splat(0.01f * static_cast<float>(c + 1));
  const vf vm = simd::splat(m);
  const vf va = simd::splat(a);
#pragma GCC unroll 1
  for (long i = 0; i < steps; ++i) {
#pragma GCC unroll 12
    for (int c = 0; c < kChains; ++c) acc[c] = acc[c] * vm + va;
  }
  float sum = 0;
  for (int c = 0; c < kChains; ++c) {
    for (size_t l = 0; l < simd::kLanes; ++l) sum += acc[c][l];
  }
  return sum;
}

}  // namespace

SimdPeak measure_simd_peak() {
  using Clock = std::chrono::steady_clock;
  constexpr long kSteps = 200'000;
  // m and a arrive through a volatile so that the compiler cannot fold the chains; with m < 1 they
  // converge to a / (1 - m), far from denormals and infinities.
  volatile float m = 0.999f;
  volatile float a = 0.001f;
  double best = 0;
  float sink = 0;
  // Rounds for a whole second: a WebAssembly engine runs the first calls on its baseline compiler and
  // swaps in optimised code only for a later call, once its background compile has finished.
  // Called through a volatile pointer: inlined into this function (binaryen inlines whatever clang
  // leaves), the loop would run on the baseline compiler throughout, wasm having no on-stack replacement.
  float (*volatile run)(long, float, float) = chains;
  const auto until = Clock::now() + std::chrono::seconds(1);
  for (int round = 0; round < 10 || Clock::now() < until; ++round) {
    const auto start = Clock::now();
    sink += run(kSteps, m, a);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    best = std::max(best, 2.0 * kChains * simd::kLanes * static_cast<double>(kSteps) / seconds / 1e9);
  }
  volatile float keep = sink;
  (void)keep;
  return {best, static_cast<int>(simd::kLanes)};
}

}  // namespace leafcheck::bench
