#!/usr/bin/env node
// The browser benchmark: in one headless Chromium session (Debian's, through playwright-core; pages served
// cross-origin isolated by tools/serve.mjs, so threaded wasm works), Leafcheck's engine builds as the app
// loads them (SIMD, SIMD + 2 threads, no SIMD) and the yardsticks onnxruntime-web and tfjs-backend-wasm (1 and 2 threads) run the app's
// model with the same weights, each in its own Worker, with leafcheck-bench's protocol (batch 1, 10 warm-up
// + 100 timed runs). Prints one markdown table: mean, min, p50, p99, FPS, every p50 against Leafcheck's
// SIMD p50, cold start (new Worker -> first result, warm HTTP cache) and the bytes each engine downloads.
// It prints figures; it asserts nothing about time.
//
//   node tools/yardsticks/browser-bench.mjs [--runs N] [--rounds N] [--cold-starts N] [--no-build]
//
// --cold-starts N (default 1): the cold start column gives the median of N starts per engine and round
// (the min after it), each a fresh Worker stopped at its first answer, instead of the one start that
// precedes the timed runs.
//
// Needs the app built (dist/, `npm run build`); builds lcm-to-onnx and leafcheck-model like compare.mjs.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { launchChromium, startServer } from '../../tests/e2e/support.mjs';
import { nhwcToNchw } from './protocol.mjs';
import { readLcm } from './read-lcm.mjs';
import { requireNativeTool } from './native-tools.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const require = createRequire(import.meta.url);
const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '100' },
    rounds: { type: 'string', default: '1' },
    'cold-starts': { type: 'string', default: '1' },
    'no-build': { type: 'boolean', default: false },
  },
});
const protocol = { warmup: 10, runs: Number(opts.runs) };
const rounds = Number(opts.rounds);
const coldStartCount = Number(opts['cold-starts']);

// ---- the model: the app's, in f32 for tfjs and as ONNX --------------------------------------------------
const dist = path.join(root, 'dist');
if (!existsSync(path.join(dist, 'index.html'))) throw new Error('dist/ is not built: run `npm run build` (after tools/build-all.sh) first');
const nativeDir = path.join(root, 'build', 'y-native');
if (!opts['no-build']) {
  if (!existsSync(path.join(nativeDir, 'CMakeCache.txt'))) {
    execFileSync('cmake', ['-S', here, '-B', nativeDir, '-G', 'Ninja', '-DCMAKE_BUILD_TYPE=Release', '-DLEAFCHECK_TRAINING=OFF'], { stdio: ['ignore', process.stderr, 'inherit'] });
  }
  execFileSync('ninja', ['-C', nativeDir, '-j2', 'lcm-to-onnx', 'leafcheck-model'], { stdio: ['ignore', process.stderr, 'inherit'] });
}
const nativeTool = (name) => requireNativeTool(nativeDir, name);
const data = path.join(root, 'build', 'y-data');
mkdirSync(data, { recursive: true });
const appModel = path.join(dist, 'model', readdirSync(path.join(dist, 'model')).find((name) => name.endsWith('.lcm')));
const modelF32 = path.join(data, 'app-f32.lcm');
const onnx = path.join(data, 'app-f32.onnx');
const appModelIsInt8 = execFileSync(nativeTool('leafcheck-model'), ['convert', '--dtype', 'f32', appModel, modelF32], { encoding: 'utf8' }).includes('dequantized');
execFileSync(nativeTool('lcm-to-onnx'), ['--model', modelF32, '--out', onnx], { stdio: 'ignore' });
const model = readLcm(modelF32);
const { inputHeight: h, inputWidth: w, inputChannels: c } = model;

// ---- the fixed input: one RGBA picture (Leafcheck normalises it itself), normalised for the others ------
const rgba = new Uint8Array(h * w * 4);
let state = 7;
for (let i = 0; i < rgba.length; i++) {
  state = (Math.imul(state, 1103515245) + 12345) >>> 0;
  rgba[i] = i % 4 === 3 ? 255 : state >>> 24;
}
const nhwc = new Float32Array(h * w * c);
for (let p = 0; p < h * w; p++) {
  for (let ch = 0; ch < c; ch++) nhwc[p * c + ch] = (rgba[p * 4 + ch] / 255 - model.mean[ch]) / model.stddev[ch];
}
const config = { rgba: [...rgba], width: w, height: h, nhwc: [...nhwc], nchw: [...nhwcToNchw(nhwc, h, w, c)], inputShape: [1, c, h, w] };

