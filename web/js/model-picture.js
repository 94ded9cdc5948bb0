// A photo decoded by the browser's own decoder and scaled down for the engine, in the worker. Any
// format the browser knows scans (JPEG, PNG, WebP, AVIF, GIF, HEIC in Safari), and a 12 MP photo no
// longer waits for stb_image in WebAssembly (120-700 ms here).
//
// The engine still makes the model input itself (area-averaging resize, wasm/image.cpp): the browser
// hands over a smaller picture whose crop is still at least MIN_FACTOR times the model input, and
// the region of it that the full photo's centre crop covers, in its own (fractional) pixel
// coordinates. The engine averages exactly that region, so the input stays the C++ decode path's
// within rounding (tools/decode/agreement.mjs measures how often the two paths agree). Centring a
// crop in the smaller picture instead is off by up to half a reduced pixel wherever the sizes do not
// divide evenly (a 4000x2252 photo at 1/4), and that alone changed the input by about a level.
//
// Fastest first: a JPEG is decoded by WebCodecs' ImageDecoder at 1/2, 1/4 or 1/8 scale in the DCT
// (each pixel about the mean of a block: an area average itself), the smallest scale that leaves the
// crop MIN_FACTOR times the input, and handed over as it comes: scaling it further with the browser's
// filter moved the input by about a level (0.8-1.1 mean) against the full decode's, the DCT scale
// alone by 0.1. For a 12 MP photo here that took a fraction of createImageBitmap's full decode
// (tools/tap-to-result.mjs). Only where its frames carry the EXIF orientation (VideoFrame.rotation);
// other formats, and browsers without it, decode the whole picture upright with createImageBitmap,
// which then scales it down (resizeQuality 'high').

// The crop side the browser may shrink a picture to, in multiples of the model input's side.
export const MIN_FACTOR = 3;
// Larger decoded pictures are scaled to this multiple of the input before the engine gets them.
export const DECODE_FACTOR = 4;
// The engine's own limit (DecodeLimits::max_pixels in wasm/image.h): larger pictures go to the engine's
// decoder, which refuses them with its message, so both paths refuse the same pictures.
export const MAX_PIXELS = 40_000_000;

// The engine's centre crop of a width x height picture (center_crop_region in wasm/image.cpp):
// {x, y, width, height}, whole pixels.
export function centerCropRegion(width, height, inputWidth, inputHeight) {
  let cropWidth = width;
  let cropHeight = height;
  if (width * inputHeight > height * inputWidth) cropWidth = Math.max(1, Math.floor((height * inputWidth) / inputHeight));
  else cropHeight = Math.max(1, Math.floor((width * inputHeight) / inputWidth));
  return { x: Math.floor((width - cropWidth) / 2), y: Math.floor((height - cropHeight) / 2), width: cropWidth, height: cropHeight };
}

// The centre crop of a fullWidth x fullHeight picture in the coordinates of the same picture scaled by
// scaleX, scaleY: the region the engine is to average (Classifier.classifyRgbaRegion).
export function scaledCropRegion(fullWidth, fullHeight, scaleX, scaleY, inputWidth, inputHeight) {
  const crop = centerCropRegion(fullWidth, fullHeight, inputWidth, inputHeight);
  return { x: crop.x * scaleX, y: crop.y * scaleY, width: crop.width * scaleX, height: crop.height * scaleY };
}

// How many times the engine's centre crop of a width x height picture is larger than the model input.
function cropFactor(width, height, inputWidth, inputHeight) {
  return width * inputHeight > height * inputWidth ? height / inputHeight : width / inputWidth;
}

// The size to scale a width x height picture to, or null to hand it over as it is: the sides of the
// engine's crop (the largest centred region with the input's aspect ratio) become `factor` times the input's.
export function modelDecodeSize(width, height, inputWidth, inputHeight, factor = DECODE_FACTOR) {
  const scale = factor / cropFactor(width, height, inputWidth, inputHeight);
  if (scale >= 1) return null;
  const wide = width * inputHeight > height * inputWidth;
  return {
    width: wide ? Math.max(1, Math.round(width * scale)) : factor * inputWidth,
    height: wide ? factor * inputHeight : Math.max(1, Math.round(height * scale)),
  };
}

function canScaleInDecoder() {
  return typeof ImageDecoder === 'function' && typeof VideoFrame === 'function' && 'rotation' in VideoFrame.prototype;
}

// The coded size of a JPEG from its start-of-frame segment (before any EXIF orientation), or null.
export function jpegSize(bytes) {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  let at = 2;
  while (at + 9 < bytes.length && bytes[at] === 0xff) {
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    // SOF0-SOF15, less DHT (C4), JPG (C8) and DAC (CC), which share the range.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: (bytes[at + 5] << 8) | bytes[at + 6], width: (bytes[at + 7] << 8) | bytes[at + 8] };
    }
    at += 2 + ((bytes[at + 2] << 8) | bytes[at + 3]);
  }
  return null;
}

