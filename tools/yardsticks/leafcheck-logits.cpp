// leafcheck-logits: writes the fixed input every yardstick classifies (normalised NHWC f32, the
// same random normal values as leafcheck-bench: mt19937 seed 7) and prints the logits our
// Optimized kernels give for it, as JSON, so compare.mjs can check each engine runs the same network.
#include <cstdio>
#include <random>
#include <stdexcept>
#include <string>

#include "command_line.h"
#include "network.h"
#include "yardstick_files.h"

namespace {

const char* kUsage =
    "usage: leafcheck-logits --model FILE.lcm --input-out FILE.f32\n"
    "  Writes the fixed input (raw little-endian f32, NHWC) and prints {\"logits\":[...]} from leafcheck::Network.\n";

int run(int argc, char** argv) {
  const auto args = leafcheck::yardsticks::parse_required_flags(argc, argv, {"--model", "--input-out"}, kUsage);
  const std::string& input_path = args.at("--input-out");
  const leafcheck::ModelSpec spec = leafcheck::yardsticks::read_model_file(args.at("--model"));
  std::mt19937 rng(7);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> input(size_t{spec.input_height} * spec.input_width * spec.input_channels);
  for (float& v : input) v = normal(rng);
  leafcheck::yardsticks::write_floats(input_path, input);

  leafcheck::Network network(spec, leafcheck::KernelSet::Optimized);
  const std::span<const float> logits = network.forward(input);
  std::printf("{\"logits\":[");
  for (size_t i = 0; i < logits.size(); ++i) std::printf("%s%.9g", i ? "," : "", static_cast<double>(logits[i]));
  std::printf("]}\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return leafcheck::yardsticks::report_errors("leafcheck-logits", [&] { return run(argc, argv); });
}
