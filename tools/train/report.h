// The experiment's report: the model card (README.md) with every figure measured in this run,
// results.json, per-class accuracy CSV, and a confusion matrix CSV + PNG per arm.
#pragma once

#include <filesystem>

#include "experiment.h"

namespace leafcheck::train {

void write_report(const ExperimentReport& report, const std::filesystem::path& dir);

}  // namespace leafcheck::train
