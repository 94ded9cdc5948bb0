// "Which crop is it?" on the scan view (web/js/crop-choice.js): served with a model whose final-layer
// bias ranks a potato class first and tomato classes lower for any photo (tools/make-random-model
// --favour), the answer is the potato class with no crop chosen, and the best tomato class, with only
// tomato classes listed and the choice named, once Tomato is chosen; the choice outlives a reload
// and is exported with the scan.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { injectManifest } from 'workbox-build';
import { injectManifestOptions } from '../../service-worker/workbox-config.mjs';
import { generatedLeafPng, makeFavouredModel, repoRoot, serveCopyOfDist } from './support.mjs';

const READY_TIMEOUT = 120_000;
const RESULT_TIMEOUT = 60_000;
const en = JSON.parse(readFileSync(join(repoRoot, 'web', 'i18n', 'en.json'), 'utf8'));
const advice = JSON.parse(readFileSync(join(repoRoot, 'web', 'advice', 'en.json'), 'utf8'));
const LABELS = [...Object.keys(advice).filter((key) => key.includes('___')).sort(), 'Background_without_leaves'];
const title = (label) => `${advice[label].crop}: ${advice[label].condition}`;
const FAVOUR = ['Potato___Early_blight', 'Apple___Black_rot', 'Tomato___Late_blight', 'Tomato___healthy', 'Tomato___Leaf_Mold'];

describe('the crop chosen on the scan view', () => {
  let copy;
  let page;
  before(async () => {
    copy = await serveCopyOfDist('leafcheck-crop-', async (site) => {
      const modelDir = join(site, 'model');
      const name = readdirSync(modelDir).find((file) => file.endsWith('.lcm'));
      writeFileSync(join(modelDir, name), makeFavouredModel(LABELS, FAVOUR));
      await injectManifest(injectManifestOptions(repoRoot, site));
    });
    page = copy.browser.context.pages()[0] ?? (await copy.browser.context.newPage());
    await page.goto(copy.server.url);
    await page.locator('#offline-pill[data-state="ready"]').waitFor({ timeout: READY_TIMEOUT });
  });
  after(async () => {
    await copy?.close();
  });

  async function scan(expectedScans) {
    await page.locator('#input-gallery').setInputFiles({ name: 'leaf.png', mimeType: 'image/png', buffer: generatedLeafPng() });
    await page.locator('#result').waitFor({ state: 'visible', timeout: RESULT_TIMEOUT });
    await page.waitForFunction((n) => document.querySelectorAll('#history-list > li').length === n, expectedScans);
    return page.locator('#result-matches > li .match-label span').allTextContents();
  }

  test('the picker offers the crops with two or more classes, by name, and "any crop" first', async () => {
    const options = await page.locator('#scan-crop option').evaluateAll((list) => list.map((o) => [o.value, o.textContent]));
    assert.deepEqual(options[0], ['', en.cropAny]);
    const offered = options.slice(1).map(([value]) => value);
    assert.ok(offered.includes('Tomato') && offered.includes('Corn_(maize)'), offered.join());
    for (const single of ['Soybean', 'Squash', 'Orange', 'Raspberry', 'Blueberry']) assert.ok(!offered.includes(single), single);
    assert.ok(options.some(([value, text]) => value === 'Corn_(maize)' && text === advice['Corn_(maize)___healthy'].crop));
    assert.equal(await page.locator('#scan-crop').inputValue(), '');
  });

  test('with no crop chosen the model\'s own first class is the answer', async () => {
    const listed = await scan(1);
    assert.equal(await page.locator('#result-title').textContent(), title('Potato___Early_blight'));
    assert.deepEqual(listed, [title('Potato___Early_blight'), title('Apple___Black_rot'), title('Tomato___Late_blight')]);
    assert.ok(await page.locator('#result-crop').isHidden());
  });

  test('with Tomato chosen only tomato classes are weighed, and the result says so', async () => {
    await page.locator('#result-again').click();
    await page.locator('#scan-crop').selectOption('Tomato');
    const listed = await scan(2);
    assert.equal(await page.locator('#result').getAttribute('data-kind'), 'disease');
    assert.equal(await page.locator('#result-title').textContent(), title('Tomato___Late_blight'));
    assert.deepEqual(listed, [title('Tomato___Late_blight'), title('Tomato___healthy'), title('Tomato___Leaf_Mold')]);
    // Its share of the tomato classes: nearly all of it, where it had almost none of all classes.
    assert.equal(await page.locator('#result-matches > li .match-label strong').first().textContent(), '>99%');
    assert.equal(await page.locator('#result-crop').textContent(), en.cropChosenResult.replace('{crop}', advice['Tomato___healthy'].crop));
  });

  test('the choice outlives a reload, and the CSV export names it', async () => {
    await page.reload();
    await page.locator('#scan-crop option[value="Tomato"]').waitFor({ state: 'attached', timeout: READY_TIMEOUT });
    assert.equal(await page.locator('#scan-crop').inputValue(), 'Tomato');
    await page.goto(`${copy.server.url}#history`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#history-export').click()]);
    const [header, ...rows] = readFileSync(await download.path(), 'utf8').replace(/^\ufeff/, '').trim().split('\r\n');
    const column = header.split(',').indexOf('crop_chosen');
    // Newest first: the Tomato scan, then the one made with no crop chosen.
    assert.deepEqual(rows.map((row) => [row.split(',')[3], row.split(',')[column]]), [['Late blight', 'Tomato'], ['Early blight', '']]);
  });
});
