// The browser's decode path (web/js/model-picture.js, what the worker uses) against the engine's C++
// decoder on the same JPEG files, EXIF orientations 1-8, at three sizes that take the three routes of the
// browser path; and in the app, pictures only the browser decodes (WebP, GIF) scan and are stored.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { openPathsPage } from '../../tools/decode/open-paths-page.mjs';
import { encodeGif } from './gif.mjs';
import { expectedMatchCount, findLeafPhoto, generatedLeafPng, generatedLeafRgba, servePhone } from './support.mjs';

const READY_TIMEOUT = 120_000;
const RESULT_TIMEOUT = 60_000;
// Largest difference of any class's logit between the two paths on the same file (logitDistance in
// paths-page.mjs). Measured: 0.07-0.22 here (the decoders round differently), whereas reading a picture
// in another orientation moves some logit by 0.9-2.2; the test checks that too, so a path that ignored
// the orientation would fail it.
const SAME_PICTURE = 0.4;
// The decoders are compared through the f16 model, which runs in f32 arithmetic: the app's int8 model (on
// one SIMD thread) rounds the far-tail logits by up to 0.55 between two decodes whose probabilities differ
// by 0.0002, which would hide what this test looks for.
const F32_MODEL = readFileSync(new URL('../../model/leafcheck.lcm', import.meta.url));

const realPhoto = findLeafPhoto();
const leaf = realPhoto ? { bytes: readFileSync(realPhoto.path), type: 'image/jpeg' } : { bytes: generatedLeafPng(), type: 'image/png' };

let phone;

describe('browser decode path vs C++ decode path', () => {
  before(async () => {
    phone = await servePhone();
  });

  after(async () => {
    await phone?.close();
  });

  for (const [width, height, via] of [
    [320, 240, 'create-image-bitmap'],
    [1000, 750, 'create-image-bitmap'],
    [3200, 2400, 'image-decoder'],
  ]) {
    test(`${width}x${height} JPEG, EXIF orientations 1-8: both paths read the same picture (${via})`, async (t) => {
      const page = await openPathsPage(phone.browser.context, phone.server.url, () => leaf.bytes, F32_MODEL);
      const results = await page.evaluate(
        async ({ width, height, type }) => {
          const photo = new Blob([await (await fetch('/__decode/photo/0')).arrayBuffer()], { type });
          const plain = new Uint8Array(await (await window.decodePaths.phoneJpeg(photo, width, height, 0.95)).arrayBuffer());
          const out = [];
          for (let orientation = 1; orientation <= 8; orientation++) {
            const file = new Blob([window.decodePaths.withExifOrientation(plain, orientation)], { type: 'image/jpeg' });
            out.push({ orientation, ...(await window.decodePaths.bothPaths(window.classifier, file)) });
          }
          return out.map((row) => ({ ...row, turned: window.decodePaths.logitDistance(row.browser.probabilities, out[0].browser.probabilities) }));
        },
        { width, height, type: leaf.type },
      );
      await page.close();
      for (const { orientation, engine, browser: viaBrowser, via: used, maxDifference, logitDistance, turned } of results) {
        t.diagnostic(`orientation ${orientation}: paths differ by ${maxDifference.toFixed(4)} (logits ${logitDistance.toFixed(3)}); from orientation 1 by logits ${turned.toFixed(3)}`);
        assert.equal(used, via, `orientation ${orientation}: the browser path took ${used}`);
        assert.ok(logitDistance <= SAME_PICTURE, `orientation ${orientation}: the paths' logits differ by ${logitDistance}`);
        // Logits within SAME_PICTURE of each other can swap two classes whose logits were closer than
        // twice that: the model's near-ties (the first lab photo scores Apple scab and Peach healthy within
        // 0.3 at some orientations). Top-1 must agree wherever the C++ path's lead is larger.
        const [first, second] = [...engine.probabilities].sort((a, b) => b - a);
        if (Math.log(first / second) > 2 * SAME_PICTURE) assert.equal(viaBrowser.top1, engine.top1, `orientation ${orientation}: top-1`);
        if (orientation > 1) assert.ok(turned > 2 * SAME_PICTURE, `orientation ${orientation} changes what the model sees (by ${turned})`);
      }
    });
  }

  test('in the app, a WebP and a GIF photo (the engine alone refuses both) scan and are stored with a JPEG thumbnail', async () => {
    const page = phone.browser.context.pages()[0] ?? (await phone.browser.context.newPage());
    const errors = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(phone.server.url);
    await page.locator('#offline-pill[data-state="ready"]').waitFor({ timeout: READY_TIMEOUT });
    const webp = await page.evaluate(async ({ bytes, type }) => {
      const bitmap = await createImageBitmap(new Blob([new Uint8Array(bytes)], { type }));
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      canvas.getContext('2d').drawImage(bitmap, 0, 0);
      const blob = await canvas.convertToBlob({ type: 'image/webp', quality: 0.9 });
      return blob.type === 'image/webp' ? [...new Uint8Array(await blob.arrayBuffer())] : null;
    }, { bytes: [...leaf.bytes], type: leaf.type });
    assert.ok(webp, 'Chromium writes WebP');
    const files = [
      { name: 'leaf.webp', mimeType: 'image/webp', buffer: Buffer.from(webp) },
      { name: 'leaf.gif', mimeType: 'image/gif', buffer: encodeGif(200, 200, generatedLeafRgba(200)) },
    ];
    for (const [index, file] of files.entries()) {
      if (index > 0) await page.locator('#result-again').click();
      await page.locator('#input-gallery').setInputFiles(file);
      await page.locator('#result').waitFor({ state: 'visible', timeout: RESULT_TIMEOUT });
      assert.ok(await page.locator('#scan-error').isHidden(), `${file.name}: no error`);
      assert.equal(await page.locator('#result-matches > li').count(), await expectedMatchCount(page), file.name);
      await page.waitForFunction((count) => document.querySelectorAll('#history-list > li').length === count, index + 1);
      // The stored type is read from the history itself: the page's CSP (connect-src 'self') refuses
      // a fetch of the thumbnail's blob: URL.
      const thumbnail = await page.locator('#history-list > li img').first().evaluate(async (img) => {
        await img.decode();
        const { HistoryStore } = await import('./js/history-store.js');
        const records = await (await HistoryStore.open()).list();
        const newest = records.reduce((a, b) => (b.createdAt > a.createdAt ? b : a));
        return [img.naturalWidth, img.naturalHeight, newest.thumbnail.type];
      });
      assert.deepEqual(thumbnail, [160, 160, 'image/jpeg'], `${file.name}: stored thumbnail`);
    }
    assert.deepEqual(errors, []);
  });
});
