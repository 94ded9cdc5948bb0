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

// Loads the engine and gets its first answer, then stops: fills the HTTP cache.
export async function prime(engine, config) {
  const worker = startWorker(engine);
  try {
    await ask(worker, { type: 'start', ...config }, 'first');
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
