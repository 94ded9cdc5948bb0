// Limits and faults in Chromium (issue 9, item 8): pictures with nothing to see, files the app cannot
// or should not read, and a model damaged in the browser's cache. The site is a copy of dist/ whose
// model names "Orange (citrus): Huanglongbing" with near certainty for every picture, the answer a new
// user got for a transparent PNG and a 20000x3 green strip.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { injectManifest } from 'workbox-build';
import { injectManifestOptions } from '../../service-worker/workbox-config.mjs';
import { encodePng } from '../../web/scripts/icons.mjs';
import { generatedLeafPng, makeFavouredModel, repoRoot, serveCopyOfDist } from './support.mjs';

const READY_TIMEOUT = 120_000;
const RESULT_TIMEOUT = 60_000;
const ORANGE = 'Orange___Haunglongbing_(Citrus_greening)';
const en = JSON.parse(readFileSync(join(repoRoot, 'web', 'i18n', 'en.json'), 'utf8'));
const advice = JSON.parse(readFileSync(join(repoRoot, 'web', 'advice', 'en.json'), 'utf8'));
const LABELS = [...Object.keys(advice).filter((key) => key.includes('___')).sort(), 'Background_without_leaves'];

const png = (name, width, height, pixel) => {
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) rgba.set(pixel(i % width, Math.floor(i / width)), i * 4);
  return { name, mimeType: 'image/png', buffer: encodePng(width, height, rgba) };
};

