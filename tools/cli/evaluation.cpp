#include "evaluation.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

#include "format.h"

namespace leafcheck::cli {

namespace {

std::string fixed3(double value) {
  char text[16];
  std::snprintf(text, sizeof text, "%.3f", value);
  return text;
}

}  // namespace

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
                    [&](const Prediction& p) { return p.label == item.true_class; })) {
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

void write_evaluation_text(std::ostream& out, const Evaluation& e, const Options& options) {
  out << "\nEvaluation on " << e.images << " image" << (e.images == 1 ? "" : "s") << " of " << e.classes.size()
      << " class" << (e.classes.size() == 1 ? "" : "es");
  if (options.split) out << " (" << options.split->name() << " split)";
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

void write_evaluation_json(std::ostream& out, const Evaluation& e) {
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

}  // namespace leafcheck::cli
