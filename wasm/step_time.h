// Network::profile's record of one step, and what Network and Qs8Network share to build it.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace leafcheck {

struct StepTime {
  std::string what;  // e.g. "conv3x3 32->64 at 64x64 + ReLU + max-pool (Winograd)": F(2x2,3x3)
  double flops = 0;  // 2 x the multiply-adds of the direct algorithm; 0 for pooling and ReLU
  double ms = 0;
};

// how: the kernel and what is fused into it, e.g. " + max-pool (direct)".
inline StepTime conv3x3_step(size_t height, size_t width, size_t in_channels, size_t out_channels, bool relu,
                             const std::string& how) {
  return {"conv3x3 " + std::to_string(in_channels) + "->" + std::to_string(out_channels) + " at " +
              std::to_string(height) + "x" + std::to_string(width) + (relu ? " + ReLU" : "") + how,
          2.0 * 9 * static_cast<double>(height * width) * static_cast<double>(in_channels * out_channels)};
}

inline StepTime linear_step(size_t inputs, size_t outputs, bool relu) {
  return {"linear " + std::to_string(inputs) + "->" + std::to_string(outputs) + (relu ? " + ReLU" : ""),
          2.0 * static_cast<double>(inputs * outputs)};
}

// Runs each step, timed on a steady clock: describe(step) -> StepTime, run(step).
template <typename Steps, typename Describe, typename Run>
std::vector<StepTime> time_steps(const Steps& steps, Describe&& describe, Run&& run) {
  using Clock = std::chrono::steady_clock;
  std::vector<StepTime> times;
  for (const auto& s : steps) {
    StepTime t = describe(s);
    const auto start = Clock::now();
    run(s);
    t.ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    times.push_back(std::move(t));
  }
  return times;
}

}  // namespace leafcheck
