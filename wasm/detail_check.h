// "Is there anything to see?": refuses to let the model judge a picture that holds no information.
//
// The network names one of its classes for any input, confidently even for a blank one: a fully
// transparent PNG and a 20000x3 green strip were both called "Orange (citrus): Huanglongbing".
// The model only sees the centre square of a photo, resized to its input (128x128), so a picture
// has nothing to see when that square is
//   - tiny: its side is under kMinCropSide pixels, i.e. blown up more than 4x into the input;
//   - a small part of the picture: the long side is more than kMaxAspect times the short one, so
//     the model would judge under a quarter of what the person photographed;
//   - featureless: the colours of the model input vary by less than kMinColourStddev (a blank,
//     one-colour or fully transparent image; PlantVillage leaves all vary by far more, see
//     wasm/README.md "Nothing to see"). Colour, not brightness alone: blue sky over grey concrete
//     has one brightness and is something to see (and "not a leaf").
// The app answers those "we can't tell" (web/js/verdict.js) and names no class.
#pragma once

#include "image.h"

namespace leafcheck {

inline constexpr int kMinCropSide = 32;
inline constexpr int kMaxAspect = 4;
inline constexpr float kMinColourStddev = 4.0f;

// Root mean square of the standard deviations of R, G and B (0..255) over an RGB image; 0 for an
// empty one.
float colour_stddev(const RgbImage& image);

// Whether the photo (its original size) and the model's input made from it have something to judge.
bool has_something_to_see(int photo_width, int photo_height, const RgbImage& model_input);

}  // namespace leafcheck
