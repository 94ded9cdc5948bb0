// The 39th class of the 39-output models, Background_without_leaves: served with a model whose labels
// include it and whose final-layer bias fixes the ranking (tools/make-random-model --favour), the app
// must answer "This does not look like a leaf" when it ranks first and never list it among the
// possibilities when it ranks lower, in the result, the history and the CSV export.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { injectManifest } from 'workbox-build';
import { injectManifestOptions } from '../../service-worker/workbox-config.mjs';
import { artifactsDir, generatedLeafPng, makeFavouredModel, repoRoot, serveCopyOfDist } from './support.mjs';

const READY_TIMEOUT = 120_000;
const RESULT_TIMEOUT = 60_000;
const NOT_LEAF = 'Background_without_leaves';
const en = JSON.parse(readFileSync(join(repoRoot, 'web', 'i18n', 'en.json'), 'utf8'));
const advice = JSON.parse(readFileSync(join(repoRoot, 'web', 'advice', 'en.json'), 'utf8'));
// The 38 PlantVillage classes (every one has advice) plus the background class, as the next model has them.
const LABELS = [...Object.keys(advice).filter((key) => key.includes('___')).sort(), NOT_LEAF];
const title = (label) => `${advice[label].crop}: ${advice[label].condition}`;

// A copy of dist/ whose model ranks `favour` first, second, ... for any photo.
function serveWithFavouredModel(favour) {
  return serveCopyOfDist('leafcheck-notleaf-', async (site) => {
    const modelDir = join(site, 'model');
    const name = readdirSync(modelDir).find((file) => file.endsWith('.lcm'));
    writeFileSync(join(modelDir, name), makeFavouredModel(LABELS, favour));
    await injectManifest(injectManifestOptions(repoRoot, site));
  });
}

async function scanLeaf(copy) {
  const page = copy.browser.context.pages()[0] ?? (await copy.browser.context.newPage());
  await page.goto(copy.server.url);
  await page.locator('#offline-pill[data-state="ready"]').waitFor({ timeout: READY_TIMEOUT });
  await page.locator('#input-gallery').setInputFiles({ name: 'leaf.png', mimeType: 'image/png', buffer: generatedLeafPng() });
  await page.locator('#result').waitFor({ state: 'visible', timeout: RESULT_TIMEOUT });
  await page.waitForFunction(() => document.querySelectorAll('#history-list > li').length === 1);
  return page;
}

async function exportedCsv(page) {
  await page.goto(`${page.url().split('#')[0]}#history`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#history-export').click()]);
  return readFileSync(await download.path(), 'utf8').replace(/^\ufeff/, '').trim().split('\r\n');
}

describe('Background_without_leaves ranked first', () => {
  let copy;
  before(async () => {
    copy = await serveWithFavouredModel([NOT_LEAF, 'Tomato___Late_blight', 'Potato___Early_blight']);
  });
  after(async () => {
    await copy?.close();
  });

  test('the result says "This does not look like a leaf" with photo tips, and names no class', async () => {
    const page = await scanLeaf(copy);
    assert.equal(await page.locator('#result').getAttribute('data-kind'), 'not-leaf');
    assert.equal(await page.locator('#result-kicker').textContent(), en.kickerNotLeaf);
    assert.equal(await page.locator('#result-title').textContent(), en.notLeafTitle);
    assert.ok(await page.locator('#result-unsure').isVisible(), 'photo tips are shown');
    assert.equal(await page.locator('#tips-title').textContent(), en.tipsTitleNotLeaf);
    assert.ok(await page.locator('#result-unsure').getByText(en.tipOneLeaf).isVisible());
    assert.ok(!(await page.locator('#result-advice').isVisible()), 'no advice card');
    assert.ok(!(await page.locator('#result-matches').isVisible()), 'no list of possibilities');
    assert.equal(await page.locator('#result-matches > li').count(), 0);
    const shown = await page.locator('#result').innerText();
    assert.doesNotMatch(shown, /background without leaves|blight|\d\s?%/i, shown);
    mkdirSync(artifactsDir, { recursive: true });
    await page.screenshot({ path: join(artifactsDir, 'not-leaf-390x844-full.png'), fullPage: true });
  });

  test('the history lists it as "Not a leaf" without a percentage; the CSV row names no class', async () => {
    const page = copy.browser.context.pages()[0];
    await page.goto(`${copy.server.url}#history`);
    const row = page.locator('#history-list > li').first();
    assert.equal(await row.locator('h2').textContent(), en.notLeafShort);
    assert.doesNotMatch(await row.innerText(), /%|blight|background/i);
    const csv = await exportedCsv(page);
    assert.equal(csv.length, 2);
    assert.deepEqual(csv[1].split(',').slice(1, 7), ['not_a_leaf', '', '', '', '', 'yes']);
  });
});

describe('Background_without_leaves ranked second', () => {
  let copy;
  before(async () => {
    copy = await serveWithFavouredModel(['Tomato___Late_blight', NOT_LEAF, 'Apple___Black_rot', 'Potato___Early_blight']);
  });
  after(async () => {
    await copy?.close();
  });

  test('the diagnosis stands and the three listed possibilities are the next leaf classes', async () => {
    const page = await scanLeaf(copy);
    assert.equal(await page.locator('#result').getAttribute('data-kind'), 'disease');
    assert.equal(await page.locator('#result-title').textContent(), title('Tomato___Late_blight'));
    const listed = await page.locator('#result-matches > li .match-label span').allTextContents();
    assert.deepEqual(listed, [title('Tomato___Late_blight'), title('Apple___Black_rot'), title('Potato___Early_blight')]);
    // The engine's probabilities, as it gave them: the favoured first class has nearly all the mass.
    const percents = await page.locator('#result-matches > li .match-label strong').allTextContents();
    assert.deepEqual(percents, ['>99%', '<1%', '<1%']);
    const csv = await exportedCsv(page);
    assert.deepEqual(csv[1].split(',').slice(1, 5), ['disease', 'Tomato', 'Late blight', 'Tomato___Late_blight']);
  });
});
