// Runs in a page served with the built app (dist/): the app's two decode paths side by side on one file,
// the browser's (web/js/model-picture.js, what the worker uses) and the engine's C++ decoder
// (classifyEncoded), with the same engine build and model as the app. Used by tools/decode/agreement.mjs
// and tests/e2e/decode-paths.test.mjs.
import buildInfo from '/js/build-info.js';
import { classifyModelPixels, modelPixels } from '/js/model-picture.js';

// modelUrl: another model file than the app's, e.g. one that runs in f32 arithmetic.
export async function loadClassifier(modelUrl = null) {
  const base = new URL('/js/', location.origin);
  const { default: createModule } = await import(new URL(buildInfo.engines.simd.module, base).href);
  const wasm = await createModule({ locateFile: () => new URL(buildInfo.engines.simd.wasm, base).href });
  const model = await fetch(modelUrl ?? new URL(buildInfo.model.url, base));
  return new wasm.Classifier(new Uint8Array(await model.arrayBuffer()));
}

function probabilities(classifier, result) {
  const out = new Array(classifier.labels().length).fill(0);
  for (const { index, probability } of result.top) out[index] = probability;
  return out;
}

function summary(classifier, result) {
  const [best] = result.top;
  return { top1: best.label, probability: best.probability, probabilities: probabilities(classifier, result) };
}

// The largest difference between two answers' logits (up to the shift softmax ignores: log-probabilities
// less their mean), over every class; more telling than probabilities, which saturate near 0 and 1.
export function logitDistance(p, q) {
  const centred = (values) => {
    const logs = values.map((v) => Math.log(Math.max(v, 1e-30)));
    const mean = logs.reduce((sum, v) => sum + v, 0) / logs.length;
    return logs.map((v) => v - mean);
  };
  const [a, b] = [centred(p), centred(q)];
  return Math.max(...a.map((v, i) => Math.abs(v - b[i])));
}

// The pixels with one level added to or taken from every tenth value (a fixed pseudo-random pattern, alpha
// untouched): a change of the size two decoders' rounding makes, to see how far the model moves for it.
export function withRoundingNoise(pixels) {
  const data = new Uint8ClampedArray(pixels.data);
  let state = 2024;
  for (let i = 0; i < data.length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const draw = state >>> 16; // the generator's better bits
    if (i % 4 === 3 || draw % 10 !== 0) continue;
    data[i] += draw & 0x4000 ? 1 : -1; // clamped at 0 and 255 by the array
  }
  return new ImageData(data, pixels.width, pixels.height);
}

// {engine, browser, control: {top1, probability, probabilities}, via, maxDifference, logitDistance}:
// maxDifference is the largest absolute difference between the two paths' probabilities over every
// class; control is the browser path again with withRoundingNoise on its pixels.
export async function bothPaths(classifier, blob) {
  const all = classifier.labels().length;
  const engine = summary(classifier, classifier.classifyEncoded(new Uint8Array(await blob.arrayBuffer()), all));
  const decoded = await modelPixels(blob, classifier.inputWidth(), classifier.inputHeight());
  if (!decoded) throw new Error(`the browser could not decode a ${blob.type} file`);
  const browser = summary(classifier, classifyModelPixels(classifier, decoded, all));
  const control = summary(classifier, classifyModelPixels(classifier, { ...decoded, pixels: withRoundingNoise(decoded.pixels) }, all));
  const maxDifference = Math.max(...engine.probabilities.map((p, i) => Math.abs(p - browser.probabilities[i])));
  return { engine, browser, control, via: decoded.via, maxDifference, logitDistance: logitDistance(engine.probabilities, browser.probabilities) };
}

// A phone-sized JPEG of `photo` (a Blob): scaled to cover width x height, centred, with a fine grain
// like a camera sensor's so that the big picture is not just smooth upscaling.
export async function phoneJpeg(photo, width, height, quality = 0.9) {
  const source = await createImageBitmap(photo);
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d');
  context.imageSmoothingQuality = 'high';
  const scale = Math.max(width / source.width, height / source.height);
  const drawWidth = source.width * scale;
  const drawHeight = source.height * scale;
  context.drawImage(source, (width - drawWidth) / 2, (height - drawHeight) / 2, drawWidth, drawHeight);
  source.close();
  context.fillStyle = context.createPattern(grain(), 'repeat');
  context.fillRect(0, 0, width, height);
  return canvas.convertToBlob({ type: 'image/jpeg', quality });
}

let grainTile = null;
function grain() {
  if (grainTile) return grainTile;
  const side = 257;
  grainTile = new OffscreenCanvas(side, side);
  const context = grainTile.getContext('2d');
  const noise = context.createImageData(side, side);
  let state = 12345;
  for (let i = 0; i < noise.data.length; i += 4) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const value = state >>> 24;
    noise.data.set([value, value, value, 20], i);
  }
  context.putImageData(noise, 0, 0);
  return grainTile;
}

// The JPEG `bytes` with an EXIF block (APP1, big-endian TIFF, one IFD entry) saying `orientation`,
// inserted right after the start-of-image marker.
export function withExifOrientation(bytes, orientation) {
  const app1 = [0xff, 0xe1, 0x00, 0x22, 0x45, 0x78, 0x69, 0x66, 0x00, 0x00, 0x4d, 0x4d, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x08, 0x00, 0x01,
    0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, orientation, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];
  const out = new Uint8Array(bytes.length + app1.length);
  out.set(bytes.subarray(0, 2));
  out.set(app1, 2);
  out.set(bytes.subarray(2), 2 + app1.length);
  return out;
}
