// Shared by the model card and results.json: number formatting and figures aggregated over seeds.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "experiment.h"

namespace leafcheck::train {

std::string fixed(double value, int decimals);
std::string pct(double fraction);                                // "98.31%"
std::string accuracy_with_count(double accuracy, size_t count);  // "98.31% (756/769)"

const ArmResult* find_arm(const ExperimentReport& report, const std::string& key);

// The arms that ran, in the order of the first seed's run.
std::vector<std::string> arm_keys(const ExperimentResults& results);

struct Spread {
  std::vector<double> values;  // one per seed that ran the arm
  double mean = 0;
  double stddev = 0;  // sample standard deviation (0 for one seed)
};

// Mean and sample standard deviation of any values (empty: zeros).
Spread spread_of(std::vector<double> values);

// A figure of one arm over every seed.
Spread over_seeds(const ExperimentResults& results, const std::string& key,
                  const std::function<double(const ArmResult&)>& figure);

// "98.31 ± 0.12%"
std::string mean_pm(const Spread& spread);

}  // namespace leafcheck::train
