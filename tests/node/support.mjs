// Helpers for the node tests of the WebAssembly builds: loading a build, making a model file
// with the native tool, and encoding tiny PNGs without dependencies.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { encodePng as encodePngFile } from '../../web/scripts/icons.mjs';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const buildDir = (name) => join(repoRoot, 'build', name, 'wasm');

export const builds = [
  { name: 'simd', dir: buildDir('wasm-simd'), file: 'leafcheck-simd' },
  { name: 'nosimd', dir: buildDir('wasm-nosimd'), file: 'leafcheck-nosimd' },
];

export async function loadBuild(build) {
  const js = join(build.dir, `${build.file}.mjs`);
  const wasm = join(build.dir, `${build.file}.wasm`);
  if (!existsSync(js) || !existsSync(wasm)) {
    throw new Error(`${js} is missing: build it first (bash tools/build-all.sh)`);
  }
  // Emscripten 3.1.6's ES-module output still reaches for CommonJS globals when it runs under node.
  globalThis.__dirname ??= build.dir;
  globalThis.require ??= createRequire(import.meta.url);
  const { default: create } = await import(pathToFileURL(js).href);
  return create({ wasmBinary: readFileSync(wasm) });
}

export const threadsBuild = { name: 'threads', dir: buildDir('wasm-threads'), file: 'leafcheck-threads' };

// The pthreads build in node: its threads are worker_threads started from leafcheck-threads.worker.js.
// That script is CommonJS, which node refuses under this repository's "type": "module", and the module
// it imports reads __dirname; so the test runs a .cjs copy that defines it first. poolSize workers are
// started before the factory resolves (what Classifier(bytes, poolSize + 1) needs).
export async function loadThreadsBuild(poolSize) {
  const build = threadsBuild;
  const js = join(build.dir, `${build.file}.mjs`);
  const worker = join(build.dir, `${build.file}.worker.js`);
  if (!existsSync(js) || !existsSync(worker)) {
    throw new Error(`${js} is missing: build it first (emcmake cmake --preset wasm-threads && cmake --build --preset wasm-threads)`);
  }
  const workerCopy = join(mkdtempSync(join(tmpdir(), 'leafcheck-pthread-')), 'worker.cjs');
  writeFileSync(workerCopy, `globalThis.__dirname = ${JSON.stringify(build.dir)};\n${readFileSync(worker, 'utf8')}`);
  globalThis.__dirname ??= build.dir;
  globalThis.require ??= createRequire(import.meta.url);
  const { default: create } = await import(pathToFileURL(js).href);
  return create({
    wasmBinary: readFileSync(join(build.dir, `${build.file}.wasm`)),
    locateFile: (name) => (name.endsWith('.worker.js') ? workerCopy : join(build.dir, name)),
    mainScriptUrlOrBlob: pathToFileURL(js).href,
    leafcheckPoolSize: poolSize,
  });
}

// A deterministic random-weight model (never a trained one) from the native tool.
export function makeRandomModel({ seed = 7 } = {}) {
  const tool = join(repoRoot, 'build', 'native-release', 'tools', 'make-random-model');
  if (!existsSync(tool)) throw new Error(`${tool} is missing: build the native-release preset first`);
  const out = join(mkdtempSync(join(tmpdir(), 'leafcheck-')), 'random.lcm');
  execFileSync(tool, ['--out', out, '--seed', String(seed)]);
  return new Uint8Array(readFileSync(out));
}

// RGBA pixels -> PNG bytes, with the encoder the build draws the app icons with.
export function encodePng(rgba, width, height) {
  return new Uint8Array(encodePngFile(width, height, rgba));
}

// A leaf-ish test picture: a green ellipse with darker spots on a light background.
export function leafPixels(width, height, seed = 1) {
  const rgba = new Uint8Array(width * height * 4);
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const spots = Array.from({ length: 6 }, () => [random() * width, random() * height, 2 + random() * width / 12]);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const dx = (x - width / 2) / (width * 0.4);
      const dy = (y - height / 2) / (height * 0.3);
      const inLeaf = dx * dx + dy * dy < 1;
      const spotted = spots.some(([sx, sy, r]) => (x - sx) ** 2 + (y - sy) ** 2 < r * r);
      const [r, g, b] = !inLeaf ? [225, 222, 215] : spotted ? [110, 80, 40] : [60, 140, 50];
      rgba.set([r, g, b, 255], i);
    }
  }
  return rgba;
}
