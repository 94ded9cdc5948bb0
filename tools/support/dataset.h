// PlantVillage-layout folders (<root>/<class name>/*.jpg|jpeg|png) and the deterministic
// train/validation/test split shared by training and the CLI's --split option.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leafcheck {

enum class Split { Train, Validation, Test };

// By a hash of the file name alone (FNV-1a 64 of the name, mod 100: <70 train, <85 validation,
// else test), so adding images never moves old ones. Hashing each file independently keeps
// every class close to 70/15/15.
Split split_of(std::string_view file_name);
const char* split_name(Split split);                      // "train", "validation", "test"
std::optional<Split> parse_split(std::string_view name);  // inverse of split_name

// Field crops come several to a photo ("<photo>_<n>.jpg") and are split by the photo they were cut
// from, so that crops of one photo never land on both sides. Training draws its field crops from the
// photos in the train bucket and only measures on the rest: the card's "field test".
std::string field_photo_name(std::string_view crop_file_name);  // "IMG_12_0.jpg" -> "IMG_12.jpg"
bool is_field_test_crop(std::string_view crop_file_name);

struct DatasetItem {
  std::filesystem::path path;
  int label = 0;  // index into Dataset::classes
  Split split = Split::Train;
};

struct Dataset {
  std::vector<std::string> classes;  // sub-folder names, sorted
  std::vector<DatasetItem> items;    // sorted by class, then file name
};

// .jpg, .jpeg or .png, in any letter case: the files a dataset folder or the CLI reads.
bool is_image_file_name(const std::filesystem::path& path);

// The image files in `dir` (and its sub-folders when recursive), hidden ones left out, sorted: how training
// and calibration read the photos-without-a-leaf folder. Throws std::runtime_error when dir is no folder.
std::vector<std::filesystem::path> image_files_in(const std::filesystem::path& dir, bool recursive);

// Throws std::runtime_error with a clear message when root is missing or has no class folders.
Dataset scan_dataset(const std::filesystem::path& root);

// ../shared/data relative to the repository root, or $LEAFCHECK_DATA_DIR when set;
// std::nullopt when neither exists (callers say so clearly).
std::optional<std::filesystem::path> find_shared_data_dir();

}  // namespace leafcheck
