// Leafcheck's engine as the app loads it (build-info.js: engine build and model), classifying the fixed
// RGBA picture; the output is every class's probability.
import buildInfo from '/js/build-info.js';
import { serve } from './worker-frame.mjs';

serve(async ({ build, rgba, width, height }) => {
  const base = new URL('/js/', self.location.origin);
  const engine = buildInfo.engines[build];
  const [{ default: createModule }, model] = await Promise.all([
    import(new URL(engine.module, base).href),
    fetch(new URL(buildInfo.model.url, base)).then((response) => response.arrayBuffer()),
  ]);
  const wasm = await createModule({ locateFile: () => new URL(engine.wasm, base).href });
  const classifier = new wasm.Classifier(new Uint8Array(model));
  const classes = classifier.labels().length;
  const pixels = new Uint8Array(rgba);
  return () => {
    const probabilities = new Float32Array(classes);
    for (const { index, probability } of classifier.classifyRgba(pixels, width, height, classes).top) probabilities[index] = probability;
    return probabilities;
  };
});
