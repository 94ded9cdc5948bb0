// leafcheck-bench: the original protocol — batch 1, the model's input size, 10 warm-up then 100
// timed forward passes — for the Optimized and the Reference kernels. Prints mean, p50, p99 (ms),
// FPS and GFLOP/s; asserts nothing about time. Builds natively and with Emscripten (run in node).
// Also prints the first (cold) run, which in a WebAssembly engine partly runs baseline code, and the
// CPU time per run: on a shared machine wall time includes time given to other processes.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#else
#include <time.h>
#endif

#include "bench/layer_profile.h"
#include "bench/simd_peak.h"
#include "file_io.h"
#include "model.h"
#include "network.h"
#include "plantvillage.h"
#include "random_model.h"

namespace {

using leafcheck::KernelSet;
using leafcheck::LayerKind;
using leafcheck::ModelSpec;

struct Options {
  std::string model_path;  // empty: the seed architecture with random weights
  bool json = false;
  bool reference = true;
  size_t warmup = 10;
  size_t runs = 100;
  size_t reference_warmup = 1;
  size_t reference_runs = 5;
  size_t threads = 1;  // the optimized kernels' thread count; the reference is single-threaded
  bool layers = false;
};

struct Result {
  std::string kernels;
  size_t warmup = 0;
  size_t runs = 0;
  double mean_ms = 0;
  double min_ms = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double cold_ms = 0;  // the first forward pass after construction
  double cpu_min_ms = 0;
  double cpu_p50_ms = 0;
  double fps = 0;
  double gflops = 0;
  double max_abs_diff = 0;  // against the Reference logits; 0 for the Reference itself
};

const char* kUsage =
    "usage: leafcheck-bench [--model FILE] [--json] [--no-reference] [--runs N] [--reference-runs N] [--threads N]\n"
    "                       [--layers]\n"
    "  Default model: the seed architecture (conv 32/64/128/256, 38 PlantVillage labels) with\n"
    "  random weights (make_random_model, seed 42). Protocol: batch 1, 10 warm-up + 100 timed runs;\n"
    "  the scalar Reference kernels run 1 warm-up + 5 timed runs because they are slow.\n"
    "  --layers: also each step of the optimized forward pass (median ms, share, GFLOP/s) against this\n"
    "  build's measured SIMD peak (not with --json).\n";

size_t parse_count(const char* text, const char* flag) {
  char* end = nullptr;
  const unsigned long value = std::strtoul(text, &end, 10);
  if (end == text || *end != '\0' || value == 0) {
    throw std::invalid_argument(std::string(flag) + " needs a positive integer, got '" + text + "'");
  }
  return value;
}

Options parse_args(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&](const char* flag) {
      if (i + 1 >= argc) throw std::invalid_argument(std::string(flag) + " needs a value");
      return argv[++i];
    };
    if (arg == "--model") {
      o.model_path = value("--model");
    } else if (arg == "--json") {
      o.json = true;
    } else if (arg == "--layers") {
      o.layers = true;
    } else if (arg == "--no-reference") {
      o.reference = false;
    } else if (arg == "--runs") {
      o.runs = parse_count(value("--runs"), "--runs");
    } else if (arg == "--threads") {
      o.threads = parse_count(value("--threads"), "--threads");
    } else if (arg == "--reference-runs") {
      o.reference_runs = parse_count(value("--reference-runs"), "--reference-runs");
    } else if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else {
      throw std::invalid_argument("unknown argument '" + arg + "'\n" + kUsage);
    }
  }
  return o;
}

#ifdef __EMSCRIPTEN__
// The process's CPU time (the benchmark runs in node; V8's compile threads are idle after warm-up).
EM_JS(double, cpu_time_ms, (), {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
});
#else
// The whole process's CPU time, so that --threads N counts the pool's threads too.
double cpu_time_ms() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) * 1e-6;
}
#endif

ModelSpec load_model(const std::string& path) {
  try {
    return leafcheck::parse_model(leafcheck::read_file(path));
  } catch (const std::runtime_error& e) {
    throw std::runtime_error("model file '" + path + "': " + e.what());
  }
}

