#include "image_cache.h"

#include <iostream>
#include <stdexcept>
#include <string>

#include "dataset.h"
#include "file_io.h"
#include "image.h"

namespace leafcheck::train {
namespace {

struct PendingImage {
  std::filesystem::path path;
  int label;
  Split split;
};

ImageSet decode_all(const std::vector<PendingImage>& pending, int size) {
  ImageSet set;
  const size_t image_bytes = static_cast<size_t>(size) * size * 3;
  std::vector<uint8_t> pixels;
  pixels.reserve(pending.size() * image_bytes);
  for (const PendingImage& item : pending) {
    try {
      RgbImage image = center_crop_resize(decode_image(read_file(item.path)), size, size);
      if (image.pixels.size() != image_bytes) throw std::runtime_error("unexpected preprocessed size");
      pixels.insert(pixels.end(), image.pixels.begin(), image.pixels.end());
      set.labels.push_back(item.label);
      set.splits.push_back(item.split);
      set.paths.push_back(item.path);
    } catch (const std::exception& e) {
      std::cerr << "warning: skipping " << item.path.string() << ": " << e.what() << "\n";
      ++set.skipped;
    }
  }
  set.pixels = torch::from_blob(pixels.data(), {set.size(), size, size, 3}, torch::kUInt8).clone();
  return set;
}

}  // namespace

ImageSet load_dataset_images(const Dataset& dataset, int size, int max_per_class) {
  std::vector<PendingImage> pending;
  std::vector<int> taken(dataset.classes.size(), 0);
  for (const DatasetItem& item : dataset.items) {
    if (max_per_class > 0 && taken[item.label]++ >= max_per_class) continue;
    pending.push_back({item.path, item.label, item.split});
  }
  return decode_all(pending, size);
}

ImageSet load_unlabelled_images(const std::filesystem::path& dir, int size) {
  if (!std::filesystem::is_directory(dir))
    throw std::runtime_error("unlabelled image folder not found: " + dir.string());
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir))
    if (entry.is_regular_file() && is_image_file_name(entry.path())) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  std::vector<PendingImage> pending;
  for (auto& file : files) pending.push_back({std::move(file), kUnknownLabel, Split::Train});
  return decode_all(pending, size);
}

RgbImage cached_rgb(const ImageSet& images, int64_t index) {
  auto pixels = images.pixels[index].contiguous();
  RgbImage image;
  image.height = static_cast<int>(pixels.size(0));
  image.width = static_cast<int>(pixels.size(1));
  image.pixels.assign(pixels.data_ptr<uint8_t>(), pixels.data_ptr<uint8_t>() + pixels.numel());
  return image;
}

void append_images(ImageSet& into, ImageSet&& more) {
  into.pixels = into.size() == 0 ? more.pixels : torch::cat({into.pixels, more.pixels});
  into.labels.insert(into.labels.end(), more.labels.begin(), more.labels.end());
  into.splits.insert(into.splits.end(), more.splits.begin(), more.splits.end());
  into.paths.insert(into.paths.end(), more.paths.begin(), more.paths.end());
  into.skipped += more.skipped;
}

}  // namespace leafcheck::train
