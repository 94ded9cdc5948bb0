// CRC-32 (IEEE 802.3, the zlib/PNG polynomial): the checksum that ends every model file.
#pragma once

#include <cstdint>
#include <span>

namespace leafcheck {

uint32_t crc32(std::span<const uint8_t> bytes);

}  // namespace leafcheck
