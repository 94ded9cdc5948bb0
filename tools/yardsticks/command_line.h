// Command lines of the small yardstick helpers: "--flag VALUE" pairs, every flag required, and how
// their main() reports a failure.
#pragma once

#include <functional>
#include <initializer_list>
#include <map>
#include <string>

namespace leafcheck::yardsticks {

// Returns flag -> value for exactly `flags`; throws std::invalid_argument naming what is wrong or
// missing (with the usage); --help or -h prints the usage and exits 0.
std::map<std::string, std::string> parse_required_flags(int argc, char** argv, std::initializer_list<std::string> flags,
                                                        const std::string& usage);

// main()'s body for every helper: returns body(), or prints "TOOL: message" to stderr and returns 1
// if it throws, so each fails the same way.
int report_errors(const std::string& tool, const std::function<int()>& body);

}  // namespace leafcheck::yardsticks
