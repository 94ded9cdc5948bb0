// SeedNet -> the engine's ModelSpec: each BatchNorm (running statistics) folded into the conv
// before it, so the engine runs conv+bias+ReLU only.
#pragma once

#include <string>
#include <vector>

#include "model.h"
#include "normalization.h"
#include "seed_net.h"

namespace leafcheck::train {

ModelSpec export_model(const SeedNet& net, const Normalization& norm, const std::vector<std::string>& labels,
                       const std::string& metadata_json);

}  // namespace leafcheck::train
