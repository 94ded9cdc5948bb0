// Classification metrics on a labelled evaluation set.
#pragma once

#include <torch/torch.h>

#include <cmath>
#include <cstddef>
#include <vector>

namespace leafcheck::train {

struct Metrics {
  size_t count = 0;
  double top1 = 0;
  double top3 = 0;
  double macro_f1 = 0;  // mean F1 over the classes that have at least one evaluation image
  std::vector<size_t> per_class_count;
  std::vector<double> per_class_accuracy;       // recall per class; 0 for classes without images
  std::vector<std::vector<size_t>> confusion;  // [true][predicted]
};

// probabilities: [N, classes]; truth: N labels in [0, classes).
Metrics compute_metrics(const torch::Tensor& probabilities, const std::vector<int>& truth);

// The number of right answers behind an accuracy over `count` images.
inline size_t correct_count(double accuracy, size_t count) {
  return static_cast<size_t>(std::llround(accuracy * static_cast<double>(count)));
}

}  // namespace leafcheck::train