// The largest of 1/8, 1/4, 1/2 (as its denominator) at which the crop of a width x height picture, in
// either orientation, is still at least MIN_FACTOR times the input; null when none is.
export function jpegScale(width, height, inputWidth, inputHeight) {
  return [8, 4, 2].find((d) => {
    const [w, h] = [Math.ceil(width / d), Math.ceil(height / d)];
    return Math.min(cropFactor(w, h, inputWidth, inputHeight), cropFactor(h, w, inputWidth, inputHeight)) >= MIN_FACTOR;
  }) ?? null;
}

// {picture: an upright VideoFrame of a JPEG decoded at a reduced scale, fullWidth, fullHeight (the
// photo's upright size), scale}, or null when that is not possible here.
async function decodeScaled(blob, inputWidth, inputHeight) {
  if (!canScaleInDecoder() || (blob.type !== 'image/jpeg' && blob.type !== '')) return null;
  const bytes = new Uint8Array(await blob.arrayBuffer());
  const size = jpegSize(bytes);
  if (!size || size.width * size.height > MAX_PIXELS) return null;
  const scale = jpegScale(size.width, size.height, inputWidth, inputHeight);
  if (!scale) return null;
  const wanted = [Math.ceil(size.width / scale), Math.ceil(size.height / scale)];
  const decoder = new ImageDecoder({ data: bytes, type: 'image/jpeg', desiredWidth: wanted[0], desiredHeight: wanted[1], colorSpaceConversion: 'none' });
  try {
    const { image } = await decoder.decode();
    if (image.codedWidth !== wanted[0] || image.codedHeight !== wanted[1]) {
      image.close();
      return null;
    }
    const turned = image.rotation === 90 || image.rotation === 270;
    return { picture: image, fullWidth: turned ? size.height : size.width, fullHeight: turned ? size.width : size.height, scale };
  } finally {
    decoder.close();
  }
}

// The whole picture, upright, with the pixel values as stored: no colour-profile conversion, which
// stb_image (the training and CLI decoder) does not do either.
async function decodeWhole(blob) {
  const bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image', colorSpaceConversion: 'none' });
  if (bitmap.width * bitmap.height > MAX_PIXELS) {
    bitmap.close();
    return null;
  }
  return bitmap;
}

function sizeOf(picture) {
  return picture instanceof ImageBitmap ? [picture.width, picture.height] : [picture.displayWidth, picture.displayHeight];
}

// The picture drawn at width x height: one canvas, read back once.
async function readPixels(picture, width, height) {
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  const [pictureWidth] = sizeOf(picture);
  if (pictureWidth !== width) {
    const scaled = await createImageBitmap(picture, { resizeWidth: width, resizeHeight: height, resizeQuality: 'high' });
    context.drawImage(scaled, 0, 0);
    scaled.close();
  } else {
    context.drawImage(picture, 0, 0);
  }
  return context.getImageData(0, 0, width, height);
}

// {pixels: the ImageData the engine gets for `blob`, region: the part of it the engine is to average
// ({x, y, width, height}, or null for its own centre crop), via: 'image-decoder' or
// 'create-image-bitmap'}, or null when the browser cannot decode it or it is over the engine's limit:
// the engine's decoder decides then. A DCT-scaled 4032x3024 JPEG at 1/4: 1008x756 pixels, region
// {x: 126, y: 0, width: 756, height: 756}.
export async function modelPixels(blob, inputWidth, inputHeight) {
  let scaled;
  let picture;
  try {
    scaled = await decodeScaled(blob, inputWidth, inputHeight).catch(() => null);
    picture = scaled?.picture ?? (await decodeWhole(blob));
  } catch {
    return null;
  }
  if (!picture) return null;
  try {
    const [width, height] = sizeOf(picture);
    if (scaled) {
      // Pixel k of an axis decoded at 1/d covers the full photo's pixels [k d, (k + 1) d). For an axis
      // the EXIF orientation reverses, a photo side that is no multiple of d moves that grid by under
      // one reduced pixel; phone cameras' sides are multiples of 8.
      const region = scaledCropRegion(scaled.fullWidth, scaled.fullHeight, 1 / scaled.scale, 1 / scaled.scale, inputWidth, inputHeight);
      return { pixels: await readPixels(picture, width, height), region, via: 'image-decoder' };
    }
    const size = modelDecodeSize(width, height, inputWidth, inputHeight);
    if (!size) return { pixels: await readPixels(picture, width, height), region: null, via: 'create-image-bitmap' };
    const region = scaledCropRegion(width, height, size.width / width, size.height / height, inputWidth, inputHeight);
    return { pixels: await readPixels(picture, size.width, size.height), region, via: 'create-image-bitmap' };
  } finally {
    picture.close();
  }
}

// The engine's answer for what modelPixels gave (classifier: the engine's Classifier).
export function classifyModelPixels(classifier, { pixels, region }, topK) {
  return region
    ? classifier.classifyRgbaRegion(pixels.data, pixels.width, pixels.height, region.x, region.y, region.width, region.height, topK)
    : classifier.classifyRgba(pixels.data, pixels.width, pixels.height, topK);
}
