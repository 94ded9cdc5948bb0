#include "report_figures.h"

#include <cmath>
#include <cstdio>
#include <utility>

namespace leafcheck::train {

std::string fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

std::string pct(double fraction) { return fixed(100.0 * fraction, 2) + "%"; }

std::string accuracy_with_count(double accuracy, size_t count) {
  return pct(accuracy) + " (" + std::to_string(correct_count(accuracy, count)) + "/" + std::to_string(count) + ")";
}

const ArmResult* find_arm(const ExperimentReport& report, const std::string& key) {
  for (const ArmResult& arm : report.arms)
    if (arm.key == key) return &arm;
  return nullptr;
}

std::vector<std::string> arm_keys(const ExperimentResults& results) {
  std::vector<std::string> keys;
  if (!results.seeds.empty())
    for (const ArmResult& arm : results.seeds.front().arms) keys.push_back(arm.key);
  return keys;
}

Spread spread_of(std::vector<double> values) {
  Spread s;
  s.values = std::move(values);
  if (s.values.empty()) return s;
  for (double v : s.values) s.mean += v;
  s.mean /= static_cast<double>(s.values.size());
  if (s.values.size() > 1) {
    double squares = 0;
    for (double v : s.values) squares += (v - s.mean) * (v - s.mean);
    s.stddev = std::sqrt(squares / static_cast<double>(s.values.size() - 1));
  }
  return s;
}

Spread over_seeds(const ExperimentResults& results, const std::string& key,
                  const std::function<double(const ArmResult&)>& figure) {
  std::vector<double> values;
  for (const ExperimentReport& seed : results.seeds)
    if (const ArmResult* arm = find_arm(seed, key)) values.push_back(figure(*arm));
  return spread_of(std::move(values));
}

std::string mean_pm(const Spread& spread) {
  return fixed(100 * spread.mean, 2) + " ± " + fixed(100 * spread.stddev, 2) + "%";
}

}  // namespace leafcheck::train
