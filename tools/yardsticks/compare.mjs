// Builds and runs leafcheck-bench (native, wasm SIMD, wasm without SIMD) and every yardstick on the
// same model and input, one after the other in one run, and prints one table with the ratio
// "Leafcheck p50 / yardstick p50" (native against our native row, wasm against our SIMD wasm row)
// and how far each engine's logits are from ours. It prints figures; it asserts nothing about time.
//   node tools/yardsticks/compare.mjs [--model FILE.lcm] [--runs N] [--rounds N] [--no-build] [--no-wasm]
import { execFileSync, spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { findNativeTool, requireNativeTool } from './native-tools.mjs';
import { readLcm } from './read-lcm.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const build = (name) => path.join(root, 'build', name);
const data = build('y-data');

const { values: opts } = parseArgs({
  options: {
    model: { type: 'string' },
    runs: { type: 'string', default: '100' },
    rounds: { type: 'string', default: '1' },
    'no-build': { type: 'boolean', default: false },
    'no-wasm': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opts.help) {
  console.log(`usage: node tools/yardsticks/compare.mjs [--model FILE.lcm] [--runs N] [--rounds N] [--no-build] [--no-wasm]
  --model   the .lcm to compare on (default: make-random-model's seed architecture, written to build/y-data/)
  --runs    timed runs per engine after 10 warm-up runs (default 100, the protocol)
  --rounds  run every engine N times, interleaved; each row keeps its round with the lowest p50 (default 1)
  Builds in build/y-native, build/y-wasm-simd, build/y-wasm-nosimd (ninja -j2); data in build/y-data.`);
  process.exit(0);
}
const runs = String(Number(opts.runs));
const rounds = Number(opts.rounds);

// Build output goes to stderr: stdout carries only the report.
function sh(command, args, env = {}) {
  execFileSync(command, args, { cwd: root, stdio: ['ignore', process.stderr, 'inherit'], env: { ...process.env, ...env } });
}

const have = (command) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
const notes = [];

// ---- build --------------------------------------------------------------------------------------
const nativeDir = build('y-native');
const wasmDirs = { 'wasm-simd': build('y-wasm-simd'), 'wasm-nosimd': build('y-wasm-nosimd') };
const withWasm = !opts['no-wasm'] && have('emcc');
if (!opts['no-wasm'] && !withWasm) notes.push('wasm rows skipped: emcc not found (apt-get install emscripten)');

if (!opts['no-build']) {
  // Configured from tools/yardsticks, which pulls in the whole project (training tools off: not needed here).
  if (!existsSync(path.join(nativeDir, 'CMakeCache.txt'))) {
    sh('cmake', ['-S', here, '-B', nativeDir, '-G', 'Ninja', '-DCMAKE_BUILD_TYPE=Release', '-DLEAFCHECK_TRAINING=OFF']);
  }
  // Only what runs here (not the project's tests); engines whose package is missing have no target.
  const wanted = ['leafcheck-bench', 'make-random-model', 'leafcheck-logits', 'lcm-to-onnx', 'yardstick-xnnpack', 'yardstick-libtorch'];
  const known = new Set(execFileSync('ninja', ['-C', nativeDir, '-t', 'targets', 'all'], { encoding: 'utf8' })
    .split('\n').map((l) => l.split(':')[0]));
  sh('ninja', ['-C', nativeDir, '-j2', ...wanted.filter((t) => known.has(t))]);
  if (withWasm) {
    for (const [preset, dir] of Object.entries(wasmDirs)) {
      const env = { NODE_PATH: '/usr/share/nodejs' };
      if (!existsSync(path.join(dir, 'CMakeCache.txt'))) sh('cmake', ['--preset', preset, '-B', dir], env);
      sh('ninja', ['-C', dir, '-j2', 'leafcheck-bench'], env);
    }
  }
}

const nativeTool = (name) => findNativeTool(nativeDir, name);

// ---- model, fixed input, our logits, ONNX export --------------------------------------------------
mkdirSync(data, { recursive: true });
const model = opts.model ? path.resolve(opts.model) : path.join(data, 'seed.lcm');
if (!opts.model) execFileSync(requireNativeTool(nativeDir, 'make-random-model'), ['--out', model], { stdio: 'ignore' });
const input = path.join(data, 'input.f32');
const ours = JSON.parse(execFileSync(requireNativeTool(nativeDir, 'leafcheck-logits'), ['--model', model, '--input-out', input])).logits;
const { inputHeight, inputWidth, inputChannels } = readLcm(model);
const onnx = path.join(data, path.basename(model, '.lcm') + '.onnx');
const exporter = nativeTool('lcm-to-onnx');
if (exporter) execFileSync(exporter, ['--model', model, '--out', onnx]);
else notes.push('ONNX Runtime rows skipped: lcm-to-onnx not built (apt-get install libonnx-dev)');

// ---- what runs ------------------------------------------------------------------------------------
const nodeHas = (pkg) => spawnSync(process.execPath, ['-e', `import('${pkg}').then(() => process.exit(0), () => process.exit(1))`], { cwd: root }).status === 0;
const yardstickArgs = (threads, modelFile = model) => ['--model', modelFile, '--input', input, '--threads', String(threads), '--runs', runs];
const onnxArgs = (threads) => [...yardstickArgs(threads, onnx), '--input-size', `${inputHeight}x${inputWidth}x${inputChannels}`];
const jobs = [];
const leafcheckBench = (label, target, command, args, threads = 1) =>
  jobs.push({ label, target, threads, leafcheck: true, command, args: [...args, '--model', model, '--json', '--no-reference', '--runs', runs, '--threads', String(threads)] });

const nativeBench = requireNativeTool(nativeDir, 'leafcheck-bench');
for (const threads of [1, 2]) {
  leafcheckBench('leafcheck', 'native', nativeBench, [], threads);
  for (const [engine, tool] of [['xnnpack', 'yardstick-xnnpack'], ['libtorch', 'yardstick-libtorch']]) {
    const exe = nativeTool(tool);
    if (exe) jobs.push({ label: engine, target: 'native', threads, command: exe, args: yardstickArgs(threads) });
    else if (threads === 1) notes.push(`${engine} rows skipped: ${tool} not built (its Debian package is missing)`);
  }
}
const ortScript = path.join(here, 'yardstick-onnxruntime.mjs');
if (exporter && nodeHas('onnxruntime-node')) {
  for (const threads of [1, 2]) {
    jobs.push({ label: 'onnxruntime-node', target: 'native', threads, command: process.execPath, args: [ortScript, '--runtime', 'node', ...onnxArgs(threads)] });
  }
} else if (exporter) {
  notes.push('onnxruntime-node rows skipped: the optional package onnxruntime-node is not installed');
}
if (withWasm) {
  for (const [preset, dir] of Object.entries(wasmDirs)) {
    leafcheckBench('leafcheck', preset, process.execPath, ['--no-experimental-fetch', path.join(dir, 'tools', 'leafcheck-bench.js')]);
  }
}
jobs.push({ label: 'tfjs-wasm', target: 'wasm in node', threads: 1, command: process.execPath, args: [path.join(here, 'yardstick-tfjs-wasm.mjs'), ...yardstickArgs(1)] });
notes.push('tfjs-wasm runs 1 thread only: tfjs-backend-wasm turns its threaded build off in node (tfjs issue 3830)');
if (exporter) {
  for (const threads of [1, 2]) {
    jobs.push({ label: 'onnxruntime-web', target: 'wasm in node', threads, command: process.execPath, args: [ortScript, '--runtime', 'web', ...onnxArgs(threads)] });
  }
}

// ---- run --------------------------------------------------------------------------------------------
const started = new Date();
const loadBefore = loadavg();
for (let round = 1; round <= rounds; round++) {
  for (const job of jobs) {
    process.stderr.write(`round ${round}/${rounds}: ${job.label} ${job.target} ${job.threads} thread(s)\n`);
    const result = spawnSync(job.command, job.args, { cwd: root, encoding: 'utf8' });
    if (result.status !== 0) {
      job.error = (result.stderr || result.error?.message || `exit ${result.status}`).trim().split('\n').pop();
      continue;
    }
    const out = JSON.parse(result.stdout.trim().split('\n').pop());
    const figures = job.leafcheck
      ? { ...out.results.find((r) => r.kernels === 'optimized'), gflop: out.gflop_per_image, build: out.build, threads: out.threads }
      : out;
    if (!job.best || figures.p50_ms < job.best.p50_ms) job.best = figures;
  }
}
const loadAfter = loadavg();

// ---- report -----------------------------------------------------------------------------------------
const gflop = jobs.find((j) => j.leafcheck && j.best)?.best.gflop;
// Native rows are set against Leafcheck native on as many threads; wasm rows against its SIMD build on one.
const ourP50 = (job) =>
  job.target === 'native'
    ? jobs.find((j) => j.leafcheck && j.target === 'native' && j.threads === job.threads)?.best?.p50_ms
    : jobs.find((j) => j.leafcheck && j.target === 'wasm-simd')?.best?.p50_ms;
const targetName = (job) => (job.leafcheck ? (job.target === 'native' ? 'native' : `${job.target} in node`) : job.target);
const header = ['engine', 'target', 'threads', 'mean ms', 'min ms', 'p50 ms', 'p99 ms', 'FPS', 'GFLOP/s', 'LC p50 / p50', 'max|d| logits'];
const rows = jobs.map((job) => {
  const name = job.leafcheck ? 'leafcheck' : job.label;
  if (!job.best) return [name, targetName(job), String(job.threads), `failed: ${job.error}`];
  const b = job.best;
  const mine = ourP50(job);
  const ratio = job.leafcheck || !mine ? '-' : (mine / b.p50_ms).toFixed(2);
  const diff = job.leafcheck ? '-' : Math.max(...b.logits.map((v, i) => Math.abs(v - ours[i]))).toExponential(1);
  return [name, targetName(job), String(b.threads ?? job.threads), b.mean_ms.toFixed(2), b.min_ms.toFixed(2), b.p50_ms.toFixed(2), b.p99_ms.toFixed(2),
    (1000 / b.mean_ms).toFixed(1), gflop ? (gflop / b.mean_ms * 1000).toFixed(1) : '?', ratio, diff];
});
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
const line = (cells) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i] ?? 0))).join('  ');

