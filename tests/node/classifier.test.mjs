// The Embind API against the real .wasm files, for both the SIMD and the non-SIMD build.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test, before, after } from 'node:test';

import { builds, encodePng, leafPixels, loadBuild, makeRandomModel, repoRoot } from './support.mjs';

const model = makeRandomModel();

for (const build of builds) {
  describe(`leafcheck-${build.name}.wasm`, () => {
    let m;
    let classifier;
    before(async () => {
      m = await loadBuild(build);
      classifier = new m.Classifier(model);
    });
    after(() => classifier?.delete());

    test('exposes labels and metadata of the model', () => {
      const labels = classifier.labels();
      assert.equal(labels.length, 38);
      assert.equal(labels[0], 'Apple___Apple_scab');
      assert.equal(JSON.parse(classifier.metadata()).trained, false);
      assert.equal(classifier.inputWidth(), 128);
      assert.equal(classifier.inputHeight(), 128);
    });

    test('classifies an encoded PNG into a sorted top-3', () => {
      const png = encodePng(leafPixels(300, 200), 300, 200);
      const result = classifier.classifyEncoded(png, 3);
      assert.equal(result.top.length, 3);
      const labels = classifier.labels();
      for (const p of result.top) {
        assert.ok(p.probability >= 0 && p.probability <= 1);
        assert.equal(p.label, labels[p.index]);
      }
      assert.ok(result.top[0].probability >= result.top[1].probability);
      assert.ok(result.top[1].probability >= result.top[2].probability);
      assert.ok(result.plantFraction > 0.3, `the green test leaf has plant pixels: ${result.plantFraction}`);
      assert.equal(result.looksLikeLeaf, true);
      for (const key of ['decodeMs', 'preprocessMs', 'inferenceMs']) {
        assert.ok(Number.isFinite(result.timings[key]) && result.timings[key] >= 0, key);
      }
    });

    test('all probabilities sum to one', () => {
      const png = encodePng(leafPixels(64, 64, 3), 64, 64);
      const result = classifier.classifyEncoded(png, 38);
      assert.equal(result.top.length, 38);
      const sum = result.top.reduce((s, p) => s + p.probability, 0);
      assert.ok(Math.abs(sum - 1) < 1e-4, `sum ${sum}`);
    });

    test('RGBA pixels give the same answer as the same pixels encoded', () => {
      const pixels = leafPixels(160, 120, 5);
      const fromPng = classifier.classifyEncoded(encodePng(pixels, 160, 120), 3);
      const fromRgba = classifier.classifyRgba(new Uint8ClampedArray(pixels.buffer), 160, 120, 3);
      assert.deepEqual(fromRgba.top.map((p) => p.index), fromPng.top.map((p) => p.index));
      fromRgba.top.forEach((p, i) => assert.ok(Math.abs(p.probability - fromPng.top[i].probability) < 1e-6));
    });

    test('RGBA pixels with the centre crop as their region give classifyRgba\'s answer; a region outside raises an ImageError', () => {
      const pixels = leafPixels(160, 120, 6);
      const whole = classifier.classifyRgba(pixels, 160, 120, 38);
      const region = classifier.classifyRgbaRegion(pixels, 160, 120, 20, 0, 120, 120, 38);
      assert.deepEqual(region.top, whole.top);
      // Half a pixel to the left: another input, other probabilities.
      const shifted = classifier.classifyRgbaRegion(pixels, 160, 120, 19.5, 0, 120, 120, 38);
      assert.notDeepEqual(shifted.top.map((p) => p.probability), whole.top.map((p) => p.probability));
      for (const [x, y, w, h] of [[41, 0, 120, 120], [0, 0, 0, 120], [-1, 0, 100, 100], [NaN, 0, 100, 100]]) {
        assert.throws(() => classifier.classifyRgbaRegion(pixels, 160, 120, x, y, w, h, 3), { name: 'ImageError' }, `${x} ${y} ${w} ${h}`);
      }
    });

    test('a grey picture does not look like a leaf', () => {
      const grey = new Uint8Array(64 * 64 * 4).fill(128);
      const result = classifier.classifyRgba(grey, 64, 64, 3);
      assert.equal(result.plantFraction, 0);
      assert.equal(result.looksLikeLeaf, false);
      assert.equal(result.top.length, 3);
    });

    test('a transparent or one-colour picture has nothing to see; a leaf has', () => {
      const transparent = new Uint8Array(300 * 300 * 4);
      for (let i = 0; i < transparent.length; i += 4) transparent[i + 1] = 170;  // green, fully transparent
      assert.equal(classifier.classifyEncoded(encodePng(transparent, 300, 300), 3).somethingToSee, false);
      assert.equal(classifier.classifyRgba(transparent, 300, 300, 3).somethingToSee, false);
      assert.equal(classifier.classifyEncoded(encodePng(leafPixels(300, 200), 300, 200), 3).somethingToSee, true);
    });

    test('bad image bytes raise an ImageError with a message', () => {
      for (const bytes of [new Uint8Array(0), new TextEncoder().encode('this is not a picture'),
        encodePng(leafPixels(50, 50), 50, 50).slice(0, 60)]) {
        assert.throws(() => classifier.classifyEncoded(bytes, 3), (e) => e.name === 'ImageError' && e.message.length > 10);
      }
    });

    test('wrong RGBA sizes raise an ImageError', () => {
      assert.throws(() => classifier.classifyRgba(new Uint8Array(10), 4, 4, 3), { name: 'ImageError' });
      assert.throws(() => classifier.classifyRgba(new Uint8Array(0), 0, 0, 3), { name: 'ImageError' });
    });

    test('arguments that are not byte arrays raise a TypeError', () => {
      assert.throws(() => classifier.classifyEncoded('image.jpg', 3), TypeError);
      assert.throws(() => new m.Classifier([1, 2, 3]), TypeError);
    });

    test('a corrupt or truncated model raises a ModelError', () => {
      assert.throws(() => new m.Classifier(model.slice(0, model.length - 100)), { name: 'ModelError' });
      const flipped = model.slice();
      flipped[1000] ^= 0x40;
      assert.throws(() => new m.Classifier(flipped), { name: 'ModelError' });
      assert.throws(() => new m.Classifier(new Uint8Array(0)), { name: 'ModelError' });
    });

    test('1,000 classifications and 1,000 failures do not grow the heap', () => {
      const png = encodePng(leafPixels(96, 96, 9), 96, 96);
      const pixels = leafPixels(96, 96, 9);
      const bad = new Uint8Array([0xff, 0xd8, 0xff, 0x00, 1, 2, 3]);
      const round = () => {
        classifier.classifyEncoded(png, 3);
        classifier.classifyRgba(pixels, 96, 96, 3);
        assert.throws(() => classifier.classifyEncoded(bad, 3));
      };
      for (let i = 0; i < 20; i++) round();
      const heapBefore = m.heapBytesInUse();
      const memoryBefore = m.HEAPU8 ? m.HEAPU8.length : 0;
      for (let i = 0; i < 1000; i++) round();
      assert.equal(m.heapBytesInUse(), heapBefore);
      if (memoryBefore) assert.equal(m.HEAPU8.length, memoryBefore);
    });
  });
}

