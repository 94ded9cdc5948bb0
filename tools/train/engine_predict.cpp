#include "engine_predict.h"

#include <stdexcept>
#include <string>

#include "classifier.h"

namespace leafcheck::train {

torch::Tensor engine_probabilities(std::span<const uint8_t> model_bytes, const ImageSet& images,
                                   const std::vector<int64_t>& indices) {
  Classifier engine(model_bytes);
  const int classes = static_cast<int>(engine.spec().labels.size());
  torch::Tensor probabilities = torch::zeros({static_cast<int64_t>(indices.size()), classes}, torch::kFloat32);
  auto out = probabilities.accessor<float, 2>();
  for (size_t i = 0; i < indices.size(); ++i) {
    const Classification got = engine.classify_rgb(cached_rgb(images, indices[i]), classes);
    if (static_cast<int>(got.top.size()) != classes)
      throw std::runtime_error("the engine returned " + std::to_string(got.top.size()) + " of " +
                               std::to_string(classes) + " class probabilities");
    for (const Prediction& p : got.top) out[static_cast<int64_t>(i)][p.index] = p.probability;
  }
  return probabilities;
}

}  // namespace leafcheck::train
