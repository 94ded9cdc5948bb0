#include "parity.h"

#include <stdexcept>

#include "engine_predict.h"
#include "predict.h"

namespace leafcheck::train {

ParityResult check_parity(SeedNet& net, std::span<const uint8_t> model_bytes, const ImageSet& images,
                          const std::vector<int64_t>& indices, const Normalization& norm) {
  const auto expected = predict_probabilities(net, images, indices, norm).to(torch::kFloat64);
  const auto got = engine_probabilities(model_bytes, images, indices).to(torch::kFloat64);
  if (got.sizes() != expected.sizes())
    throw std::runtime_error("parity: the engine has " + std::to_string(got.size(1)) + " classes, LibTorch " +
                             std::to_string(expected.size(1)));
  ParityResult result;
  result.images = indices.size();
  if (!indices.empty()) result.max_abs_diff = (got - expected).abs().max().item<double>();
  return result;
}

}  // namespace leafcheck::train
