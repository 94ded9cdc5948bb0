// The pthreads build (leafcheck-threads) in node's worker_threads: it loads, and with 1, 2 and 4 threads
// it gives exactly the single-thread SIMD build's answer (the convolutions' row split changes no value).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { builds, encodePng, leafPixels, loadBuild, loadThreadsBuild, makeRandomModel } from './support.mjs';

const model = makeRandomModel();
const POOL_SIZE = 3; // workers besides the calling thread: up to 4 threads
let threaded;
let single;

before(async () => {
  threaded = await loadThreadsBuild(POOL_SIZE);
  single = await loadBuild(builds.find((b) => b.name === 'simd'));
});

after(() => {
  // The pool's workers would keep node running.
  threaded?.PThread.terminateAllThreads();
});

function answer(classifier, pixels, width, height) {
  const result = classifier.classifyRgba(pixels, width, height, 38);
  return result.top.map(({ index, probability }) => [index, probability]);
}

test('the threaded build matches the single-thread SIMD build for 1, 2 and 4 threads', () => {
  const reference = new single.Classifier(model);
  const inputs = [leafPixels(160, 120, 5), leafPixels(128, 128, 9), leafPixels(300, 200, 2)];
  const sizes = [[160, 120], [128, 128], [300, 200]];
  const want = inputs.map((pixels, i) => answer(reference, pixels, ...sizes[i]));
  reference.delete();
  for (const threads of [1, 2, 4]) {
    const classifier = new threaded.Classifier(model, threads);
    try {
      assert.equal(classifier.threads(), threads);
      inputs.forEach((pixels, i) => assert.deepEqual(answer(classifier, pixels, ...sizes[i]), want[i], `${threads} threads, input ${i}`));
    } finally {
      classifier.delete();
    }
  }
});

test('encoded pictures classify the same way as in the single-thread build', () => {
  const png = encodePng(leafPixels(300, 200), 300, 200);
  const reference = new single.Classifier(model);
  const classifier = new threaded.Classifier(model, 2);
  try {
    const got = classifier.classifyEncoded(png, 3);
    const want = reference.classifyEncoded(png, 3);
    assert.deepEqual(got.top, want.top);
    assert.equal(got.looksLikeLeaf, want.looksLikeLeaf);
  } finally {
    classifier.delete();
    reference.delete();
  }
});

test('asking for more threads than pre-started workers fails with a clear error, not a hang', () => {
  assert.throws(() => new threaded.Classifier(model, POOL_SIZE + 2), /could not start thread .*leafcheckPoolSize/);
  assert.throws(() => new threaded.Classifier(model, 0), /threads must be an integer of at least 1/);
});
