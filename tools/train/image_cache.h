// The decoded dataset, held in memory once as one uint8 tensor. Every image goes through the
// engine's own decode_image + center_crop_resize, so training sees exactly the pixels the app sees.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <vector>

#include "dataset.h"
#include "image.h"

namespace leafcheck::train {

inline constexpr int kUnknownLabel = -1;  // a real unlabelled photo (--unlabeled)

struct ImageSet {
  torch::Tensor pixels;  // uint8 [N, size, size, 3], RGB, NHWC
  std::vector<int> labels;
  std::vector<Split> splits;
  std::vector<std::filesystem::path> paths;
  size_t skipped = 0;  // corrupt or unreadable files (each warned about on stderr)

  int64_t size() const { return static_cast<int64_t>(labels.size()); }
};

// Decodes every item of a scanned PlantVillage-layout folder; max_per_class > 0 keeps only the
// first that many files of each class (quick runs).
ImageSet load_dataset_images(const Dataset& dataset, int size, int max_per_class = 0);

// Every .jpg/.jpeg/.png below dir (recursively), labelled kUnknownLabel, split Train.
ImageSet load_unlabelled_images(const std::filesystem::path& dir, int size);

// One cached image as the engine takes it, so the engine can be fed exactly the pixels training saw.
RgbImage cached_rgb(const ImageSet& images, int64_t index);

// Appends `more` to `into` (indices of `into` stay valid).
void append_images(ImageSet& into, ImageSet&& more);

}  // namespace leafcheck::train
