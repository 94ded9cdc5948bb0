// Which training images count as labelled in an experiment arm.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <vector>

#include "image_cache.h"

namespace leafcheck::train {

// Indices of the images in `split` with a known label, from the given sources.
std::vector<int64_t> indices_of(const ImageSet& images, Split split,
                                std::initializer_list<Source> sources = {Source::Lab, Source::NotLeaf, Source::Field});

// Stratified and deterministic: per class, the round(fraction * n) (at least 1) images of `split`
// whose file names hash lowest under `seed`. Depends only on file names, so adding images does not
// reshuffle the old ones, and a smaller fraction is always a subset of a larger one.
std::vector<int64_t> stratified_fraction(const ImageSet& images, Split split, double fraction, uint64_t seed);

}  // namespace leafcheck::train
