#include "run.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "classifier.h"
#include "evaluation.h"
#include "file_io.h"
#include "inputs.h"
#include "progress.h"
#include "report.h"

namespace leafcheck::cli {

int run(const Options& options) {
  std::vector<uint8_t> model_bytes;
  try {
    model_bytes = read_file(options.model);
  } catch (const std::exception& e) {
    std::cerr << "leafcheck-cli: model " << options.model.string() << ": " << e.what() << "\n";
    return 2;
  }
  std::optional<Classifier> classifier;
  try {
    classifier.emplace(model_bytes, KernelSet::Optimized, static_cast<size_t>(options.threads));
  } catch (const ModelError& e) {
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
  Timings total{};
  int classified = 0;
  const auto start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < items.size(); ++i) {
    Item& item = items[i];
    if (!item.error.empty()) continue;
    try {
      item.result = classifier->classify_encoded(read_file(item.path), k);
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
    const size_t threads = classifier->threads();
    std::fprintf(stderr, "classified %d image%s in %.1f s (%.1f images/s) with %s arithmetic on %zu thread%s; "
                 "mean per image: decode %.2f ms, preprocess %.2f ms, inference %.2f ms\n",
                 classified, classified == 1 ? "" : "s", seconds, classified / std::max(seconds, 1e-9),
                 arithmetic(*classifier), threads, threads == 1 ? "" : "s", total.decode_ms / classified,
                 total.preprocess_ms / classified, total.inference_ms / classified);
  }
  if (items.empty() && failed == 0) {
    std::cerr << "leafcheck-cli: no images to classify (looked for .jpg, .jpeg and .png files"
              << (options.split ? " in the " + options.split->name() + " split" : "")
              << (options.labels_from_folders ? " of classes the model knows" : "") << ")\n";
    return 1;
  }
  if (failed > 0) {
    std::cerr << "leafcheck-cli: " << failed << " of " << items.size() << " inputs failed (see the messages above)\n";
    return 1;
  }
  return 0;
}

}  // namespace leafcheck::cli
