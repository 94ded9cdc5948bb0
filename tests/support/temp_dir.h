// Scratch folders for tests that need files on disk.
#pragma once

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace leafcheck::fixtures {

// A fresh folder under the system temp dir, removed with everything in it at scope exit.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("leafcheck-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A file (and its folders) whose bytes are not an image: for code that must only list files.
inline void touch(const std::filesystem::path& path) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << "not really an image: the scanner must not read it";
}

}  // namespace leafcheck::fixtures
