// Live mode in Chromium with a fake camera showing a generated leaf: while the preview is open the
// overlay shows the newest frame's guess, never more than one frame is being classified, Capture
// freezes a frame into a normal scan in the history, and closing the preview stops the loop. The
// model's answer is fixed (live-site.mjs). Firefox and WebKit: live-scenario.mjs.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { NOT_LEAF, favouredSite, title } from './live-site.mjs';
import { CHROMIUM_ARGS, artifactsDir, fakeLeafCamera, installLiveProbe, repoRoot, serveCopyOfDist } from './support.mjs';

const READY_TIMEOUT = 120_000;
const LIVE_TIMEOUT = 60_000;
const en = JSON.parse(readFileSync(join(repoRoot, 'web', 'i18n', 'en.json'), 'utf8'));

async function openLiveApp(favour) {
  const camera = fakeLeafCamera();
  const copy = await serveCopyOfDist('leafcheck-live-', favouredSite(favour), { args: [...CHROMIUM_ARGS, ...camera.args] });
  await copy.browser.context.addInitScript(installLiveProbe);
  const page = copy.browser.context.pages()[0] ?? (await copy.browser.context.newPage());
  await page.goto(copy.server.url);
  await page.locator('#offline-pill[data-state="ready"]').waitFor({ timeout: READY_TIMEOUT });
  return {
    page,
    close: async () => {
      await copy.close();
      rmSync(camera.dir, { recursive: true, force: true });
    },
  };
}

const probe = (page) => page.evaluate(() => window.leafcheckLiveProbe);

async function openCamera(page) {
  await page.locator('#open-live-camera').click();
  await page.waitForFunction(() => document.getElementById('live-video').videoWidth > 0, null, { timeout: LIVE_TIMEOUT });
}

describe('live mode', () => {
  let app;
  before(async () => {
    app = await openLiveApp(['Tomato___Late_blight', 'Potato___Early_blight', 'Apple___Apple_scab']);
  });
  after(async () => {
    await app?.close();
  });

  test('the overlay shows the guess and its confidence, updated frame after frame, one frame in flight at most', async () => {
    const { page } = app;
    await openCamera(page);
    await page.waitForFunction(() => window.leafcheckLiveProbe.updates >= 5, null, { timeout: LIVE_TIMEOUT });
    assert.equal(await page.locator('#live-guess').getAttribute('data-kind'), 'disease');
    assert.equal(await page.locator('#live-guess-title').textContent(), title('Tomato___Late_blight'));
    assert.match(await page.locator('#live-guess-percent').textContent(), /^(>99|\d{2})%$/);
    assert.equal(await page.locator('#live-guess').getAttribute('aria-hidden'), 'true', 'the overlay itself is not read out per frame');
    // Announced once (the guess did not change), not once per frame.
    assert.equal(await page.locator('#live-announce').textContent(), en.liveAnnounce.replace('{title}', title('Tomato___Late_blight')).replace('{percent}', await page.locator('#live-guess-percent').textContent()));
    const seen = await probe(page);
    assert.ok(seen.answered >= 5, JSON.stringify(seen));
    assert.deepEqual(Object.keys(seen.kinds), ['disease'], 'every frame showed the guess');
    assert.equal(seen.maxInFlight, 1, `never two frames in the worker: ${JSON.stringify(seen)}`);
    mkdirSync(artifactsDir, { recursive: true });
    await page.screenshot({ path: join(artifactsDir, 'live-390x844.png') });
  });

  test('Capture freezes the frame into a normal scan that the history lists; the loop stops', async () => {
    const { page } = app;
    const before = await page.locator('#history-list > li').count();
    await page.locator('#live-capture').click();
    await page.locator('#result').waitFor({ state: 'visible', timeout: LIVE_TIMEOUT });
    assert.equal(await page.locator('#result').getAttribute('data-kind'), 'disease');
    assert.equal(await page.locator('#result-title').textContent(), title('Tomato___Late_blight'));
    await page.waitForFunction((count) => document.querySelectorAll('#history-list > li').length === count + 1, before, { timeout: LIVE_TIMEOUT });
    assert.ok(await page.locator('#live-camera').isHidden());
    const stopped = await probe(page);
    await page.waitForTimeout(1500);
    const later = await probe(page);
    assert.equal(later.sent, stopped.sent, 'no frame is sent after the capture');
    assert.equal(later.inFlight, 0);
  });

  test('a hidden page pauses the loop, closing the preview stops it; reopening starts it again', async () => {
    const { page } = app;
    const start = await probe(page);
    await page.locator('#result-again').click();
    await openCamera(page);
    await page.waitForFunction((n) => window.leafcheckLiveProbe.updates >= n + 2, start.updates, { timeout: LIVE_TIMEOUT });
    // Headless Chromium never hides its page: document.hidden is overridden and the event fired.
    const setHidden = (hidden) =>
      page.evaluate((value) => {
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => value });
        document.dispatchEvent(new Event('visibilitychange'));
      }, hidden);
    await setHidden(true);
    await page.waitForFunction(() => window.leafcheckLiveProbe.inFlight === 0, null, { timeout: LIVE_TIMEOUT });
    const hidden = await probe(page);
    await page.waitForTimeout(1000);
    assert.equal((await probe(page)).sent, hidden.sent, 'no frame is sent while the page is hidden');
    await setHidden(false);
    await page.waitForFunction((n) => window.leafcheckLiveProbe.updates >= n + 2, hidden.updates, { timeout: LIVE_TIMEOUT });
    await page.locator('#live-close').click();
    assert.ok(await page.locator('#live-camera').isHidden());
    await page.waitForFunction(() => window.leafcheckLiveProbe.inFlight === 0, null, { timeout: LIVE_TIMEOUT });
    const closed = await probe(page);
    await page.waitForTimeout(1500);
    const later = await probe(page);
    assert.equal(later.sent, closed.sent, 'no frame is sent once the preview is closed');
    assert.equal(later.updates, closed.updates, 'no late answer reaches the overlay');
    assert.equal(later.maxInFlight, 1);
  });
});

describe('live mode without a leaf in view', () => {
  let app;
  before(async () => {
    app = await openLiveApp([NOT_LEAF, 'Tomato___Late_blight', 'Potato___Early_blight']);
  });
  after(async () => {
    await app?.close();
  });

  test('the overlay says "Not a leaf", with no class and no percentage', async () => {
    const { page } = app;
    await openCamera(page);
    await page.waitForFunction(() => window.leafcheckLiveProbe.updates >= 2, null, { timeout: LIVE_TIMEOUT });
    assert.equal(await page.locator('#live-guess').getAttribute('data-kind'), 'not-leaf');
    assert.equal(await page.locator('#live-guess-title').textContent(), en.notLeafShort);
    assert.equal(await page.locator('#live-guess-percent').textContent(), '');
    assert.doesNotMatch(await page.locator('#live-guess').innerText(), /blight|background|%/i);
    await page.locator('#live-close').click();
  });
});
