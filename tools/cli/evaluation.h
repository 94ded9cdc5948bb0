// The --labels-from-folders report: top-1/top-3 accuracy, macro-F1, per-class scores and the
// most confused pairs, as text and as the JSON document's "skipped_unknown_classes" and "evaluation".
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "inputs.h"
#include "options.h"

namespace leafcheck::cli {

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

// Scores the items that were classified; unknown_classes is left to the caller, who skipped them.
Evaluation evaluate(const std::vector<Item>& items);

void write_evaluation_text(std::ostream& out, const Evaluation& e, const Options& options);
// The document's last fields, from the comma that separates them from the ones before.
void write_evaluation_json(std::ostream& out, const Evaluation& e);

}  // namespace leafcheck::cli
