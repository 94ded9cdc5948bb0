#include "layer_profile.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

namespace leafcheck::bench {

void print_layer_profile(Network& network, std::span<const float> input, size_t warmup, size_t runs,
                         const SimdPeak& peak) {
  for (size_t i = 0; i < warmup; ++i) network.forward(input);
  std::vector<StepTime> steps;
  std::vector<std::vector<double>> ms;
  for (size_t r = 0; r < runs; ++r) {
    steps = network.profile(input);
    ms.resize(steps.size());
    for (size_t i = 0; i < steps.size(); ++i) ms[i].push_back(steps[i].ms);
  }
  // Medians: a step of a few microseconds is easily hit by a timer tick or another process.
  double total = 0;
  for (size_t i = 0; i < steps.size(); ++i) {
    std::sort(ms[i].begin(), ms[i].end());
    steps[i].ms = ms[i][ms[i].size() / 2];
    total += steps[i].ms;
  }
  std::printf("\nper step, median of %zu runs (threads: %zu; %s kernels)\n", runs, network.threads(),
              network.int8() ? "int8" : "f32");
  std::printf("measured SIMD peak of this build: %.1f GFLOP/s (%d-lane f32 multiply-adds on one thread, no loads)\n",
              peak.gflops, peak.lanes);
  std::printf("%-72s %9s %7s %9s %8s\n", "step", "ms", "share", "GFLOP/s", "of peak");
  for (const StepTime& s : steps) {
    if (s.flops > 0) {
      const double gflops = s.flops / (s.ms * 1e6);
      std::printf("%-72s %9.3f %6.1f%% %9.2f %7.1f%%\n", s.what.c_str(), s.ms, 100.0 * s.ms / total, gflops,
                  100.0 * gflops / peak.gflops);
    } else {
      std::printf("%-72s %9.3f %6.1f%% %9s %8s\n", s.what.c_str(), s.ms, 100.0 * s.ms / total, "-", "-");
    }
  }
  std::printf("%-72s %9.3f\n", "sum of the medians", total);
  std::printf(
      "GFLOP/s count the direct algorithm's multiply-adds (2 x 9 x Cin x Cout per pixel), so a Winograd\n"
      "F(2x2,3x3) step, which does 2.25x fewer, can pass 100%% of the peak; int8 steps are set against the\n"
      "f32 peak too. With threads, the peak is still one thread's.\n");
}

}  // namespace leafcheck::bench
