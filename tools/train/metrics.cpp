#include "metrics.h"

#include <algorithm>
#include <stdexcept>

namespace leafcheck::train {

Metrics compute_metrics(const torch::Tensor& probabilities, const std::vector<int>& truth) {
  const int64_t n = probabilities.size(0);
  const int64_t classes = probabilities.size(1);
  if (n != static_cast<int64_t>(truth.size())) throw std::invalid_argument("compute_metrics: size mismatch");
  Metrics m;
  m.count = static_cast<size_t>(n);
  m.per_class_count.assign(classes, 0);
  m.per_class_accuracy.assign(classes, 0.0);
  m.confusion.assign(classes, std::vector<size_t>(classes, 0));
  if (n == 0) return m;
  auto top = std::get<1>(probabilities.topk(std::min<int64_t>(3, classes), 1)).contiguous();
  auto top_a = top.accessor<int64_t, 2>();
  size_t correct1 = 0, correct3 = 0;
  for (int64_t i = 0; i < n; ++i) {
    const int t = truth[i];
    m.confusion[t][top_a[i][0]]++;
    m.per_class_count[t]++;
    if (top_a[i][0] == t) ++correct1;
    for (int64_t k = 0; k < top.size(1); ++k)
      if (top_a[i][k] == t) ++correct3;
  }
  m.top1 = static_cast<double>(correct1) / n;
  m.top3 = static_cast<double>(correct3) / n;
  double f1_sum = 0;
  int f1_classes = 0;
  for (int64_t c = 0; c < classes; ++c) {
    size_t predicted = 0;
    for (int64_t t = 0; t < classes; ++t) predicted += m.confusion[t][c];
    const size_t tp = m.confusion[c][c];
    if (m.per_class_count[c] == 0) continue;
    m.per_class_accuracy[c] = static_cast<double>(tp) / m.per_class_count[c];
    const double precision = predicted ? static_cast<double>(tp) / predicted : 0.0;
    const double recall = m.per_class_accuracy[c];
    f1_sum += precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0.0;
    ++f1_classes;
  }
  m.macro_f1 = f1_classes ? f1_sum / f1_classes : 0.0;
  return m;
}

}  // namespace leafcheck::train
