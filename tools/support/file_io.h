// Whole-file reads and crash-safe writes for the tools.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

namespace leafcheck {

// Throws std::runtime_error ("cannot open: No such file or directory", "is a folder", ...);
// callers put the path in front. Files over 512 MiB are refused: nothing the tools read is that big.
std::vector<uint8_t> read_file(const std::filesystem::path& path);

// Writes to a temporary file beside `path`, then renames it over `path`: a full disk or a crash
// leaves the previous file intact instead of a truncated one. Throws std::runtime_error.
void write_file_atomically(const std::filesystem::path& path, std::span<const uint8_t> bytes);

}  // namespace leafcheck
