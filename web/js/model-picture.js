// A photo decoded by the browser's own decoder and scaled down for the engine, in the worker. Any
// format the browser knows scans (JPEG, PNG, WebP, AVIF, GIF, HEIC in Safari), and a 12 MP photo no
// longer waits for stb_image in WebAssembly (120-700 ms here).
//
// The engine still makes the model input itself (centre crop, area-averaging resize, wasm/image.cpp):
// the browser only hands over a smaller picture whose crop is still at least MIN_FACTOR times the
// model input, so the input stays the C++ decode path's within rounding (tools/decode-agreement.mjs
// measures how often the two paths agree).
//
// Fastest first: WebCodecs' ImageDecoder asked for the smallest size it can make decodes a JPEG at 1/8
// scale in the DCT (each pixel the mean of an 8x8 block: an area average itself), 5-10 ms for 12 MP
// where createImageBitmap's full decode took 120-350 ms here. Only where its frames carry the EXIF
// orientation (VideoFrame.rotation), and only when that scale still leaves enough pixels; otherwise
// createImageBitmap decodes the whole picture upright and scales it down (resizeQuality 'high').

// The crop side the browser may shrink a picture to, in multiples of the model input's side.
export const MIN_FACTOR = 2;
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

// An upright VideoFrame at the decoder's smallest scale, or null when that is too small, too large
// or not possible here.
async function decodeScaled(blob, inputWidth, inputHeight) {
  if (!canScaleInDecoder() || !blob.type || !(await ImageDecoder.isTypeSupported(blob.type))) return null;
  const decoder = new ImageDecoder({
    data: await blob.arrayBuffer(),
    type: blob.type,
    desiredWidth: 1,
    desiredHeight: 1,
    colorSpaceConversion: 'none',
  });
  try {
    const { image } = await decoder.decode();
    const { displayWidth: width, displayHeight: height } = image;
    if (cropFactor(width, height, inputWidth, inputHeight) < MIN_FACTOR || width * height > MAX_PIXELS) {
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
