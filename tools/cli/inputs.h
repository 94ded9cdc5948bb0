// The images a run classifies: PATHs expanded to image files, each with its folder class.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "classifier.h"
#include "options.h"

namespace leafcheck::cli {

struct Item {
  std::filesystem::path path;
  std::string true_class;  // labels mode only
  std::string error;       // set when the image could not be read or classified
  Classification result;
};

struct Inputs {
  std::vector<Item> items;
  bool has_folder = false;
  std::vector<std::string> missing;  // paths that do not exist
};

// Throws when a folder cannot be listed or (with --split) is not a dataset.
Inputs collect_inputs(const Options& options);

}  // namespace leafcheck::cli
