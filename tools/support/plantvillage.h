// The 38 PlantVillage classes in the dataset's own naming and canonical order.
#pragma once

#include <string>
#include <vector>

namespace leafcheck {

const std::vector<std::string>& plantvillage_labels();

}  // namespace leafcheck
