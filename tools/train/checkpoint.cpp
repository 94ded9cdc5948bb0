#include "checkpoint.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <stdexcept>

namespace leafcheck::train {

namespace fs = std::filesystem;

RunState read_state(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read training state " + file.string());
  std::map<std::string, double> values;
  std::string key;
  double value;
  while (in >> key >> value) values[key] = value;
  RunState s;
  s.epochs_done = static_cast<int>(values["epochs_done"]);
  s.epochs = static_cast<int>(values["epochs"]);
  s.examples = static_cast<size_t>(values["examples"]);
  s.seconds = values["seconds"];
  s.validation_top1 = values.count("validation_top1") ? values["validation_top1"] : -1;
  s.finished = values["finished"] != 0;
  return s;
}

void write_state(const fs::path& file, const RunState& s) {
  const fs::path tmp = file.string() + ".tmp";
  {
    std::ofstream out(tmp);
    out.precision(17);
    out << "epochs_done " << s.epochs_done << "\nepochs " << s.epochs << "\nexamples " << s.examples
        << "\nseconds " << s.seconds << "\nvalidation_top1 " << s.validation_top1 << "\nfinished "
        << (s.finished ? 1 : 0) << "\n";
    if (!out) throw std::runtime_error("cannot write " + tmp.string());
  }
  fs::rename(tmp, file);
}

void set_learning_rate(torch::optim::Adam& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
}

double learning_rate_at(double peak, int warmup_steps, int64_t step, int64_t total_steps) {
  const int64_t warmup = std::max<int64_t>(1, std::min<int64_t>(warmup_steps, total_steps / 5));
  if (step < warmup) return peak * static_cast<double>(step + 1) / warmup;
  const double progress = static_cast<double>(step - warmup) / std::max<int64_t>(1, total_steps - warmup);
  return peak * 0.5 * (1.0 + std::cos(M_PI * progress));
}

std::string format_duration(double seconds) {
  const long s = std::lround(std::max(0.0, seconds));
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s / 60) % 60);
  else
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  return buf;
}

}  // namespace leafcheck::train
