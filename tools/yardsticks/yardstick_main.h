// The frame every native yardstick runs in: its command line, the model and fixed input files,
// leafcheck-bench's protocol (batch 1, 10 warm-up then 100 timed runs, nearest-rank p50/p99) and
// one line of JSON for compare.mjs, logits included so it can check the engines agree.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>

#include "model.h"

namespace leafcheck::yardsticks {

// One inference engine holding one model, built once before timing.
class Engine {
 public:
  virtual ~Engine() = default;
  // nhwc: normalised input as leafcheck::Network takes it; the engine converts it to its own layout here,
  // outside the timed runs.
  virtual void set_input(std::span<const float> nhwc) = 0;
  // The timed call: one forward pass. The logits stay valid until the next call.
  virtual std::span<const float> run() = 0;
};

struct EngineInfo {
  std::string engine;   // e.g. "xnnpack"
  std::string version;  // of the library, as far as it tells
  std::string layout;   // the activation layout the engine runs in: "NHWC" or "NCHW"
};

using EngineFactory = std::function<std::unique_ptr<Engine>(const ModelSpec& spec, int threads)>;

int yardstick_main(int argc, char** argv, const EngineInfo& info, const EngineFactory& make_engine);

}  // namespace leafcheck::yardsticks
