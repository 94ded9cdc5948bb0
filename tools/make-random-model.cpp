// make-random-model: writes the seed architecture with deterministic random weights as a model
// file (model/FORMAT.md), for tests and benchmarks until a trained model exists. Its metadata
// says "trained": false; never ship or present it as a trained model.
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "dataset.h"
#include "file_io.h"
#include "model.h"
#include "plantvillage.h"
#include "random_model.h"

namespace {

constexpr uint64_t kDefaultSeed = 42;  // the same model leafcheck-bench builds in memory by default

const char* kUsage =
    "usage: make-random-model --out FILE [--seed N] [--classes N | --labels-from-folders DIR]\n"
    "  Writes the seed architecture (conv 32/64/128/256, 128x128 RGB input) with random weights.\n"
    "  The model is UNTRAINED: its predictions are meaningless. Same seed, same bytes.\n"
    "  --out FILE                 where to write the model (.lcm)\n"
    "  --seed N                   random seed, default 42\n"
    "  --classes N                the first N of the 38 PlantVillage labels (default: all 38)\n"
    "  --labels-from-folders DIR  one label per class folder of DIR (<DIR>/<class name>/), sorted\n"
    "  --help                     this text\n";

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Options {
  std::string out;
  uint64_t seed = kDefaultSeed;
  std::optional<size_t> classes;
  std::optional<std::filesystem::path> labels_folder;
  bool help = false;
};

uint64_t parse_number(std::string_view option, std::string_view text) {
  uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    throw UsageError(std::string(option) + " needs a non-negative whole number, not '" + std::string(text) + "'");
  }
  return value;
}

Options parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const auto value = [&]() -> std::string_view {
      if (i + 1 >= argc) throw UsageError(std::string(arg) + " needs a value");
      return argv[++i];
    };
    if (arg == "--help" || arg == "-h") {
      options.help = true;
      return options;
    } else if (arg == "--out") {
      options.out = value();
    } else if (arg == "--seed") {
      options.seed = parse_number(arg, value());
    } else if (arg == "--classes") {
      const size_t available = leafcheck::plantvillage_labels().size();
      const uint64_t classes = parse_number(arg, value());
      if (classes < 1 || classes > available) {
        throw UsageError("--classes must be 1.." + std::to_string(available) + " (the PlantVillage labels), not " +
                         std::to_string(classes));
      }
      options.classes = static_cast<size_t>(classes);
    } else if (arg == "--labels-from-folders") {
      options.labels_folder = std::filesystem::path(value());
    } else {
      throw UsageError("unknown option '" + std::string(arg) + "'");
    }
  }
  if (options.out.empty()) throw UsageError("--out FILE is required");
  if (options.classes && options.labels_folder) {
    throw UsageError("--classes and --labels-from-folders choose the labels in two ways; give only one");
  }
  return options;
}

std::vector<std::string> choose_labels(const Options& options) {
  const auto& plantvillage = leafcheck::plantvillage_labels();
  if (options.labels_folder) return leafcheck::scan_dataset(*options.labels_folder).classes;
  const size_t count = options.classes.value_or(plantvillage.size());
  return {plantvillage.begin(), plantvillage.begin() + static_cast<std::ptrdiff_t>(count)};
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options options = parse_options(argc, argv);
    if (options.help) {
      std::fputs(kUsage, stdout);
      return 0;
    }
    const leafcheck::ModelSpec spec = leafcheck::make_random_model(choose_labels(options), options.seed);
    const std::vector<uint8_t> bytes = leafcheck::serialize_model(spec);
    leafcheck::write_file_atomically(options.out, bytes);
    std::printf("wrote %s: %zu bytes, %zu layers, %zu labels, random weights (seed %llu), UNTRAINED\n",
                options.out.c_str(), bytes.size(), spec.layers.size(), spec.labels.size(),
                static_cast<unsigned long long>(options.seed));
    return 0;
  } catch (const UsageError& e) {
    std::fprintf(stderr, "make-random-model: %s\n%s", e.what(), kUsage);
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make-random-model: %s\n", e.what());
    return 1;
  }
}
