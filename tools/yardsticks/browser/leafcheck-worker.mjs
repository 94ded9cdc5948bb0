// Leafcheck's engine as the app loads it (build-info.js: engine build and model; engine-start.js: the
// engine's files), classifying the fixed RGBA picture; the output is every class's probability.
import buildInfo from '/js/build-info.js';
import { startEngine } from '/js/engine-start.js';
import { serve } from './worker-frame.mjs';

// build 'threads': the pthreads build with `threads` threads (the page is cross-origin isolated).
serve(async ({ build, threads, rgba, width, height }) => {
  const base = new URL('/js/', self.location.origin);
  const [wasm, model] = await Promise.all([
    startEngine(buildInfo.engines[build], threads, base),
    fetch(new URL(buildInfo.model.url, base)).then((response) => response.arrayBuffer()),
  ]);
  const classifier = new wasm.Classifier(new Uint8Array(model), threads);
  const classes = classifier.labels().length;
  const pixels = new Uint8Array(rgba);
  return () => {
    const probabilities = new Float32Array(classes);
    for (const { index, probability } of classifier.classifyRgba(pixels, width, height, classes).top) probabilities[index] = probability;
    return probabilities;
  };
});