describe('SIMD and non-SIMD builds', () => {
  test('agree on the probabilities', async () => {
    const [simd, plain] = await Promise.all(builds.map(loadBuild));
    const a = new simd.Classifier(model);
    const b = new plain.Classifier(model);
    const png = encodePng(leafPixels(128, 128, 11), 128, 128);
    const ra = a.classifyEncoded(png, 38).top;
    const rb = b.classifyEncoded(png, 38).top;
    const byIndex = new Map(rb.map((p) => [p.index, p.probability]));
    for (const p of ra) assert.ok(Math.abs(p.probability - byIndex.get(p.index)) < 1e-4);
    a.delete();
    b.delete();
  });

  // The committed int8 model (format version 2, the one the app ships) runs on the int8 kernels
  // (i32x4.dot_i16x8_s) in the SIMD build, and as its dequantized f32 twin in the build without SIMD,
  // where the int8 kernels' 1-lane form would be 3x slower than f32 (wasm/README.md). Two arithmetics,
  // one model: the same answer, probabilities within the int8 rounding of the activations.
  test('agree on an int8 model', async () => {
    const int8 = new Uint8Array(readFileSync(join(repoRoot, 'model', 'leafcheck-int8.lcm')));
    const [simd, plain] = await Promise.all(builds.map(loadBuild));
    const a = new simd.Classifier(int8);
    const b = new plain.Classifier(int8);
    assert.equal(JSON.parse(a.metadata()).weights, 'int8');
    assert.equal(a.int8(), true);
    assert.equal(b.int8(), false);
    for (const seed of [11, 12, 13]) {
      const png = encodePng(leafPixels(128, 128, seed), 128, 128);
      const ra = a.classifyEncoded(png, 39).top;
      const rb = b.classifyEncoded(png, 39).top;
      assert.equal(ra[0].index, rb[0].index);
      const byIndex = new Map(rb.map((p) => [p.index, p.probability]));
      for (const p of ra) assert.ok(Math.abs(p.probability - byIndex.get(p.index)) < 0.05, `${p.label}: ${p.probability} vs ${byIndex.get(p.index)}`);
    }
    a.delete();
    b.delete();
  });
});
