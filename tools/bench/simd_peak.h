// The machine's f32 multiply-add rate as this build's vector code reaches it, the ceiling that
// leafcheck-bench --layers sets each layer's GFLOP/s against.
#pragma once

namespace leafcheck::bench {

struct SimdPeak {
  double gflops = 0;  // best of several timed rounds
  int lanes = 0;      // floats per vector in this build
};

SimdPeak measure_simd_peak();

}  // namespace leafcheck::bench
