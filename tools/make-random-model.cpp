// make-random-model: writes the seed architecture with deterministic random weights as a model
// file (model/FORMAT.md), for tests and benchmarks until a trained model exists. Its metadata
// says "trained": false; never ship or present it as a trained model.
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <algorithm>
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
// Logit margin between consecutive --favour labels. The random weights alone spread the logits of
// one photo over about 14 (measured on the 80 photos of the CLI tests), so 30 ranks the favoured
// labels first, second, ... in the order given for any photo; the engine's softmax is in double, so
// even the fourth keeps a non-zero probability (CTest make_random_model_favour checks the order).
constexpr float kFavourStep = 30.0f;

const char* kUsage =
    "usage: make-random-model --out FILE [--seed N] [--classes N | --labels-from-folders DIR | --labels FILE]\n"
    "                         [--favour LABEL]...\n"
    "  Writes the seed architecture (conv 32/64/128/256, 128x128 RGB input) with random weights.\n"
    "  The model is UNTRAINED: its predictions are meaningless. Same seed, same bytes.\n"
    "  --out FILE                 where to write the model (.lcm)\n"
    "  --seed N                   random seed, default 42\n"
    "  --classes N                the first N of the 38 PlantVillage labels (default: all 38)\n"
    "  --labels-from-folders DIR  one label per class folder of DIR (<DIR>/<class name>/), sorted\n"
    "  --labels FILE              the labels in FILE, one a line, in that order (blank lines skipped)\n"
    "  --favour LABEL             make LABEL the top prediction for every photo (final-layer bias);\n"
    "                             repeat it to fix the order of the top few (tests of the app)\n"
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
  std::optional<std::filesystem::path> labels_file;
  std::vector<std::string> favour;
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
    } else if (arg == "--labels") {
      options.labels_file = std::filesystem::path(value());
    } else if (arg == "--favour") {
      options.favour.emplace_back(value());
    } else {
      throw UsageError("unknown option '" + std::string(arg) + "'");
    }
  }
  if (options.out.empty()) throw UsageError("--out FILE is required");
  if (static_cast<int>(options.classes.has_value()) + static_cast<int>(options.labels_folder.has_value()) +
          static_cast<int>(options.labels_file.has_value()) >
      1) {
    throw UsageError("--classes, --labels-from-folders and --labels each choose the labels; give only one");
  }
  return options;
}

std::vector<std::string> read_labels_file(const std::filesystem::path& path) {
  std::vector<uint8_t> bytes;
  try {
    bytes = leafcheck::read_file(path);
  } catch (const std::exception& e) {
    throw UsageError("--labels " + path.string() + ": " + e.what());
  }
  std::vector<std::string> labels;
  std::string line;
  for (size_t i = 0; i <= bytes.size(); ++i) {
    if (i < bytes.size() && bytes[i] != '\n') {
      line.push_back(static_cast<char>(bytes[i]));
      continue;
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();  // a file saved on Windows
    if (!line.empty()) labels.push_back(line);
    line.clear();
  }
  if (labels.empty()) throw UsageError("--labels " + path.string() + " holds no labels");
  return labels;
}

std::vector<std::string> choose_labels(const Options& options) {
  const auto& plantvillage = leafcheck::plantvillage_labels();
  if (options.labels_folder) return leafcheck::scan_dataset(*options.labels_folder).classes;
  if (options.labels_file) return read_labels_file(*options.labels_file);
  const size_t count = options.classes.value_or(plantvillage.size());
  return {plantvillage.begin(), plantvillage.begin() + static_cast<std::ptrdiff_t>(count)};
}

// The first favoured label gets the largest bias, the next kFavourStep less, and so on.
void favour_labels(leafcheck::ModelSpec& spec, const std::vector<std::string>& favoured) {
  std::vector<float>& bias = spec.layers.back().bias.data;
  for (size_t rank = 0; rank < favoured.size(); ++rank) {
    const auto found = std::find(spec.labels.begin(), spec.labels.end(), favoured[rank]);
    if (found == spec.labels.end()) throw UsageError("--favour " + favoured[rank] + ": the model has no such label");
    if (std::find(favoured.begin(), favoured.begin() + static_cast<std::ptrdiff_t>(rank), favoured[rank]) !=
        favoured.begin() + static_cast<std::ptrdiff_t>(rank)) {
      throw UsageError("--favour " + favoured[rank] + " is given twice");
    }
    bias[static_cast<size_t>(found - spec.labels.begin())] += kFavourStep * static_cast<float>(favoured.size() - rank);
  }
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options options = parse_options(argc, argv);
    if (options.help) {
      std::fputs(kUsage, stdout);
      return 0;
    }
    leafcheck::ModelSpec spec = leafcheck::make_random_model(choose_labels(options), options.seed);
    favour_labels(spec, options.favour);
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
