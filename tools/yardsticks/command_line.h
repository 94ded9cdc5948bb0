// Command lines of the small yardstick helpers: "--flag VALUE" pairs, every flag required.
#pragma once

#include <initializer_list>
#include <map>
#include <string>

namespace leafcheck::yardsticks {

// Returns flag -> value for exactly `flags`; throws std::invalid_argument naming what is wrong or
// missing (with the usage); --help or -h prints the usage and exits 0.
std::map<std::string, std::string> parse_required_flags(int argc, char** argv, std::initializer_list<std::string> flags,
                                                        const std::string& usage);

}  // namespace leafcheck::yardsticks
