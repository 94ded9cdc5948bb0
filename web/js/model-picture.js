// A photo decoded by the browser's own decoder and scaled down for the engine, in the worker. Any
// format the browser knows scans (JPEG, PNG, WebP, AVIF, GIF, HEIC in Safari), and a 12 MP photo no
// longer waits for stb_image in WebAssembly (120-700 ms here).
//
// The engine still makes the model input itself (centre crop, area-averaging resize, wasm/image.cpp):
// the browser only hands over a smaller picture whose crop is still at least MIN_FACTOR times the
// model input, so the input stays the C++ decode path's within rounding (tools/decode/agreement.mjs
// measures how often the two paths agree).
//
// Fastest first: a JPEG is decoded by WebCodecs' ImageDecoder at 1/2, 1/4 or 1/8 scale in the DCT
// (each pixel the mean of a block: an area average itself), the smallest scale that leaves the crop
// MIN_FACTOR times the input. For a 12 MP photo here that took a fraction of createImageBitmap's full
// decode (tools/tap-to-result.mjs). Only where its frames carry the EXIF orientation (VideoFrame.rotation);
// other formats, and browsers without it, decode the whole picture upright with createImageBitmap,
// which then scales it down (resizeQuality 'high').

// The crop side the browser may shrink a picture to, in multiples of the model input's side.
export const MIN_FACTOR = 3;
// Larger decoded pictures are scaled to this multiple of the input before the engine gets them.
export const DECODE_FACTOR = 4;
// The engine's own limit (DecodeLimits::max_pixels in wasm/image.h): larger pictures go to the engine's
// decoder, which refuses them with its message, so both paths refuse the same pictures.
export const MAX_PIXELS = 40_000_000;

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

// An upright VideoFrame of a JPEG decoded at a reduced scale, or null when that is not possible here.
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
    return image;
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

// {pixels: the ImageData the engine gets for `blob`, via: 'image-decoder' or 'create-image-bitmap'}, or
// null when the browser cannot decode it or it is over the engine's limit: the engine's decoder decides then.
export async function modelPixels(blob, inputWidth, inputHeight) {
  let picture;
  try {
    picture = (await decodeScaled(blob, inputWidth, inputHeight).catch(() => null)) ?? (await decodeWhole(blob));
  } catch {
    return null;
  }
  if (!picture) return null;
  const via = picture instanceof ImageBitmap ? 'create-image-bitmap' : 'image-decoder';
  try {
    const [width, height] = sizeOf(picture);
    const size = modelDecodeSize(width, height, inputWidth, inputHeight) ?? { width, height };
    const canvas = new OffscreenCanvas(size.width, size.height);
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (size.width !== width) {
      const scaled = await createImageBitmap(picture, { resizeWidth: size.width, resizeHeight: size.height, resizeQuality: 'high' });
      context.drawImage(scaled, 0, 0);
      scaled.close();
    } else {
      context.drawImage(picture, 0, 0);
    }
    return { pixels: context.getImageData(0, 0, size.width, size.height), via };
  } finally {
    picture.close();
  }
}
