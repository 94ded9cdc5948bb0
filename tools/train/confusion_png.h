// A confusion matrix as a picture: one square per (true, predicted) pair, rows = true class in
// label order, shaded by the fraction of that row (diagonal green, errors red, white = none); the
// axes are labelled and rows and columns numbered from 1 in label order (the model card lists them).
#pragma once

#include <cstddef>
#include <filesystem>
#include <vector>

namespace leafcheck::train {

void write_confusion_png(const std::vector<std::vector<size_t>>& confusion, const std::filesystem::path& file,
                         int cell_pixels = 24);

}  // namespace leafcheck::train
