#include "yardstick_main.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <vector>

#include "command_line.h"
#include "yardstick_files.h"

namespace leafcheck::yardsticks {
namespace {

struct Options {
  std::string model_path;
  std::string input_path;
  int threads = 1;
  size_t warmup = 10;
  size_t runs = 100;
};

size_t parse_count(const std::string& text, const std::string& flag) {
  char* end = nullptr;
  const unsigned long value = std::strtoul(text.c_str(), &end, 10);
  if (end == text.c_str() || *end != '\0' || value == 0) {
    throw std::invalid_argument(flag + " needs a positive integer, got '" + text + "'");
  }
  return value;
}

std::string usage(const EngineInfo& info) {
  return "usage: yardstick-" + info.engine +
         " --model FILE.lcm --input FILE.f32 [--threads N] [--warmup N] [--runs N]\n"
         "  Times " + info.engine + " on the model (batch 1, " + info.layout +
         ") with leafcheck-bench's protocol (default 10 warm-up + 100 timed runs) and prints one JSON line\n"
         "  with mean/min/p50/p99 ms and the logits for the input (raw NHWC f32, from leafcheck-logits --input-out).\n";
}

Options parse_args(int argc, char** argv, const EngineInfo& info) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--model") {
      o.model_path = value();
    } else if (arg == "--input") {
      o.input_path = value();
    } else if (arg == "--threads") {
      o.threads = static_cast<int>(parse_count(value(), arg));
    } else if (arg == "--warmup") {
      o.warmup = parse_count(value(), arg);
    } else if (arg == "--runs") {
      o.runs = parse_count(value(), arg);
    } else if (arg == "--help" || arg == "-h") {
      std::fputs(usage(info).c_str(), stdout);
      std::exit(0);
    } else {
      throw std::invalid_argument("unknown argument '" + arg + "'\n" + usage(info));
    }
  }
  if (o.model_path.empty() || o.input_path.empty()) {
    throw std::invalid_argument("--model and --input are required\n" + usage(info));
  }
  return o;
}

int run(const Options& o, const EngineInfo& info, const EngineFactory& make_engine) {
  const ModelSpec spec = read_model_file(o.model_path);
  const std::vector<float> input =
      read_floats(o.input_path, size_t{spec.input_height} * spec.input_width * spec.input_channels);
  const std::unique_ptr<Engine> engine = make_engine(spec, o.threads);
  engine->set_input(input);

  for (size_t i = 0; i < o.warmup; ++i) engine->run();
  std::vector<double> ms(o.runs);
  std::span<const float> logits;
  for (size_t i = 0; i < o.runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    logits = engine->run();
    ms[i] = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  }
  double sum = 0;
  for (double v : ms) sum += v;
  std::sort(ms.begin(), ms.end());
  // Nearest-rank percentiles, as leafcheck-bench computes them.
  const auto percentile = [&](double p) {
    const size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(o.runs)));
    return ms[std::clamp<size_t>(rank, 1, o.runs) - 1];
  };

  std::printf("{\"engine\":\"%s\",\"version\":\"%s\",\"target\":\"native\",\"layout\":\"%s\",\"threads\":%d,"
              "\"warmup\":%zu,\"runs\":%zu,\"mean_ms\":%.4f,\"min_ms\":%.4f,\"p50_ms\":%.4f,\"p99_ms\":%.4f,\"logits\":[",
              info.engine.c_str(), info.version.c_str(), info.layout.c_str(), o.threads, o.warmup, o.runs,
              sum / static_cast<double>(o.runs), ms.front(), percentile(50), percentile(99));
  for (size_t i = 0; i < logits.size(); ++i) std::printf("%s%.9g", i ? "," : "", static_cast<double>(logits[i]));
  std::printf("]}\n");
  return 0;
}

}  // namespace

int yardstick_main(int argc, char** argv, const EngineInfo& info, const EngineFactory& make_engine) {
  return report_errors("yardstick-" + info.engine,
                       [&] { return run(parse_args(argc, argv, info), info, make_engine); });
}

}  // namespace leafcheck::yardsticks
