#include "parity.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "classifier.h"
#include "predict.h"

namespace leafcheck::train {

ParityResult check_parity(SeedNet& net, std::span<const uint8_t> model_bytes, const ImageSet& images,
                          const std::vector<int64_t>& indices, const Normalization& norm) {
  Classifier engine(model_bytes);
  const int classes = static_cast<int>(engine.spec().labels.size());
  auto expected = predict_probabilities(net, images, indices, norm).to(torch::kFloat64);
  auto expected_a = expected.accessor<double, 2>();
  ParityResult result;
  for (size_t i = 0; i < indices.size(); ++i) {
    const Classification got = engine.classify_rgb(cached_rgb(images, indices[i]), classes);
    if (static_cast<int>(got.top.size()) != classes)
      throw std::runtime_error("parity: the engine returned " + std::to_string(got.top.size()) + " of " +
                               std::to_string(classes) + " class probabilities");
    for (const Prediction& p : got.top)
      result.max_abs_diff = std::max(result.max_abs_diff, std::abs(p.probability - expected_a[i][p.index]));
    ++result.images;
  }
  return result;
}

}  // namespace leafcheck::train