// ---- the site: the built app plus the benchmark's pages and the yardsticks' files ------------------------
const site = mkdtempSync(path.join(tmpdir(), 'leafcheck-bench-'));
cpSync(dist, site, { recursive: true });
const bench = path.join(site, 'bench');
const copy = (from, to) => cpSync(from, path.join(bench, to), { recursive: true });
// Each package's main entry point sits in its dist/ folder, beside the browser bundles and .wasm files.
const ortDist = path.dirname(require.resolve('onnxruntime-web'));
for (const file of ['ort.wasm.min.mjs', 'ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm']) copy(path.join(ortDist, file), `ort/${file}`);
copy(path.join(path.dirname(require.resolve('@tensorflow/tfjs-core')), 'tf-core.min.js'), 'tfjs/tf-core.min.js');
const tfjsWasmDist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
for (const file of ['tf-backend-wasm.min.js', 'tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) copy(path.join(tfjsWasmDist, file), `tfjs/${file}`);
for (const file of ['lcm.mjs', 'tfjs-network.mjs', 'measure.mjs']) copy(path.join(here, file), `yardsticks/${file}`);
copy(path.join(here, 'browser'), 'yardsticks/browser');
copy(onnx, 'model.onnx');
copy(modelF32, 'model-f32.lcm');
writeFileSync(path.join(bench, 'index.html'), '<!doctype html><meta charset="utf-8"><title>Leafcheck browser benchmark</title>\n');

const ENGINES = [
  { name: 'leafcheck', build: 'simd', threads: 1, worker: '/bench/yardsticks/browser/leafcheck-worker.mjs', workerType: 'module', output: 'probabilities' },
  { name: 'leafcheck', build: 'threads', threads: 2, worker: '/bench/yardsticks/browser/leafcheck-worker.mjs', workerType: 'module', output: 'probabilities' },
  { name: 'leafcheck', build: 'nosimd', threads: 1, worker: '/bench/yardsticks/browser/leafcheck-worker.mjs', workerType: 'module', output: 'probabilities' },
  ...[1, 2].map((threads) => ({ name: 'onnxruntime-web', build: 'wasm SIMD', threads, worker: '/bench/yardsticks/browser/ort-worker.mjs', workerType: 'module', output: 'logits' })),
  ...[1, 2].map((threads) => ({ name: 'tfjs-backend-wasm', build: threads > 1 ? 'wasm SIMD threaded' : 'wasm SIMD', threads, worker: '/bench/yardsticks/browser/tfjs-worker.js', workerType: 'classic', output: 'logits' })),
];
// The benchmark's own pages and glue are not an engine's download.
const HARNESS = /^\/bench\/yardsticks\/|^\/bench\/index\.html$/;

const server = await startServer(site, ['--cross-origin-isolated']);
const browser = await launchChromium();
const started = new Date();
const loadBefore = loadavg();
try {
  const page = await browser.context.newPage();
  const cdp = await browser.context.newCDPSession(page);
  await page.goto(`${server.url}bench/index.html`);
  if (!(await page.evaluate(() => crossOriginIsolated))) throw new Error('the benchmark page is not cross-origin isolated');
  await page.evaluate(async () => {
    window.bench = await import('/bench/yardsticks/browser/bench-page.mjs');
  });
  const chromium = (await cdp.send('Browser.getVersion')).product;
  for (let round = 1; round <= rounds; round++) {
    for (const engine of ENGINES) {
      process.stderr.write(`round ${round}/${rounds}: ${engine.name} ${engine.build} ${engine.threads} thread(s)\n`);
      const engineConfig = { ...config, build: engine.build, threads: engine.threads };
      if (round === 1) {
        await cdp.send('Network.clearBrowserCache');
        const mark = server.log.length;
        await page.evaluate(([e, cfg]) => window.bench.prime(e, cfg), [engine, engineConfig]);
        engine.bytes = server.log.slice(mark).filter((entry) => entry.status === 200 && !HARNESS.test(entry.path)).reduce((sum, entry) => sum + entry.bytes, 0);
      }
      const figures = await page.evaluate(([e, cfg, p]) => window.bench.run(e, cfg, p), [engine, engineConfig, protocol]);
      if (!engine.best || figures.p50_ms < engine.best.p50_ms) engine.best = figures;
      if (coldStartCount > 1) {
        engine.coldMs = [...(engine.coldMs ?? []), ...(await page.evaluate(([e, cfg, n]) => window.bench.coldStarts(e, cfg, n), [engine, engineConfig, coldStartCount]))];
      }
    }
  }
  report(chromium);
} finally {
  await browser.close();
  await server.stop();
  rmSync(site, { recursive: true, force: true });
}

function softmax(logits) {
  const top = Math.max(...logits);
  const exps = logits.map((v) => Math.exp(v - top));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((v) => v / sum);
}

// The one start before the timed runs, or with --cold-starts: "median (min)" of all of them.
function coldStart(engine) {
  if (!engine.coldMs) return engine.best.coldMs.toFixed(0);
  const sorted = [...engine.coldMs].sort((a, b) => a - b);
  return `${sorted[Math.floor(sorted.length / 2)].toFixed(0)} (${sorted[0].toFixed(0)})`;
}

function report(chromium) {
  const ours = ENGINES[0].best;
  const reference = ours.first;
  const loadAfter = loadavg();
  console.log(`Leafcheck in the browser vs yardsticks, ${started.toISOString()}, ${chromium} headless, ${cpus().length} x ${cpus()[0]?.model}`);
  console.log(`command: node tools/yardsticks/browser-bench.mjs ${process.argv.slice(2).join(' ')}`.trimEnd());
  const weights = appModelIsInt8
    ? 'int8 weights: the SIMD and threaded Leafcheck builds run them on the int8 kernels; the no-SIMD one and the yardsticks run their f32 twin, q x scale'
    : 'f16 weights, widened to f32 for the yardsticks: the same values';
  console.log(`model: the app's ${path.basename(appModel)} (${weights}); batch 1; ` +
    `${protocol.warmup} warm-up + ${protocol.runs} timed runs per engine${rounds > 1 ? `; best of ${rounds} rounds by p50` : ''}; each engine in its own Worker`);
  console.log(`load average (1/5/15 min): before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${loadAfter.map((l) => l.toFixed(2)).join(' ')}`);
  console.log('');
  console.log('| engine | build | threads | mean ms | min ms | p50 ms | p99 ms | FPS | p50 / Leafcheck SIMD p50 | cold start ms | downloads (brotli) | max abs diff of probabilities |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const engine of ENGINES) {
    const b = engine.best;
    const probabilities = engine.output === 'logits' ? softmax(b.first) : b.first;
    const diff = Math.max(...probabilities.map((p, i) => Math.abs(p - reference[i])));
    console.log(`| ${engine.name} | ${engine.build} | ${engine.threads} | ${b.mean_ms.toFixed(2)} | ${b.min_ms.toFixed(2)} | ${b.p50_ms.toFixed(2)} | ${b.p99_ms.toFixed(2)} | ` +
      `${(1000 / b.mean_ms).toFixed(1)} | ${(b.p50_ms / ours.p50_ms).toFixed(2)} | ${coldStart(engine)} | ${(engine.bytes / 1024).toFixed(0)} KiB | ${engine === ENGINES[0] ? '-' : diff.toExponential(1)} |`);
  }
  console.log('');
  console.log('Leafcheck times a whole classifyRgba call on a 128x128 RGBA picture (normalisation, network, softmax, top-k);');
  console.log('the yardsticks a forward pass on the same picture normalised (their run() and the read-back). Cold start: new Worker');
  console.log(`until the first answer, HTTP cache warm (each engine loaded once before)${coldStartCount > 1 ? `; median (min) of ${coldStartCount * rounds} starts per engine` : ''}. Downloads: what that first load fetched`);
  console.log('from an empty cache (engine code, .wasm, model), as served (brotli where it helps); the benchmark\'s own glue excluded.');
  console.log('Max abs diff: of every class\'s probability (yardsticks: softmax of their logits) from Leafcheck SIMD\'s, a guard');
  console.log('against timing a different network. On a shared 2-core machine the figures move with the load; see the load average.');
}
