#include "command_line.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace leafcheck::yardsticks {

std::map<std::string, std::string> parse_required_flags(int argc, char** argv, std::initializer_list<std::string> flags,
                                                        const std::string& usage) {
  std::map<std::string, std::string> values;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(usage.c_str(), stdout);
      std::exit(0);
    }
    if (std::find(flags.begin(), flags.end(), arg) == flags.end()) {
      throw std::invalid_argument("unknown argument '" + arg + "'\n" + usage);
    }
    if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value\n" + usage);
    values[arg] = argv[++i];
  }
  for (const std::string& flag : flags) {
    if (!values.contains(flag)) throw std::invalid_argument(flag + " is required\n" + usage);
  }
  return values;
}

int report_errors(const std::string& tool, const std::function<int()>& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", tool.c_str(), e.what());
    return 1;
  }
}

}  // namespace leafcheck::yardsticks