// 2 x multiply-adds of the convolutions and linear layers; pooling and ReLU are not counted.
double model_flops(const ModelSpec& spec) {
  double flops = 0;
  double h = spec.input_height;
  double w = spec.input_width;
  for (const auto& layer : spec.layers) {
    if (layer.kind == LayerKind::Conv3x3) {
      flops += 2.0 * h * w * layer.weight.shape[0] * layer.weight.shape[1] * 9;
    } else if (layer.kind == LayerKind::MaxPool2x2) {
      h = std::floor(h / 2);
      w = std::floor(w / 2);
    } else if (layer.kind == LayerKind::Linear) {
      flops += 2.0 * layer.weight.shape[0] * layer.weight.shape[1];
    }
  }
  return flops;
}

Result measure(const ModelSpec& spec, KernelSet kernels, size_t threads, const std::vector<float>& input, size_t warmup,
               size_t runs, double flops, std::vector<float>& logits) {
  using Clock = std::chrono::steady_clock;
  const auto elapsed_ms = [](Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  };
  leafcheck::Network network(spec, kernels, threads);
  const auto cold_start = Clock::now();
  network.forward(input);
  const double cold_ms = elapsed_ms(cold_start);
  for (size_t i = 1; i < warmup; ++i) network.forward(input);
  std::vector<double> ms(runs);
  std::vector<double> cpu_ms(runs);
  std::span<const float> out;
  for (size_t i = 0; i < runs; ++i) {
    const double cpu_start = cpu_time_ms();
    const auto start = Clock::now();
    out = network.forward(input);
    ms[i] = elapsed_ms(start);
    cpu_ms[i] = cpu_time_ms() - cpu_start;
  }
  logits.assign(out.begin(), out.end());
  Result r;
  r.kernels = kernels == KernelSet::Optimized ? "optimized" : "reference";
  r.warmup = warmup;
  r.runs = runs;
  double sum = 0;
  for (double v : ms) sum += v;
  r.mean_ms = sum / static_cast<double>(runs);
  std::sort(ms.begin(), ms.end());
  std::sort(cpu_ms.begin(), cpu_ms.end());
  // Nearest-rank percentiles of a sorted vector.
  const auto percentile = [&](const std::vector<double>& sorted, double p) {
    const size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(runs)));
    return sorted[std::clamp<size_t>(rank, 1, runs) - 1];
  };
  r.min_ms = ms.front();
  r.p50_ms = percentile(ms, 50);
  r.p99_ms = percentile(ms, 99);
  r.cold_ms = cold_ms;
  r.cpu_min_ms = cpu_ms.front();
  r.cpu_p50_ms = percentile(cpu_ms, 50);
  r.fps = 1000.0 / r.mean_ms;
  r.gflops = flops / (r.mean_ms * 1e6);
  return r;
}

const char* build_name() {
#if defined(__EMSCRIPTEN__) && defined(LEAFCHECK_SIMD)
  return "wasm-simd128";
#elif defined(__EMSCRIPTEN__)
  return "wasm-nosimd";
#elif defined(LEAFCHECK_SIMD) && defined(__AVX2__)
  return "native-avx2-fma";
#elif defined(LEAFCHECK_SIMD)
  return "native-simd";
#else
  return "native-nosimd";
#endif
}

std::string json_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

void print_json(const std::string& model, const ModelSpec& spec, double flops, size_t threads,
                const std::vector<Result>& results) {
  std::printf(
      "{\"build\":\"%s\",\"model\":\"%s\",\"input\":[1,%u,%u,%u],\"gflop_per_image\":%.6f,\"threads\":%zu,"
      "\"results\":[",
      build_name(), json_escape(model).c_str(), spec.input_height, spec.input_width, spec.input_channels, flops / 1e9,
      threads);
  for (size_t i = 0; i < results.size(); ++i) {
    const Result& r = results[i];
    std::printf(
        "%s{\"kernels\":\"%s\",\"warmup\":%zu,\"runs\":%zu,\"mean_ms\":%.4f,\"min_ms\":%.4f,\"p50_ms\":%.4f,\"p99_ms\":"
        "%.4f,"
        "\"cold_ms\":%.4f,\"cpu_min_ms\":%.4f,\"cpu_p50_ms\":%.4f,"
        "\"fps\":%.2f,\"gflops\":%.3f,\"max_abs_diff_vs_reference\":%.3g}",
        i == 0 ? "" : ",", r.kernels.c_str(), r.warmup, r.runs, r.mean_ms, r.min_ms, r.p50_ms, r.p99_ms, r.cold_ms,
        r.cpu_min_ms, r.cpu_p50_ms, r.fps, r.gflops, r.max_abs_diff);
  }
  std::printf("]}\n");
}

