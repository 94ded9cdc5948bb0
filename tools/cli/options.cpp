#include "options.h"

#include <string>

namespace leafcheck::cli {

const char* const kUsage = R"(usage: leafcheck-cli --model FILE [options] PATH...

Classifies JPEG/PNG photos. PATH is an image file or a folder (searched recursively
for .jpg, .jpeg and .png files).

options:
  --model FILE            Leafcheck model file (required)
  --top K                 predictions to print per image (default 3)
  --threads N             threads the network runs on (default 1); an int8 model
                          runs on its int8 kernels at any thread count where the
                          build has SIMD (the output says which arithmetic ran)
  --json                  print one JSON document instead of text
  --labels-from-folders   the parent folder of each image is its true class
                          (PlantVillage layout); prints top-1/top-3 accuracy,
                          macro-F1, per-class accuracy and the most confused pairs
  --split NAME            with --labels-from-folders: PATHs are dataset roots
                          (<root>/<class>/*.jpg) and only the train, validation
                          or test split is evaluated (the split training uses);
                          field-test: PATHs hold field crops, and only those
                          training measured on (split by photo) are evaluated
  --summary-only          with --labels-from-folders: no per-image lines
  -h, --help              this text

exit status: 0 all images classified, 1 some images failed or none found,
2 bad usage, model or dataset folder.
)";

namespace {

int parse_positive(const std::string& text, const char* option) {
  size_t used = 0;
  int value = 0;
  try {
    value = std::stoi(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || value < 1) throw UsageError(std::string(option) + " needs a positive whole number, not '" + text + "'");
  return value;
}

}  // namespace

Options parse_options(int argc, char** argv) {
  Options options;
  bool only_paths = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (only_paths || arg.empty() || arg[0] != '-' || arg == "-") {
      options.paths.emplace_back(arg);
      continue;
    }
    if (arg == "--") {
      only_paths = true;
      continue;
    }
    std::optional<std::string> inline_value;
    if (const size_t eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      inline_value = arg.substr(eq + 1);
      arg.resize(eq);
    }
    auto value = [&]() -> std::string {
      if (inline_value) return *inline_value;
      if (i + 1 >= argc) throw UsageError(arg + " needs a value");
      return argv[++i];
    };
    auto no_value = [&] {
      if (inline_value) throw UsageError(arg + " takes no value");
    };
    if (arg == "--model") options.model = value();
    else if (arg == "--top") options.top = parse_positive(value(), "--top");
    else if (arg == "--threads") options.threads = parse_positive(value(), "--threads");
    else if (arg == "--split") {
      const std::string name = value();
      const std::optional<Split> lab = parse_split(name);
      if (!lab && name != "field-test") {
        throw UsageError("--split must be train, validation, test or field-test, not '" + name + "'");
      }
      options.split = SplitChoice{lab};
    } else if (arg == "--json") no_value(), options.json = true;
    else if (arg == "--labels-from-folders") no_value(), options.labels_from_folders = true;
    else if (arg == "--summary-only") no_value(), options.summary_only = true;
    else if (arg == "-h" || arg == "--help") throw UsageError("");
    else throw UsageError("unknown option " + arg);
  }
  if (options.model.empty()) throw UsageError("--model FILE is required");
  if (options.paths.empty()) throw UsageError("give at least one image file or folder to classify");
  if (options.split && !options.labels_from_folders) {
    throw UsageError("--split only makes sense with --labels-from-folders (it needs the true classes)");
  }
  if (options.summary_only && !options.labels_from_folders) {
    throw UsageError("--summary-only only makes sense with --labels-from-folders");
  }
  return options;
}

std::string SplitChoice::name() const { return lab ? split_name(*lab) : "field-test"; }

bool SplitChoice::keeps(const std::filesystem::path& file) const {
  const std::string name = file.filename().string();
  return lab ? split_of(name) == *lab : is_field_test_crop(name);
}

}  // namespace leafcheck::cli
