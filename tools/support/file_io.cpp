#include "file_io.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>

namespace leafcheck {

namespace fs = std::filesystem;

std::vector<uint8_t> read_file(const fs::path& path) {
  constexpr std::streamoff kMaxBytes = std::streamoff{512} << 20;
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw std::runtime_error("is a folder");
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw std::runtime_error(std::string("cannot open: ") + std::strerror(errno));
  const std::streamoff size = in.tellg();
  if (size < 0) throw std::runtime_error("cannot read the file size");
  if (size > kMaxBytes) throw std::runtime_error("file is " + std::to_string(size >> 20) + " MiB; too large to be an input");
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  in.seekg(0);
  if (!in.read(reinterpret_cast<char*>(bytes.data()), size)) throw std::runtime_error("read failed");
  return bytes;
}

void write_file_atomically(const fs::path& path, std::span<const uint8_t> bytes) {
  fs::path temporary = path;
  temporary += ".partial";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) {
      throw std::runtime_error("cannot create '" + temporary.string() + "': " + std::strerror(errno) +
                               " (check that the folder exists and is writable)");
    }
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) {
      out.close();
      std::error_code ignored;
      fs::remove(temporary, ignored);
      throw std::runtime_error("could not write all of '" + path.string() + "' (disk full?); the previous file is unchanged");
    }
  }
  std::error_code ec;
  fs::rename(temporary, path, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(temporary, ignored);
    throw std::runtime_error("cannot replace '" + path.string() + "': " + ec.message());
  }
}

}  // namespace leafcheck
