#include "engine_accuracy.h"

#include <algorithm>
#include <stdexcept>

#include "classifier.h"

namespace leafcheck::train {

EngineAccuracy engine_accuracy(std::span<const uint8_t> model_bytes, const ImageSet& images,
                               const std::vector<int64_t>& indices) {
  Classifier engine(model_bytes);
  EngineAccuracy accuracy;
  for (int64_t i : indices) {
    const int truth = images.labels[i];
    if (truth == kUnknownLabel) throw std::invalid_argument("engine_accuracy: image without a true label");
    const Classification got = engine.classify_rgb(cached_rgb(images, i), 3);
    if (got.top.empty()) throw std::runtime_error("engine_accuracy: the engine returned no prediction");
    ++accuracy.images;
    if (got.top.front().index == truth) ++accuracy.top1_correct;
    if (std::any_of(got.top.begin(), got.top.end(), [&](const Prediction& p) { return p.index == truth; }))
      ++accuracy.top3_correct;
  }
  return accuracy;
}

}  // namespace leafcheck::train