console.log(`Leafcheck vs yardsticks, ${started.toISOString()}, ${cpus().length} x ${cpus()[0]?.model}`);
console.log(`command: node ${path.relative(root, fileURLToPath(import.meta.url))} ${process.argv.slice(2).join(' ')}`.trimEnd());
console.log(`model: ${model} (${gflop?.toFixed(4)} GFLOP per image, from the model); batch 1; 10 warm-up + ${runs} timed runs` +
  (rounds > 1 ? `; best of ${rounds} interleaved rounds by p50` : ''));
console.log(`load average (1/5/15 min): before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${loadAfter.map((l) => l.toFixed(2)).join(' ')}`);
console.log('');
console.log(line(header));
for (const row of rows) console.log(row.length === header.length ? line(row) : row.join('  '));
console.log('');
console.log('LC p50 / p50: Leafcheck p50 divided by the engine\'s p50, native rows against Leafcheck native on as many');
console.log('  threads, wasm rows against Leafcheck wasm-simd on 1 thread (below 1: Leafcheck is faster).');
console.log('max|d| logits: largest absolute difference from leafcheck::Network\'s logits (native) on the fixed input.');
console.log('FPS and GFLOP/s are from the mean; min ms is the least disturbed run, telling on a busy machine.');
const versions = new Map(jobs.filter((j) => j.best?.version).map((j) => [j.label, `${j.best.version}, ${j.best.layout}`]));
for (const [label, version] of versions) console.log(`${label}: ${version}`);
const builds = [...new Set(jobs.filter((j) => j.best?.build).map((j) => j.best.build))];
console.log(`leafcheck builds: ${builds.join(', ')}`);
for (const note of notes) console.log(`note: ${note}`);
