#include "dataset.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <stdexcept>
#include <system_error>

namespace leafcheck {
namespace {

namespace fs = std::filesystem;

uint64_t fnv1a64(std::string_view text) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}


bool is_hidden(const fs::path& path) { return !path.filename().empty() && path.filename().string().front() == '.'; }

}  // namespace

bool is_image_file_name(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png";
}

std::vector<fs::path> image_files_in(const fs::path& dir, bool recursive) {
  if (!fs::is_directory(dir)) throw std::runtime_error("image folder not found: " + dir.string());
  std::vector<fs::path> files;
  auto take = [&](const fs::directory_entry& entry) {
    if (entry.is_regular_file() && is_image_file_name(entry.path()) && !is_hidden(entry.path())) files.push_back(entry.path());
  };
  if (recursive)
    for (const auto& entry : fs::recursive_directory_iterator(dir)) take(entry);
  else
    for (const auto& entry : fs::directory_iterator(dir)) take(entry);
  std::sort(files.begin(), files.end());
  return files;
}

Split split_of(std::string_view file_name) {
  const uint64_t bucket = fnv1a64(file_name) % 100;
  if (bucket < 70) return Split::Train;
  if (bucket < 85) return Split::Validation;
  return Split::Test;
}

const char* split_name(Split split) {
  switch (split) {
    case Split::Train: return "train";
    case Split::Validation: return "validation";
    case Split::Test: return "test";
  }
  return "train";
}

std::optional<Split> parse_split(std::string_view name) {
  for (Split split : {Split::Train, Split::Validation, Split::Test}) {
    if (name == split_name(split)) return split;
  }
  return std::nullopt;
}

std::string field_photo_name(std::string_view crop_file_name) {
  const fs::path name{std::string(crop_file_name)};
  const std::string stem = name.stem().string();
  const size_t underscore = stem.rfind('_');
  const bool numbered = underscore != std::string::npos && underscore + 1 < stem.size() &&
                        stem.find_first_not_of("0123456789", underscore + 1) == std::string::npos;
  return (numbered ? stem.substr(0, underscore) : stem) + name.extension().string();
}

bool is_field_test_crop(std::string_view crop_file_name) {
  return split_of(field_photo_name(crop_file_name)) != Split::Train;
}

Dataset scan_dataset(const fs::path& root) {
  std::error_code ec;
  if (!fs::exists(root, ec)) throw std::runtime_error("dataset folder " + root.string() + " does not exist");
  if (!fs::is_directory(root, ec)) {
    throw std::runtime_error(root.string() + " is not a folder; a dataset is <root>/<class name>/*.jpg|jpeg|png");
  }

  std::vector<fs::path> class_dirs;
  for (const fs::directory_entry& entry : fs::directory_iterator(root)) {
    if (entry.is_directory() && !is_hidden(entry.path())) class_dirs.push_back(entry.path());
  }
  std::sort(class_dirs.begin(), class_dirs.end(),
            [](const fs::path& a, const fs::path& b) { return a.filename().string() < b.filename().string(); });
  if (class_dirs.empty()) {
    throw std::runtime_error("dataset folder " + root.string() +
                             " has no class folders; expected <root>/<class name>/*.jpg|jpeg|png");
  }

  Dataset dataset;
  for (const fs::path& dir : class_dirs) {
    const int label = static_cast<int>(dataset.classes.size());
    dataset.classes.push_back(dir.filename().string());
    std::vector<DatasetItem> items;
    for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
      if (!entry.is_regular_file() || is_hidden(entry.path()) || !is_image_file_name(entry.path())) continue;
      items.push_back({entry.path(), label, split_of(entry.path().filename().string())});
    }
    std::sort(items.begin(), items.end(), [](const DatasetItem& a, const DatasetItem& b) {
      return a.path.filename().string() < b.path.filename().string();
    });
    dataset.items.insert(dataset.items.end(), items.begin(), items.end());
  }
  return dataset;
}

std::optional<fs::path> find_shared_data_dir() {
  std::error_code ec;
  // An explicit setting wins outright: silently falling back to another folder would evaluate the wrong data.
  if (const char* env = std::getenv("LEAFCHECK_DATA_DIR"); env && *env) {
    if (fs::is_directory(env, ec)) return fs::path(env);
    return std::nullopt;
  }
  const fs::path default_dir = fs::path(LEAFCHECK_SOURCE_DIR) / ".." / "shared" / "data";
  if (fs::is_directory(default_dir, ec)) return fs::weakly_canonical(default_dir, ec);
  return std::nullopt;
}

}  // namespace leafcheck
