// results.json: every figure of the run in machine-readable form. The run folder's file holds the
// means over seeds, the shipped seed's model files (what tools/train/verify-models.mjs checks with
// leafcheck-cli) and every seed's arms; each seed-N/ folder holds its own.
#pragma once

#include <string>

#include "experiment.h"

namespace leafcheck::train {

std::string results_json(const ExperimentResults& results);
std::string seed_results_json(const ExperimentReport& report);

}  // namespace leafcheck::train
