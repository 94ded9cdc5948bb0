// Which engine build the inference worker loads, best first. Pure (features are passed in), so node tests
// check it. Builds (web/scripts/build.mjs): 'threads' (SIMD128 + pthreads), 'simd', 'nosimd'.
//
// The threaded build needs shared memory, which a browser grants only to a cross-origin isolated page
// (COOP/COEP headers). Static hosting sends none, so the service worker adds them to what it serves
// (service-worker/sw.js): the first visit, a hard reload (no service worker in control) and browsers
// without SharedArrayBuffer are not isolated and get the single-thread SIMD build; visits served by the
// service worker get threads. The page never reloads itself to become isolated.

// More threads than this buys little on a 128x128 input (layer 4 has 8 pooled rows) and costs each
// thread a Web Worker with its own copy of the JS runtime.
export const MAX_THREADS = 4;

// features: {simd, sharedMemory, isolated, hardwareConcurrency}.
export function threadCount({ hardwareConcurrency }) {
  const cores = Number.isInteger(hardwareConcurrency) && hardwareConcurrency > 0 ? hardwareConcurrency : 1;
  return Math.min(MAX_THREADS, cores);
}

// engines: build-info's {threads?, simd, nosimd}, each {module, wasm, worker?}. Returns the candidates in
// the order to try them: [{name, files, threads}]. A candidate that fails to load gives way to the next.
export function engineCandidates(engines, features) {
  const candidates = [];
  const threads = threadCount(features);
  if (engines.threads && features.simd && features.sharedMemory && features.isolated && threads > 1) {
    candidates.push({ name: 'threads', files: engines.threads, threads });
  }
  if (features.simd) candidates.push({ name: 'simd', files: engines.simd, threads: 1 });
  candidates.push({ name: 'nosimd', files: engines.nosimd, threads: 1 });
  return candidates;
}

// What Settings shows for the engine in use: build, threads, and int8 where the int8 kernels run.
export function engineLabel(engine) {
  const parts = [engine.simd ? 'WebAssembly SIMD' : 'WebAssembly'];
  if (engine.threads > 1) parts.push(`${engine.threads} threads`);
  if (engine.arithmetic === 'int8') parts.push('int8');
  return parts.join(', ');
}
