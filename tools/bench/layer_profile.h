// leafcheck-bench --layers: each step of the forward pass timed over the protocol's runs, with its
// share of the time and its GFLOP/s as a fraction of the build's measured SIMD peak.
#pragma once

#include <cstddef>
#include <span>

#include "network.h"
#include "simd_peak.h"

namespace leafcheck::bench {

void print_layer_profile(Network& network, std::span<const float> input, size_t warmup, size_t runs,
                         const SimdPeak& peak);

}  // namespace leafcheck::bench
