#include "engine_predict.h"

#include <algorithm>
#include <exception>
#include <stdexcept>
#include <string>
#include <thread>

#include "classifier.h"

namespace leafcheck::train {

torch::Tensor engine_probabilities(std::span<const uint8_t> model_bytes, const ImageSet& images,
                                   const std::vector<int64_t>& indices) {
  const int classes = static_cast<int>(Classifier(model_bytes).spec().labels.size());
  torch::Tensor probabilities = torch::zeros({static_cast<int64_t>(indices.size()), classes}, torch::kFloat32);
  auto out = probabilities.accessor<float, 2>();
  // One Classifier per thread over its own rows: the engine is single-threaded, the report measures
  // thousands of photos per model file.
  const size_t threads = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 16);
  const size_t chunk = (indices.size() + threads - 1) / std::max<size_t>(1, threads);
  std::vector<std::exception_ptr> errors(threads);
  std::vector<std::thread> workers;
  for (size_t t = 0; t < threads && t * chunk < indices.size(); ++t)
    workers.emplace_back([&, t] {
      try {
        Classifier engine(model_bytes);
        for (size_t i = t * chunk; i < std::min(indices.size(), (t + 1) * chunk); ++i) {
          const Classification got = engine.classify_rgb(cached_rgb(images, indices[i]), classes);
          if (static_cast<int>(got.top.size()) != classes)
            throw std::runtime_error("the engine returned " + std::to_string(got.top.size()) + " of " +
                                     std::to_string(classes) + " class probabilities");
          for (const Prediction& p : got.top) out[static_cast<int64_t>(i)][p.index] = p.probability;
        }
      } catch (...) {
        errors[t] = std::current_exception();
      }
    });
  for (std::thread& w : workers) w.join();
  for (const auto& error : errors)
    if (error) std::rethrow_exception(error);
  return probabilities;
}

}  // namespace leafcheck::train
