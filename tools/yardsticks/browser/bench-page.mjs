// The page side of browser-bench.mjs: each engine runs in its own Worker, as the app's engine does.
// Protocol with a worker: {type: 'start', ...config} -> {type: 'first', output}; {type: 'protocol',
// warmup, runs} -> {type: 'figures', ...measure()}; failures -> {type: 'error', message}.

function ask(worker, message, expect) {
  return new Promise((resolve, reject) => {
    worker.onmessage = ({ data }) => (data.type === expect ? resolve(data) : reject(new Error(data.message ?? `unexpected ${data.type}`)));
    worker.onerror = (event) => reject(new Error(event.message || 'worker failed to start'));
    worker.postMessage(message);
  });
}

function startWorker(engine) {
  return new Worker(engine.worker, { type: engine.workerType });
}

// A first visit, which the cold starts after it return from: the engine loads and answers a few times
// (the app's worker lives as long as the page), which fills the HTTP cache. It does not fill the
// compiled-code cache: this Chromium (156) serialises a .wasm's optimised code only once V8's caching
// timeout fires, and in a trace of a page that ran the engine and then idled 5 s or 20 s no
// v8.wasm.cachedModule event came (with --js-flags=--wasm-caching-timeout-ms=0 it came, and a second
// load hit it). So the cold starts below compile on first call and run baseline code; see
// tools/yardsticks/README.md, "Cold start".
const VISIT_RUNS = 20;
export async function prime(engine, config) {
  const worker = startWorker(engine);
  try {
    await ask(worker, { type: 'start', ...config }, 'first');
    await ask(worker, { type: 'protocol', warmup: 0, runs: VISIT_RUNS }, 'figures');
  } finally {
    worker.terminate();
  }
}

// Cold start (new Worker -> first result) and the timed protocol, in one fresh worker.
export async function run(engine, config, protocol) {
  const started = performance.now();
  const worker = startWorker(engine);
  try {
    const { output } = await ask(worker, { type: 'start', ...config }, 'first');
    const coldMs = performance.now() - started;
    const figures = await ask(worker, { type: 'protocol', ...protocol }, 'figures');
    return { coldMs, first: output, ...figures, crossOriginIsolated };
  } finally {
    worker.terminate();
  }
}

// `count` more cold starts, each in a fresh worker stopped at its first result: one start is a single
// sample of a figure that the machine's load moves by tens of milliseconds.
export async function coldStarts(engine, config, count) {
  const times = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const worker = startWorker(engine);
    try {
      await ask(worker, { type: 'start', ...config }, 'first');
      times.push(performance.now() - started);
    } finally {
      worker.terminate();
    }
  }
  return times;
}
