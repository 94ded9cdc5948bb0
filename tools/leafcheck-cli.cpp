// leafcheck-cli: classify photos with a Leafcheck model file, or evaluate a model on a
// PlantVillage-layout folder (--labels-from-folders, optionally on one split of it).
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "classifier.h"
#include "dataset.h"
#include "file_io.h"

namespace fs = std::filesystem;
using leafcheck::Classification;
using leafcheck::Classifier;

namespace {

constexpr const char* kUsage = R"(usage: leafcheck-cli --model FILE [options] PATH...

Classifies JPEG/PNG photos. PATH is an image file or a folder (searched recursively
for .jpg, .jpeg and .png files).

options:
  --model FILE            Leafcheck model file (required)
  --top K                 predictions to print per image (default 3)
  --json                  print one JSON document instead of text
  --labels-from-folders   the parent folder of each image is its true class
                          (PlantVillage layout); prints top-1/top-3 accuracy,
                          macro-F1, per-class accuracy and the most confused pairs
  --split NAME            with --labels-from-folders: PATHs are dataset roots
                          (<root>/<class>/*.jpg) and only the train, validation
                          or test split is evaluated (the split training uses)
  --summary-only          with --labels-from-folders: no per-image lines
  -h, --help              this text

exit status: 0 all images classified, 1 some images failed or none found,
2 bad usage, model or dataset folder.
)";

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Options {
  fs::path model;
  int top = 3;
  bool json = false;
  bool labels_from_folders = false;
  bool summary_only = false;
  std::optional<leafcheck::Split> split;
  std::vector<fs::path> paths;
};

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
    else if (arg == "--split") {
      const std::string name = value();
      options.split = leafcheck::parse_split(name);
      if (!options.split) throw UsageError("--split must be train, validation or test, not '" + name + "'");
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

// ---- inputs ----

struct Item {
  fs::path path;
  std::string true_class;  // labels mode only
  std::string error;       // set when the image could not be read or classified
  Classification result;
};

struct Inputs {
  std::vector<Item> items;
  bool has_folder = false;
  std::vector<std::string> missing;  // paths that do not exist
};

Inputs collect_inputs(const Options& options) {
  Inputs inputs;
  for (const fs::path& path : options.paths) {
    std::error_code ec;
    if (!fs::exists(path, ec)) {
      inputs.missing.push_back(path.string());
      continue;
    }
    if (options.split) {
      // The dataset scanner and split_of are the code training uses, so the evaluated images are
      // exactly the ones training held out.
      const leafcheck::Dataset dataset = leafcheck::scan_dataset(path);
      inputs.has_folder = true;
      for (const leafcheck::DatasetItem& item : dataset.items) {
        if (item.split == *options.split) inputs.items.push_back({item.path, dataset.classes[item.label], {}, {}});
      }
      continue;
    }
    if (!fs::is_directory(path, ec)) {
      inputs.items.push_back({path, path.parent_path().filename().string(), {}, {}});
      continue;
    }
    inputs.has_folder = true;
    std::vector<fs::path> found;
    for (auto it = fs::recursive_directory_iterator(path, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      const fs::path& file = it->path();
      if (file.filename().string().front() == '.') {
        if (it->is_directory(ec)) it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file(ec) && leafcheck::is_image_file_name(file)) found.push_back(file);
    }
    if (ec) throw std::runtime_error("cannot list folder " + path.string() + ": " + ec.message());
    std::sort(found.begin(), found.end());
    for (fs::path& file : found) {
      std::string true_class = file.parent_path().filename().string();
      inputs.items.push_back({std::move(file), std::move(true_class), {}, {}});
    }
  }
  return inputs;
}

// ---- progress on stderr ----

class Progress {
 public:
  Progress(size_t total, bool enabled) : total_(total), enabled_(enabled && total > 1), tty_(isatty(STDERR_FILENO)) {}

  void update(size_t done) {
    if (!enabled_) return;
    const auto now = Clock::now();
    const double since_last = std::chrono::duration<double>(now - last_).count();
    if (tty_ ? since_last < 0.1 && done != total_ : since_last < 10.0) return;
    last_ = now;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0;
    const double eta = rate > 0 ? static_cast<double>(total_ - done) / rate : 0;
    const int percent = static_cast<int>(100 * done / total_);
    if (tty_) {
      constexpr int kWidth = 30;
      const int filled = static_cast<int>(kWidth * done / total_);
      std::fprintf(stderr, "\r[%s%s] %zu/%zu %3d%%  %.1f images/s  ETA %s\x1b[K",
                   std::string(static_cast<size_t>(filled), '#').c_str(),
                   std::string(static_cast<size_t>(kWidth - filled), '.').c_str(), done, total_, percent, rate,
                   duration(eta).c_str());
      drawn_ = true;
    } else {
      std::fprintf(stderr, "progress: %zu/%zu images (%d%%), %.1f images/s, ETA %s\n", done, total_, percent, rate,
                   duration(eta).c_str());
    }
    std::fflush(stderr);
  }

  // Erases the bar so that lines written to the same terminal start clean.
  void clear() {
    if (drawn_) std::fputs("\r\x1b[K", stderr);
    drawn_ = false;
  }

 private:
  using Clock = std::chrono::steady_clock;

  static std::string duration(double seconds) {
    const long s = std::lround(seconds);
    char text[32];
    std::snprintf(text, sizeof text, "%ld:%02ld", s / 60, s % 60);
    return text;
  }

  size_t total_;
  bool enabled_;
  bool tty_;
  bool drawn_ = false;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_ = Clock::now();
};

// ---- evaluation against folder classes ----

struct ClassScore {
  std::string name;
  int images = 0, correct = 0, predicted = 0;
  double accuracy() const { return images ? static_cast<double>(correct) / images : 0; }
  double precision() const { return predicted ? static_cast<double>(correct) / predicted : 0; }
  double f1() const {
    const double p = precision(), r = accuracy();
    return p + r > 0 ? 2 * p * r / (p + r) : 0;
  }
};

struct Confusion {
  std::string truth, predicted;
  int count = 0, truth_total = 0;
};

struct Evaluation {
  int images = 0, top1 = 0, top3 = 0;
  std::vector<ClassScore> classes;  // classes with images, sorted by name
  std::vector<Confusion> most_confused;
  double macro_f1 = 0;
  std::map<std::string, int> unknown_classes;  // folder class -> images skipped
};

// Metrics over the classes present in the folders: per-class accuracy is recall, and macro-F1
// averages F1 over those classes (predictions into other model classes still cost recall).
Evaluation evaluate(const std::vector<Item>& items) {
  Evaluation e;
  std::map<std::string, ClassScore> scores;
  std::map<std::pair<std::string, std::string>, int> confusions;
  for (const Item& item : items) {
    if (!item.error.empty() || item.result.top.empty()) continue;
    ++e.images;
    const std::string& predicted = item.result.top[0].label;
    ClassScore& truth = scores[item.true_class];
    truth.name = item.true_class;
    ++truth.images;
    ++scores[predicted].predicted;
    scores[predicted].name = predicted;
    const size_t k = std::min<size_t>(3, item.result.top.size());
    if (std::any_of(item.result.top.begin(), item.result.top.begin() + static_cast<ptrdiff_t>(k),
                    [&](const leafcheck::Prediction& p) { return p.label == item.true_class; })) {
      ++e.top3;
    }
    if (predicted == item.true_class) {
      ++e.top1;
      ++truth.correct;
    } else {
      ++confusions[{item.true_class, predicted}];
    }
  }
  for (auto& [name, score] : scores) {
    if (score.images > 0) e.classes.push_back(score);
  }
  for (const ClassScore& c : e.classes) e.macro_f1 += c.f1();
  if (!e.classes.empty()) e.macro_f1 /= static_cast<double>(e.classes.size());
  for (const auto& [pair, count] : confusions) {
    e.most_confused.push_back({pair.first, pair.second, count, scores[pair.first].images});
  }
  std::stable_sort(e.most_confused.begin(), e.most_confused.end(),
                   [](const Confusion& a, const Confusion& b) { return a.count > b.count; });
  if (e.most_confused.size() > 10) e.most_confused.resize(10);
  return e;
}

// ---- JSON ----

// JSON strings must be valid UTF-8; file names need not be, so stray bytes become U+FFFD.
std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
          if (c < 0x20 || c == 0x7F) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
            out += escaped;
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    // Length and lowest code point of a UTF-8 sequence by its lead byte; overlongs and surrogates are invalid.
    const size_t length = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
    bool valid = length > 0 && i + length <= text.size();
    uint32_t code = length == 4 ? c & 0x07u : length == 3 ? c & 0x0Fu : c & 0x1Fu;
    for (size_t k = 1; valid && k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      valid = (next & 0xC0) == 0x80;
      code = code << 6 | (next & 0x3Fu);
    }
    valid = valid && !(length == 3 && (code < 0x800 || (code >= 0xD800 && code <= 0xDFFF))) &&
            !(length == 4 && (code < 0x10000 || code > 0x10FFFF));
    if (valid) {
      out.append(text.substr(i, length));
      i += length;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out + "\"";
}

std::string json_number(double value) {
  if (!std::isfinite(value)) return "null";
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

void write_json(std::ostream& out, const Options& options, const Classifier& classifier, const std::vector<Item>& items,
                int failed, const std::optional<Evaluation>& evaluation) {
  const leafcheck::ModelSpec& spec = classifier.spec();
  out << "{\n  \"model\": {\"path\": " << json_string(options.model.string()) << ", \"labels\": " << spec.labels.size()
      << ", \"metadata\": " << json_string(spec.metadata_json) << "},\n";
  out << "  \"split\": " << (options.split ? json_string(leafcheck::split_name(*options.split)) : "null") << ",\n";
  out << "  \"images\": [";
  for (size_t i = 0; i < items.size(); ++i) {
    const Item& item = items[i];
    out << (i ? ",\n    " : "\n    ") << "{\"path\": " << json_string(item.path.string());
    if (options.labels_from_folders) out << ", \"true_class\": " << json_string(item.true_class);
    if (!item.error.empty()) {
      out << ", \"error\": " << json_string(item.error) << "}";
      continue;
    }
    out << ", \"top\": [";
    const size_t k = std::min<size_t>(static_cast<size_t>(options.top), item.result.top.size());
    for (size_t j = 0; j < k; ++j) {
      const leafcheck::Prediction& p = item.result.top[j];
      out << (j ? ", " : "") << "{\"index\": " << p.index << ", \"label\": " << json_string(p.label)
          << ", \"probability\": " << json_number(p.probability) << "}";
    }
    const leafcheck::Timings& t = item.result.timings;
    out << "], \"timings_ms\": {\"decode\": " << json_number(t.decode_ms) << ", \"preprocess\": "
        << json_number(t.preprocess_ms) << ", \"inference\": " << json_number(t.inference_ms) << "}}";
  }
  out << (items.empty() ? "],\n" : "\n  ],\n") << "  \"failed\": " << failed;
  if (evaluation) {
    const Evaluation& e = *evaluation;
    out << ",\n  \"skipped_unknown_classes\": {";
    bool first = true;
    for (const auto& [name, count] : e.unknown_classes) {
      out << (first ? "" : ", ") << json_string(name) << ": " << count;
      first = false;
    }
    out << "},\n  \"evaluation\": {\"images\": " << e.images
        << ", \"top1_accuracy\": " << json_number(e.images ? static_cast<double>(e.top1) / e.images : NAN)
        << ", \"top3_accuracy\": " << json_number(e.images ? static_cast<double>(e.top3) / e.images : NAN)
        << ", \"macro_f1\": " << json_number(e.images ? e.macro_f1 : NAN) << ",\n    \"per_class\": [";
    for (size_t i = 0; i < e.classes.size(); ++i) {
      const ClassScore& c = e.classes[i];
      out << (i ? ",\n      " : "\n      ") << "{\"class\": " << json_string(c.name) << ", \"images\": " << c.images
          << ", \"correct\": " << c.correct << ", \"accuracy\": " << json_number(c.accuracy())
          << ", \"precision\": " << json_number(c.precision()) << ", \"f1\": " << json_number(c.f1()) << "}";
    }
    out << (e.classes.empty() ? "],\n" : "\n    ],\n") << "    \"most_confused\": [";
    for (size_t i = 0; i < e.most_confused.size(); ++i) {
      const Confusion& c = e.most_confused[i];
      out << (i ? ", " : "") << "{\"true\": " << json_string(c.truth) << ", \"predicted\": " << json_string(c.predicted)
          << ", \"count\": " << c.count << "}";
    }
    out << "]}";
  }
  out << "\n}\n";
}

// ---- text ----

std::string percent(double fraction) {
  char text[16];
  std::snprintf(text, sizeof text, "%5.1f%%", 100 * fraction);
  return text;
}

std::string fixed3(double value) {
  char text[16];
  std::snprintf(text, sizeof text, "%.3f", value);
  return text;
}

void write_item_text(std::ostream& out, const Item& item, const Options& options, size_t label_width) {
  out << item.path.string();
  if (options.labels_from_folders) {
    const bool correct = item.result.top[0].label == item.true_class;
    out << "  (true: " << item.true_class << (correct ? ", correct)" : ", WRONG)");
  }
  out << "\n";
  const size_t k = std::min<size_t>(static_cast<size_t>(options.top), item.result.top.size());
  for (size_t j = 0; j < k; ++j) {
    const leafcheck::Prediction& p = item.result.top[j];
    out << "  " << j + 1 << ". " << p.label << std::string(label_width - std::min(label_width, p.label.size()), ' ')
        << "  " << percent(p.probability) << "\n";
  }
}

void write_evaluation_text(std::ostream& out, const Evaluation& e, const Options& options) {
  out << "\nEvaluation on " << e.images << " image" << (e.images == 1 ? "" : "s") << " of " << e.classes.size()
      << " class" << (e.classes.size() == 1 ? "" : "es");
  if (options.split) out << " (" << leafcheck::split_name(*options.split) << " split)";
  out << "\n";
  if (e.images == 0) return;
  char line[160];
  std::snprintf(line, sizeof line, "  top-1 accuracy  %s  (%d/%d)\n  top-3 accuracy  %s  (%d/%d)\n  macro-F1        %.3f\n",
                percent(static_cast<double>(e.top1) / e.images).c_str(), e.top1, e.images,
                percent(static_cast<double>(e.top3) / e.images).c_str(), e.top3, e.images, e.macro_f1);
  out << line;
  size_t width = 0;
  for (const ClassScore& c : e.classes) width = std::max(width, c.name.size());
  out << "\nPer-class accuracy:\n";
  for (const ClassScore& c : e.classes) {
    out << "  " << c.name << std::string(width - c.name.size(), ' ') << "  " << percent(c.accuracy()) << "  ("
        << c.correct << "/" << c.images << ")  F1 " << fixed3(c.f1()) << "\n";
  }
  if (e.most_confused.empty()) {
    out << "\nNo confusions.\n";
    return;
  }
  out << "\nMost confused (true -> predicted):\n";
  for (const Confusion& c : e.most_confused) {
    out << "  " << c.truth << " -> " << c.predicted << "  " << c.count << " (" << percent(static_cast<double>(c.count) / c.truth_total)
        << " of " << c.truth << ")\n";
  }
}

int run(const Options& options) {
  std::vector<uint8_t> model_bytes;
  try {
    model_bytes = leafcheck::read_file(options.model);
  } catch (const std::exception& e) {
    std::cerr << "leafcheck-cli: model " << options.model.string() << ": " << e.what() << "\n";
    return 2;
  }
  std::optional<Classifier> classifier;
  try {
    classifier.emplace(model_bytes);
  } catch (const leafcheck::ModelError& e) {
    std::cerr << "leafcheck-cli: " << options.model.string() << " is not a usable Leafcheck model: " << e.what() << "\n";
    return 2;
  }
  model_bytes = {};
  const std::vector<std::string>& labels = classifier->spec().labels;

  Inputs inputs;
  try {
    inputs = collect_inputs(options);
  } catch (const std::exception& e) {
    std::cerr << "leafcheck-cli: " << e.what() << "\n";
    return 2;
  }
  int failed = 0;
  std::vector<Item> items;
  for (const std::string& missing : inputs.missing) {
    items.push_back({missing, {}, "no such file or folder", {}});
    std::cerr << "leafcheck-cli: " << missing << ": " << items.back().error << "\n";
    ++failed;
  }

  std::optional<Evaluation> evaluation;
  if (options.labels_from_folders) evaluation.emplace();
  for (Item& item : inputs.items) {
    if (evaluation && std::find(labels.begin(), labels.end(), item.true_class) == labels.end()) {
      ++evaluation->unknown_classes[item.true_class];
    } else {
      items.push_back(std::move(item));
    }
  }

  // Evaluation needs the top 3 whatever --top says.
  const int k = options.labels_from_folders ? std::max(options.top, 3) : options.top;
  const bool stdout_tty = isatty(STDOUT_FILENO);
  Progress progress(items.size(), inputs.has_folder);
  size_t label_width = 0;
  for (const std::string& label : labels) label_width = std::max(label_width, label.size());
  leafcheck::Timings total{};
  int classified = 0;
  const auto start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < items.size(); ++i) {
    Item& item = items[i];
    if (!item.error.empty()) continue;
    try {
      item.result = classifier->classify_encoded(leafcheck::read_file(item.path), k);
      total.decode_ms += item.result.timings.decode_ms;
      total.preprocess_ms += item.result.timings.preprocess_ms;
      total.inference_ms += item.result.timings.inference_ms;
      ++classified;
    } catch (const std::exception& e) {  // ImageError, I/O errors, out of memory: report and go on
      item.error = e.what();
      ++failed;
      progress.clear();
      std::cerr << "leafcheck-cli: " << item.path.string() << ": " << item.error << "\n";
    }
    if (!options.json && !options.summary_only && item.error.empty()) {
      if (stdout_tty) progress.clear();
      write_item_text(std::cout, item, options, label_width);
      if (stdout_tty) std::cout.flush();
    }
    progress.update(i + 1);
  }
  progress.clear();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  if (evaluation) {
    Evaluation scored = evaluate(items);
    scored.unknown_classes = std::move(evaluation->unknown_classes);
    evaluation = std::move(scored);
  }
  if (evaluation) {
    for (const auto& [name, count] : evaluation->unknown_classes) {
      std::cerr << "leafcheck-cli: skipped " << count << " image" << (count == 1 ? "" : "s") << " of folder class '"
                << name << "': the model has no such label\n";
    }
  }
  if (options.json) {
    write_json(std::cout, options, *classifier, items, failed, evaluation);
  } else if (evaluation) {
    write_evaluation_text(std::cout, *evaluation, options);
  }
  std::cout.flush();

  if (classified > 0) {
    std::fprintf(stderr, "classified %d image%s in %.1f s (%.1f images/s); mean per image: decode %.2f ms, "
                 "preprocess %.2f ms, inference %.2f ms\n",
                 classified, classified == 1 ? "" : "s", seconds, classified / std::max(seconds, 1e-9),
                 total.decode_ms / classified, total.preprocess_ms / classified, total.inference_ms / classified);
  }
  if (items.empty() && failed == 0) {
    std::cerr << "leafcheck-cli: no images to classify (looked for .jpg, .jpeg and .png files"
              << (options.split ? std::string(" in the ") + leafcheck::split_name(*options.split) + " split" : "")
              << (options.labels_from_folders ? " of classes the model knows" : "") << ")\n";
    return 1;
  }
  if (failed > 0) {
    std::cerr << "leafcheck-cli: " << failed << " of " << items.size() << " inputs failed (see the messages above)\n";
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  try {
    options = parse_options(argc, argv);
  } catch (const UsageError& e) {
    if (std::strlen(e.what()) == 0) {
      std::cout << kUsage;
      return 0;
    }
    std::cerr << "leafcheck-cli: " << e.what() << "\n(leafcheck-cli --help lists the options)\n";
    return 2;
  }
  try {
    return run(options);
  } catch (const std::exception& e) {
    std::cerr << "leafcheck-cli: " << e.what() << "\n";
    return 2;
  }
}
