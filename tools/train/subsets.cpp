#include "subsets.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <utility>

namespace leafcheck::train {
namespace {

uint64_t seeded_name_hash(const std::string& name, uint64_t seed) {
  uint64_t h = 1469598103934665603ULL ^ (seed * 0x9E3779B97F4A7C15ULL);  // FNV-1a, seeded
  for (unsigned char c : name) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  h ^= h >> 33;  // final avalanche (splitmix-style) so nearby names spread out
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

}  // namespace

std::vector<int64_t> indices_of(const ImageSet& images, Split split, std::initializer_list<Source> sources) {
  std::vector<int64_t> out;
  for (int64_t i = 0; i < images.size(); ++i)
    if (images.splits[i] == split && images.labels[i] != kUnknownLabel &&
        std::find(sources.begin(), sources.end(), images.sources[i]) != sources.end())
      out.push_back(i);
  return out;
}

std::vector<int64_t> stratified_fraction(const ImageSet& images, Split split, double fraction, uint64_t seed) {
  std::map<int, std::vector<std::pair<uint64_t, int64_t>>> by_class;
  for (int64_t i : indices_of(images, split))
    by_class[images.labels[i]].emplace_back(seeded_name_hash(images.paths[i].filename().string(), seed), i);
  std::vector<int64_t> out;
  for (auto& [label, keyed] : by_class) {
    std::sort(keyed.begin(), keyed.end());
    const size_t take = std::clamp<size_t>(static_cast<size_t>(std::lround(fraction * keyed.size())), 1, keyed.size());
    for (size_t k = 0; k < take; ++k) out.push_back(keyed[k].second);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace leafcheck::train
