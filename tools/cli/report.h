// What a run prints on stdout: per-image text lines, or the one JSON document.
#pragma once

#include <cstddef>
#include <optional>
#include <ostream>
#include <vector>

#include "classifier.h"
#include "evaluation.h"
#include "inputs.h"
#include "options.h"

namespace leafcheck::cli {

// "int8" or "f32": an int8 model on several threads (or without SIMD) runs as its f32 twin, and
// figures measured that way are the f32 model's, so reports must say which ran.
const char* arithmetic(const Classifier& classifier);

// label_width pads the labels into a column.
void write_item_text(std::ostream& out, const Item& item, const Options& options, size_t label_width);

void write_json(std::ostream& out, const Options& options, const Classifier& classifier, const std::vector<Item>& items,
                int failed, const std::optional<Evaluation>& evaluation);

}  // namespace leafcheck::cli
