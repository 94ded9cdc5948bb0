// A cheap "does this look like a leaf?" signal computed on the model's input pixels.
//
// PlantVillage models are only trained on leaves: shown a wall or a street they still name a
// disease, often confidently. The share of plant-coloured pixels (green through yellow-brown,
// saturated, not dark) separates part of those photos from leaves at almost no cost. On
// ../shared/data (128x128 crops): below 0.10 are 0.5% of the 5,098 PlantVillage leaves and 41% of
// the 500 photos without leaves. It is one signal beside the model's confidence, not a detector.
#pragma once

#include "image.h"

namespace leafcheck {

inline constexpr float kMinLeafFraction = 0.10f;

// Fraction (0..1) of pixels whose hue is 20..170 degrees with saturation >= 0.18 and value >= 0.12.
float plant_pixel_fraction(const RgbImage& image);

}  // namespace leafcheck
