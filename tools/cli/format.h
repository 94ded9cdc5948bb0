// Values as the CLI prints them: JSON strings and numbers, percentages in text.
#pragma once

#include <string>
#include <string_view>

namespace leafcheck::cli {

// JSON strings must be valid UTF-8; file names need not be, so stray bytes become U+FFFD.
std::string json_string(std::string_view text);
// Non-finite values (an accuracy over no images) become null.
std::string json_number(double value);
// Fixed width ("  5.0%", " 99.9%") so that columns line up.
std::string percent(double fraction);

}  // namespace leafcheck::cli
