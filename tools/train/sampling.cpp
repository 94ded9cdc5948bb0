#include "sampling.h"

#include <cmath>
#include <map>

namespace leafcheck::train {

torch::Tensor sampling_weights(const ImageSet& images, const std::vector<Example>& examples, const SamplingConfig& config) {
  std::vector<double> weights;
  std::map<int, double> class_total;
  for (const Example& e : examples) {
    weights.push_back(images.sources[e.index] == Source::Field ? config.field_weight : 1.0);
    class_total[e.label] += weights.back();
  }
  for (size_t i = 0; i < examples.size(); ++i)
    weights[i] /= std::pow(class_total[examples[i].label], config.class_balance);
  return torch::tensor(weights, torch::kFloat64);
}

torch::Tensor draw_epoch(const torch::Tensor& weights) { return torch::multinomial(weights, weights.size(0), true); }

}  // namespace leafcheck::train
