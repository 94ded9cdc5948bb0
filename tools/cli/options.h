// leafcheck-cli's command line: what it asks for and the usage text.
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "dataset.h"

namespace leafcheck::cli {

extern const char* const kUsage;

// An empty message asks for the usage text on stdout (-h, --help) rather than an error.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// --split NAME: one split of lab dataset roots, drawn by file name as training draws it, or
// "field-test": the field crops training only measured (is_field_test_crop, split by photo).
struct SplitChoice {
  std::optional<Split> lab;  // empty for field-test

  std::string name() const;  // as --split takes it
  bool keeps(const std::filesystem::path& file) const;
};

struct Options {
  std::filesystem::path model;
  int top = 3;
  int threads = 1;
  bool json = false;
  bool labels_from_folders = false;
  bool summary_only = false;
  std::optional<SplitChoice> split;
  std::vector<std::filesystem::path> paths;
};

// Throws UsageError.
Options parse_options(int argc, char** argv);

}  // namespace leafcheck::cli
