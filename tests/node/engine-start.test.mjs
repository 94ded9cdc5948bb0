// startEngine (web/js/engine-start.js) with the SIMD build: the factory takes the module compiled beside
// the glue's import, and a .wasm that fails to download rejects the start instead of leaving it pending.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { pathToFileURL } from 'node:url';

import { startEngine } from '../../web/js/engine-start.js';
import { builds, makeRandomModel } from './support.mjs';

const simd = builds.find((build) => build.name === 'simd');
const base = pathToFileURL(join(simd.dir, '/')).href;
const files = { module: `${simd.file}.mjs`, wasm: `${simd.file}.wasm` };

// These tests run without node's fetch (--no-experimental-fetch), so each serves the files itself.
// Without Response there is no streaming compilation: the engine compiles from the bytes, as it does
// behind a server that sends the .wasm with the wrong Content-Type.
function serveFiles(status) {
  globalThis.fetch = async (url) => ({
    ok: status === 200,
    status,
    arrayBuffer: async () => new Uint8Array(readFileSync(new URL(url))).buffer,
  });
}

beforeEach((t) => {
  // Emscripten 3.1.6's ES-module output still reaches for CommonJS globals when it runs under node.
  globalThis.__dirname ??= simd.dir;
  globalThis.require ??= createRequire(import.meta.url);
  t.mock.method(console, 'warn', () => {});
});

afterEach(() => {
  delete globalThis.fetch;
});

test('the engine it starts classifies', async () => {
  serveFiles(200);
  const wasm = await startEngine(files, 1, base);
  const classifier = new wasm.Classifier(makeRandomModel());
  const { top } = classifier.classifyRgba(new Uint8Array(64 * 64 * 4).fill(128), 64, 64, 3);
  assert.equal(top.length, 3);
  classifier.delete();
});

test('a .wasm that fails to download rejects the start with the HTTP status', { timeout: 20000 }, async () => {
  serveFiles(404);
  await assert.rejects(startEngine(files, 1, base), /Engine download failed: HTTP 404 for .*leafcheck-simd\.wasm/);
});
