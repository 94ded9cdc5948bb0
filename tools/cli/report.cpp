#include "report.h"

#include <algorithm>
#include <string>

#include "format.h"

namespace leafcheck::cli {

const char* arithmetic(const Classifier& classifier) { return classifier.int8() ? "int8" : "f32"; }

void write_item_text(std::ostream& out, const Item& item, const Options& options, size_t label_width) {
  out << item.path.string();
  if (options.labels_from_folders) {
    const bool correct = item.result.top[0].label == item.true_class;
    out << "  (true: " << item.true_class << (correct ? ", correct)" : ", WRONG)");
  }
  out << "\n";
  const size_t k = std::min<size_t>(static_cast<size_t>(options.top), item.result.top.size());
  for (size_t j = 0; j < k; ++j) {
    const Prediction& p = item.result.top[j];
    out << "  " << j + 1 << ". " << p.label << std::string(label_width - std::min(label_width, p.label.size()), ' ')
        << "  " << percent(p.probability) << "\n";
  }
}

void write_json(std::ostream& out, const Options& options, const Classifier& classifier, const std::vector<Item>& items,
                int failed, const std::optional<Evaluation>& evaluation) {
  const ModelSpec& spec = classifier.spec();
  out << "{\n  \"model\": {\"path\": " << json_string(options.model.string()) << ", \"labels\": " << spec.labels.size()
      << ", \"metadata\": " << json_string(spec.metadata_json) << "},\n";
  out << "  \"arithmetic\": " << json_string(arithmetic(classifier)) << ", \"threads\": " << classifier.threads()
      << ",\n";
  out << "  \"split\": " << (options.split ? json_string(options.split->name()) : "null") << ",\n";
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
      const Prediction& p = item.result.top[j];
      out << (j ? ", " : "") << "{\"index\": " << p.index << ", \"label\": " << json_string(p.label)
          << ", \"probability\": " << json_number(p.probability) << "}";
    }
    const Timings& t = item.result.timings;
    out << "], \"looks_like_leaf\": " << (item.result.looks_like_leaf ? "true" : "false")
        << ", \"something_to_see\": " << (item.result.something_to_see ? "true" : "false")
        << ", \"timings_ms\": {\"decode\": " << json_number(t.decode_ms) << ", \"preprocess\": "
        << json_number(t.preprocess_ms) << ", \"inference\": " << json_number(t.inference_ms) << "}}";
  }
  out << (items.empty() ? "],\n" : "\n  ],\n") << "  \"failed\": " << failed;
  if (evaluation) write_evaluation_json(out, *evaluation);
  out << "\n}\n";
}

}  // namespace leafcheck::cli