describe('limits and faults in Chromium', () => {
  let copy;
  let page;
  let modelPath;
  const scratch = mkdtempSync(join(tmpdir(), 'leafcheck-limits-'));

  const historyCount = () => page.locator('#history-list > li').count();
  const scan = async (file) => {
    await page.locator('#input-gallery').setInputFiles(file);
    await page.locator('#result').waitFor({ state: 'visible', timeout: RESULT_TIMEOUT });
  };
  const expectError = async (file, text) => {
    await page.locator('#input-gallery').setInputFiles(file);
    await page.waitForFunction((expected) => document.getElementById('scan-error').textContent === expected, text, { timeout: RESULT_TIMEOUT });
  };

  before(async () => {
    copy = await serveCopyOfDist('leafcheck-limits-', async (site) => {
      const modelDir = join(site, 'model');
      const name = readdirSync(modelDir).find((file) => file.endsWith('.lcm'));
      modelPath = `/model/${name}`;
      writeFileSync(join(modelDir, name), makeFavouredModel(LABELS, [ORANGE, 'Tomato___Late_blight', 'Apple___Black_rot']));
      await injectManifest(injectManifestOptions(repoRoot, site));
    });
    page = await copy.browser.context.newPage();
    await page.goto(copy.server.url);
    await page.locator('#offline-pill[data-state="ready"]').waitFor({ timeout: READY_TIMEOUT });
  });
  after(async () => {
    await copy?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  test('a leaf gets the confident verdict the model gives (the control for the next tests)', async () => {
    await scan({ name: 'leaf.png', mimeType: 'image/png', buffer: generatedLeafPng() });
    assert.equal(await page.locator('#result').getAttribute('data-kind'), 'disease');
    assert.equal(await page.locator('#result-title').textContent(), `${advice[ORANGE].crop}: ${advice[ORANGE].condition}`);
  });

  test('a fully transparent 300x300 PNG and a 20000x3 green strip get "we can\'t tell" and name no class', async () => {
    const pictures = [
      png('transparent.png', 300, 300, () => [40, 170, 60, 0]),
      png('strip.png', 20000, 3, (x) => [40, 120 + (x % 60), 60, 255]),
      png('one-colour.png', 400, 300, () => [60, 140, 50, 255]),
    ];
    for (const picture of pictures) {
      await page.locator('#result-again').click();
      await scan(picture);
      assert.equal(await page.locator('#result').getAttribute('data-kind'), 'unsure', picture.name);
      assert.equal(await page.locator('#result-title').textContent(), en.unsureTitle, picture.name);
      assert.match(await page.locator('#result-summary').textContent(), new RegExp(`^${en.unsureNothingToSee.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`), picture.name);
      assert.equal(await page.locator('#result-matches > li').count(), 0, `${picture.name}: no class is listed`);
      assert.ok(!(await page.locator('#result-advice').isVisible()), picture.name);
    }
  });

  test('a PNG with a transparent background is judged as shown on white: the leaf gets its verdict', async () => {
    const leaf = png('leaf-cut-out.png', 256, 256, (x, y) => {
      const u = (x - 128) / 108;
      const v = (y - 128) / 66;
      return u * u + v * v < 1 ? [60 + (y % 20), 140 + (x % 30), 50, 255] : [0, 0, 0, 0];
    });
    await page.locator('#result-again').click();
    await scan(leaf);
    assert.equal(await page.locator('#result').getAttribute('data-kind'), 'disease');
    // The stored photo shows the transparent corners white, as the engine judged them, not black.
    await page.locator('#result-photo').evaluate((img) => img.decode());
    const corner = await page.locator('#result-photo').evaluate((img) => {
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const context = canvas.getContext('2d');
      context.drawImage(img, 0, 0);
      return Array.from(context.getImageData(2, 2, 1, 1).data.slice(0, 3));
    });
    assert.ok(corner.every((v) => v > 240), `corner ${corner}`);
  });

  test('a 0-byte file, a 60 MB file and an iPhone HEIC photo each get a clear message; history is kept', async () => {
    const before = await historyCount();
    await expectError({ name: 'empty.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(0) }, en.errorImageEmpty);
    // 60 MB that start like a JPEG: read and refused by the engine, not a frozen or blank page.
    const big = join(scratch, 'big.jpg');
    const bytes = Buffer.alloc(60 * 1024 * 1024, 0x5a);
    bytes.set([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]);
    writeFileSync(big, bytes);
    await expectError(big, en.errorImageUnreadable);
    // An iPhone photo: an ISO-BMFF box "ftyp" with brand "heic" (Chromium cannot decode HEIC).
    const heic = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheic'), Buffer.alloc(4), Buffer.from('mif1heic'), Buffer.alloc(64)]);
    await expectError({ name: 'IMG_0001.HEIC', mimeType: 'image/heic', buffer: heic }, en.errorImageHeic);
    assert.equal(await historyCount(), before);
    await scan({ name: 'leaf.png', mimeType: 'image/png', buffer: generatedLeafPng() });
    assert.equal(await page.locator('#result').getAttribute('data-kind'), 'disease', 'scanning still works');
  });

  test('a model damaged in the cache is detected at load, downloaded again and put back; history survives, offline too', async () => {
    await page.waitForFunction((n) => document.querySelectorAll('#history-list > li').length === n, 6);
    const damaged = await page.evaluate(async (path) => {
      for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        for (const request of await cache.keys()) {
          if (new URL(request.url).pathname !== path) continue;
          const response = await cache.match(request);
          const bytes = new Uint8Array(await response.arrayBuffer());
          bytes[bytes.length >> 1] ^= 0xff;
          await cache.put(request, new Response(bytes, { headers: response.headers }));
          return true;
        }
      }
      return false;
    }, modelPath);
    assert.ok(damaged, 'the model is in a cache');
    const downloadsBefore = copy.server.log.filter((r) => r.path.startsWith(modelPath)).length;

    await page.reload();
    await page.waitForFunction((text) => document.getElementById('scan-status').textContent === text, en.modelRepaired, { timeout: READY_TIMEOUT });
    assert.equal(copy.server.log.filter((r) => r.path.startsWith(modelPath) && r.status === 200).length, downloadsBefore + 1, 'downloaded once more');
    await page.waitForFunction(() => document.querySelectorAll('#history-list > li').length === 6);

    await copy.browser.context.setOffline(true);
    try {
      await page.reload();
      await page.locator('#offline-pill[data-state="ready"]').waitFor({ timeout: READY_TIMEOUT });
      assert.notEqual(await page.locator('#scan-status').textContent(), en.modelRepaired, 'the repaired copy loads without a repair');
      await scan({ name: 'leaf.png', mimeType: 'image/png', buffer: generatedLeafPng() });
      assert.equal(await page.locator('#result').getAttribute('data-kind'), 'disease');
      await page.waitForFunction(() => document.querySelectorAll('#history-list > li').length === 7);
    } finally {
      await copy.browser.context.setOffline(false);
    }
  });
});
