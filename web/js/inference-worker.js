// Runs the WebAssembly classifier off the main thread. Protocol (all messages carry the caller's id):
//   {type: 'init', engines: {threads: {module, wasm, worker}, simd: {module, wasm}, nosimd: {module, wasm}}, model: url}
//     -> {ok: true, result: {engine, simd, threads, arithmetic, labels, metadata, inputWidth, inputHeight, modelRepaired}}
//   (engine: 'threads', 'simd' or 'nosimd', chosen by engine-choice.js; threads: how many run each inference;
//   arithmetic: 'int8' where an int8 model runs on the int8 kernels (any SIMD build), else 'f32')
//   {type: 'classify-picture', picture: Blob}                      -> {ok: true, result: classification}
//   (a classification's top holds every class, best first: the page's crop choice needs them all)
//   {type: 'classify-rgba', pixels: ArrayBuffer, width, height}     -> {ok: true, result: classification}
//   {type: 'classify-frame', frame: ImageBitmap (transferred)}       -> {ok: true, result: classification}
//   {type: 'store-pictures', source: Blob or ImageData}             -> {ok: true, result: {photo, thumbnail}}
//   {type: 'memory'}  -> {ok: true, result: {heapBytesInUse, memoryBytes}} (C++ heap in use, wasm memory size)
// A classification says which decoder read the picture, `decoder`: 'image-decoder' or 'create-image-bitmap'
// (the browser's, model-picture.js), 'engine' (the C++ decoder: pictures the browser cannot decode, and
// the over-limit refusal), 'rgba' (pixels handed over) or 'frame' (a live camera frame, already small).
// Failures answer {ok: false, error: {name, message}} with the engine's error name (ImageError, ModelError).
// Engine and model URLs both come from one build's build-info, so a worker never pairs an old model
// with a new engine.
import { loadModel } from './model-loader.js';
import { classifyModelPixels, modelPixels } from './model-picture.js';
import { storedPictures } from './stored-pictures.js';
import { engineCandidates } from './engine-choice.js';
import { startEngine } from './engine-start.js';
import { supportsWasmSimd, supportsWasmThreads } from './wasm-features.js';

// Every class, best first (the engine clamps the count to the model's).
const ALL_CLASSES = 1 << 16;

let classifierPromise = null;

function browserFeatures() {
  return {
    simd: supportsWasmSimd(),
    sharedMemory: supportsWasmThreads(),
    isolated: self.crossOriginIsolated === true,
    hardwareConcurrency: self.navigator?.hardwareConcurrency,
  };
}

// The best build that loads: a threaded build that fails to start (a browser refusing shared memory
// of its size, say) gives way to the single-thread ones.
async function loadEngine(engines) {
  const candidates = engineCandidates(engines, browserFeatures());
  for (const [i, candidate] of candidates.entries()) {
    try {
      return { candidate, wasm: await startEngine(candidate.files, candidate.threads, self.location.href) };
    } catch (error) {
      if (i === candidates.length - 1) throw error;
      console.warn(`Leafcheck: the ${candidate.name} engine did not start, trying ${candidates[i + 1].name}:`, error);
    }
  }
  throw new Error('no engine build to load');
}

// The model downloads while the engine starts; neither waits for the other.
async function createClassifier({ engines, model }) {
  const engine = loadEngine(engines);
  // A failed download leaves the engine's outcome unread; that is no error of its own.
  engine.catch(() => {});
  const { classifier, repaired } = await loadModel(new URL(model, self.location.href).href, async (bytes) => {
    const { candidate, wasm } = await engine;
    return new wasm.Classifier(bytes, candidate.threads);
  });
  const { candidate, wasm } = await engine;
  let metadata = {};
  try {
    metadata = JSON.parse(classifier.metadata());
  } catch {
    metadata = {};
  }
  return {
    wasm,
    classifier,
    info: {
      engine: candidate.name,
      simd: candidate.name !== 'nosimd',
      threads: classifier.threads(),
      arithmetic: classifier.int8() ? 'int8' : 'f32',
      labels: classifier.labels(),
      metadata,
      inputWidth: classifier.inputWidth(),
      inputHeight: classifier.inputHeight(),
      modelRepaired: repaired,
    },
  };
}

// Copies the engine's answer field by field so only clonable data crosses to the page.
function plain(result, decoder) {
  return {
    top: result.top.map(({ index, label, probability }) => ({ index, label, probability })),
    looksLikeLeaf: result.looksLikeLeaf,
    somethingToSee: result.somethingToSee,
    timings: { ...result.timings },
    decoder,
  };
}

async function classifyPicture(picture) {
  const { classifier, info } = await classifierPromise;
  const started = performance.now();
  const decoded = await modelPixels(picture, info.inputWidth, info.inputHeight);
  if (!decoded) {
    return plain(classifier.classifyEncoded(new Uint8Array(await picture.arrayBuffer()), ALL_CLASSES), 'engine');
  }
  const decodeMs = performance.now() - started;
  const result = plain(classifyModelPixels(classifier, decoded, ALL_CLASSES), decoded.via);
  result.timings.decodeMs = decodeMs;
  return result;
}

// Live mode's frames arrive scaled down (live-view.js), so reading them back here is cheap and keeps
// that readback off the page's thread.
function framePixels(frame) {
  try {
    const canvas = new OffscreenCanvas(frame.width, frame.height);
    const context = canvas.getContext('2d', { willReadFrequently: true });
    context.drawImage(frame, 0, 0);
    return context.getImageData(0, 0, frame.width, frame.height);
  } finally {
    frame.close();
  }
}

async function handle(message) {
  switch (message.type) {
    case 'init':
      if (!classifierPromise) classifierPromise = createClassifier(message);
      return (await classifierPromise).info;
    case 'classify-picture':
      return classifyPicture(message.picture);
    case 'classify-rgba': {
      const { classifier } = await classifierPromise;
      return plain(classifier.classifyRgba(new Uint8Array(message.pixels), message.width, message.height, ALL_CLASSES), 'rgba');
    }
    case 'classify-frame': {
      const { classifier } = await classifierPromise;
      const pixels = framePixels(message.frame);
      return plain(classifier.classifyRgba(pixels.data, pixels.width, pixels.height, ALL_CLASSES), 'frame');
    }
    case 'store-pictures':
      return storedPictures(message.source);
    case 'memory': {
      // For the heap soak (tools/heap-soak.mjs): does memory stay bounded over many scans?
      const { wasm } = await classifierPromise;
      return { heapBytesInUse: wasm.heapBytesInUse(), memoryBytes: wasm.HEAPU8.length };
    }
    default:
      throw new Error(`unknown request ${message.type}`);
  }
}

self.addEventListener('message', async ({ data }) => {
  try {
    const result = await handle(data);
    self.postMessage({ id: data.id, ok: true, result });
  } catch (error) {
    // A failed start must be retryable (e.g. the model download was interrupted).
    if (data.type === 'init') classifierPromise = null;
    const name = error && typeof error === 'object' && 'name' in error ? String(error.name) : 'Error';
    const text = error && typeof error === 'object' && 'message' in error ? String(error.message) : String(error);
    self.postMessage({ id: data.id, ok: false, error: { name, message: text } });
  }
});
