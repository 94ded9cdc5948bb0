// Which engine build the worker tries first (web/js/engine-choice.js): threads only where the page is
// cross-origin isolated with shared memory, SIMD128 and more than one core; the single-thread builds after.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { MAX_THREADS, engineCandidates, engineLabel, threadCount } from '../../web/js/engine-choice.js';

const engines = { threads: { module: 't.mjs', wasm: 't.wasm', worker: 't.worker.js' }, simd: { module: 's.mjs', wasm: 's.wasm' }, nosimd: { module: 'n.mjs', wasm: 'n.wasm' } };
const isolated = { simd: true, sharedMemory: true, isolated: true, hardwareConcurrency: 8 };
const order = (features, builds = engines) => engineCandidates(builds, features).map(({ name, threads }) => `${name}:${threads}`);

test('an isolated page with shared memory gets the threaded build first, capped at MAX_THREADS', () => {
  assert.equal(MAX_THREADS, 4);
  assert.deepEqual(order(isolated), ['threads:4', 'simd:1', 'nosimd:1']);
  assert.deepEqual(order({ ...isolated, hardwareConcurrency: 2 }), ['threads:2', 'simd:1', 'nosimd:1']);
  assert.equal(engineCandidates(engines, isolated)[0].files, engines.threads);
});

test('first visit, hard reload, no SharedArrayBuffer or one core: single-thread SIMD first', () => {
  assert.deepEqual(order({ ...isolated, isolated: false }), ['simd:1', 'nosimd:1']);
  assert.deepEqual(order({ ...isolated, sharedMemory: false }), ['simd:1', 'nosimd:1']);
  assert.deepEqual(order({ ...isolated, hardwareConcurrency: 1 }), ['simd:1', 'nosimd:1']);
  assert.deepEqual(order({ ...isolated, hardwareConcurrency: undefined }), ['simd:1', 'nosimd:1']);
});

test('without SIMD128 only the portable build is left; a release without a threaded build still works', () => {
  assert.deepEqual(order({ ...isolated, simd: false }), ['nosimd:1']);
  const { threads, ...older } = engines;
  assert.deepEqual(order(isolated, older), ['simd:1', 'nosimd:1']);
});

test('threadCount and the label Settings shows', () => {
  assert.equal(threadCount({ hardwareConcurrency: 3 }), 3);
  assert.equal(threadCount({ hardwareConcurrency: 0 }), 1);
  assert.equal(engineLabel({ simd: true, threads: 2 }), 'WebAssembly SIMD, 2 threads');
  assert.equal(engineLabel({ simd: true, threads: 1 }), 'WebAssembly SIMD');
  assert.equal(engineLabel({ simd: false, threads: 1 }), 'WebAssembly');
  assert.equal(engineLabel({ simd: true, threads: 1, arithmetic: 'int8' }), 'WebAssembly SIMD, int8');
  assert.equal(engineLabel({ simd: true, threads: 2, arithmetic: 'f32' }), 'WebAssembly SIMD, 2 threads');
  assert.equal(engineLabel({ simd: true, threads: 4, arithmetic: 'int8' }), 'WebAssembly SIMD, 4 threads, int8');
});