void print_table(const std::string& model, const ModelSpec& spec, double flops, size_t threads,
                 const std::vector<Result>& results) {
  std::printf("leafcheck-bench  build: %s  threads: %zu (optimized kernels)\n", build_name(), threads);
  std::printf("model: %s\n", model.c_str());
  std::printf("input: 1x%ux%ux%u NHWC, %.4f GFLOP per image (2 x MACs of convs and linears)\n", spec.input_height,
              spec.input_width, spec.input_channels, flops / 1e9);
  std::printf("%-10s %8s %6s %9s %9s %9s %9s %9s %9s %9s %8s %8s %11s\n", "kernels", "warm-up", "runs", "mean ms",
              "min ms", "p50 ms", "p99 ms", "cold ms", "cpu min", "cpu p50", "FPS", "GFLOP/s", "max|d| ref");
  for (const Result& r : results) {
    std::printf("%-10s %8zu %6zu %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f %8.1f %8.2f %11.3g\n", r.kernels.c_str(),
                r.warmup, r.runs, r.mean_ms, r.min_ms, r.p50_ms, r.p99_ms, r.cold_ms, r.cpu_min_ms, r.cpu_p50_ms, r.fps,
                r.gflops, r.max_abs_diff);
  }
  for (const Result& r : results) {
    if (r.kernels == "reference") {
      std::printf("note: the scalar reference ran %zu warm-up + %zu timed runs (fewer than the protocol: slow).\n",
                  r.warmup, r.runs);
    }
  }
  std::printf(
      "FPS and GFLOP/s are from the mean. cold ms: the first run (the first warm-up). cpu: CPU time per timed run.\n"
      "Timings only; nothing is asserted.\n");
}

int run(const Options& o) {
  const ModelSpec spec = o.model_path.empty() ? leafcheck::make_random_model(leafcheck::plantvillage_labels(), 42)
                                              : load_model(o.model_path);
  const std::string model = o.model_path.empty()
                                ? "seed architecture, random weights (make_random_model seed 42, 38 labels; untrained)"
                                : o.model_path;
  const double flops = model_flops(spec);

  std::mt19937 rng(7);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> input(size_t{spec.input_height} * spec.input_width * spec.input_channels);
  for (float& v : input) v = normal(rng);

  std::vector<Result> results;
  std::vector<float> optimized_logits;
  results.push_back(measure(spec, KernelSet::Optimized, o.threads, input, o.warmup, o.runs, flops, optimized_logits));
  if (o.reference) {
    std::vector<float> reference_logits;
    results.push_back(
        measure(spec, KernelSet::Reference, 1, input, o.reference_warmup, o.reference_runs, flops, reference_logits));
    double diff = 0;
    for (size_t i = 0; i < reference_logits.size(); ++i) {
      diff = std::max(diff, static_cast<double>(std::fabs(optimized_logits[i] - reference_logits[i])));
    }
    results.front().max_abs_diff = diff;
  }
  if (o.json) {
    print_json(model, spec, flops, o.threads, results);
  } else {
    print_table(model, spec, flops, o.threads, results);
    if (o.layers) {
      const leafcheck::bench::SimdPeak peak = leafcheck::bench::measure_simd_peak();
      leafcheck::Network network(spec, KernelSet::Optimized, o.threads);
      leafcheck::bench::print_layer_profile(network, input, o.warmup, o.runs, peak);
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parse_args(argc, argv));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "leafcheck-bench: %s\n", e.what());
    return 1;
  }
}
