// The experiment's report: the model card (README.md) with every figure measured in this run,
// results.json, per-class accuracy CSV, and a confusion matrix CSV + PNG per arm.
#pragma once

#include <filesystem>

#include "experiment.h"

namespace leafcheck::train {

// The model card (README.md), results.json, per-class CSV and confusion CSV + PNG of the shipped seed
// into dir; each seed's results.json into its own folder.
void write_report(const ExperimentResults& results, const std::filesystem::path& dir);

}  // namespace leafcheck::train
