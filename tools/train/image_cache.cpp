#include "image_cache.h"

#include <algorithm>
#include <iostream>
#include <stdexcept>
#include <string>

#include "dataset.h"
#include "file_io.h"
#include "image.h"

namespace leafcheck::train {
namespace {

namespace fs = std::filesystem;

struct PendingImage {
  fs::path path;
  int label;
  Split split;
  Source source;
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
      set.sources.push_back(item.source);
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
    pending.push_back({item.path, item.label, item.split, Source::Lab});
  }
  return decode_all(pending, size);
}

ImageSet load_unlabelled_images(const fs::path& dir, int size) {
  std::vector<PendingImage> pending;
  for (auto& file : image_files_in(dir, true))
    pending.push_back({std::move(file), kUnknownLabel, Split::Train, Source::Field});
  return decode_all(pending, size);
}

ImageSet load_not_leaf_images(const fs::path& dir, int label, int size, int max_count) {
  std::vector<PendingImage> pending;
  for (auto& file : image_files_in(dir, false)) {
    if (max_count > 0 && static_cast<int>(pending.size()) >= max_count) break;
    const Split split = split_of(file.filename().string());
    pending.push_back({std::move(file), label, split, Source::NotLeaf});
  }
  if (pending.empty()) throw std::runtime_error("no .jpg/.png photos in the not-a-leaf folder " + dir.string());
  return decode_all(pending, size);
}

ImageSet load_field_images(const fs::path& dir, const std::vector<std::string>& classes, int size, int max_per_class) {
  const Dataset field = scan_dataset(dir);
  std::vector<PendingImage> pending;
  std::vector<int> taken(field.classes.size(), 0);
  for (const DatasetItem& item : field.items) {
    const std::string& name = field.classes[item.label];
    const auto known = std::find(classes.begin(), classes.end(), name);
    if (known == classes.end() || (max_per_class > 0 && taken[item.label]++ >= max_per_class)) continue;
    pending.push_back({item.path, static_cast<int>(known - classes.begin()),
                       split_of(field_photo_name(item.path.filename().string())), Source::Field});
  }
  for (const std::string& name : field.classes)
    if (std::find(classes.begin(), classes.end(), name) == classes.end())
      std::cerr << "warning: field folder " << (dir / name).string() << " is not a class of the lab data; skipped\n";
  return decode_all(pending, size);
}

RgbImage cached_rgb(const ImageSet& images, int64_t index) {
  // Plain pointer arithmetic on the contiguous CPU cache: safe from many threads at once.
  RgbImage image;
  image.height = static_cast<int>(images.pixels.size(1));
  image.width = static_cast<int>(images.pixels.size(2));
  const size_t bytes = static_cast<size_t>(image.height) * image.width * 3;
  const uint8_t* first = images.pixels.data_ptr<uint8_t>() + static_cast<size_t>(index) * bytes;
  image.pixels.assign(first, first + bytes);
  return image;
}

void append_images(ImageSet& into, ImageSet&& more) {
  into.pixels = into.size() == 0 ? more.pixels : torch::cat({into.pixels, more.pixels});
  into.labels.insert(into.labels.end(), more.labels.begin(), more.labels.end());
  into.splits.insert(into.splits.end(), more.splits.begin(), more.splits.end());
  into.sources.insert(into.sources.end(), more.sources.begin(), more.sources.end());
  into.paths.insert(into.paths.end(), more.paths.begin(), more.paths.end());
  into.skipped += more.skipped;
}

}  // namespace leafcheck::train
