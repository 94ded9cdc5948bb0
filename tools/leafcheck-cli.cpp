// leafcheck-cli: classify photos with a Leafcheck model file, or evaluate a model on a
// PlantVillage-layout folder (--labels-from-folders, optionally on one split of it).
// The parts live in cli/: options, inputs, progress, evaluation, report, run.
#include <cstring>
#include <exception>
#include <iostream>

#include "options.h"
#include "run.h"

int main(int argc, char** argv) {
  using namespace leafcheck::cli;
  Options options;
  try {
    options = parse_options(argc, argv);
  } catch (const UsageError& e) {
    if (std::strlen(e.what()) == 0) {
      std::cout << kUsage;
      return 0;
    }
    std::cerr << "leafcheck-cli: " << e.what() << "\n(leafcheck-cli --help lists the options)\n";
    return 2;
  }
  try {
    return run(options);
  } catch (const std::exception& e) {
    std::cerr << "leafcheck-cli: " << e.what() << "\n";
    return 2;
  }
}
