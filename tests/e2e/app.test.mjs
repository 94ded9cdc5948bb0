// End-to-end: the built app (dist/) served by tools/serve.mjs, driven in Debian's headless Chromium.
// One fresh browser profile walks the path a farmer takes: first visit, scan, go offline, scan again.
// Requires `npm run build` first. Writes screenshots and measurements to test-artifacts/.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { installPageProbe } from './page-probe.mjs';
import { CHROMIUM_ARGS, artifactsDir, expectedMatchCount, findLeafPhoto, generatedLeafPng, generatedFlatPng, generatedNonLeafPng, launchChromium, repoRoot, startServer } from './support.mjs';

const en = JSON.parse(readFileSync(join(repoRoot, 'web', 'i18n', 'en.json'), 'utf8'));
const pt = JSON.parse(readFileSync(join(repoRoot, 'web', 'i18n', 'pt.json'), 'utf8'));
const READY_TIMEOUT = 120_000;
const RESULT_TIMEOUT = 60_000;

const realPhoto = findLeafPhoto();
const leafFile = realPhoto
  ? { name: 'leaf.jpg', mimeType: 'image/jpeg', buffer: readFileSync(realPhoto.path) }
  : { name: 'leaf.png', mimeType: 'image/png', buffer: generatedLeafPng() };

let server;
let browser;
let context;
let page;
let origin;
const requests = [];
const consoleErrors = [];
const cspViolations = [];
const measurements = { leafPhoto: realPhoto ? realPhoto.path : 'generated PNG', scans: [] };

async function waitUntilReady() {
  await page.locator('#offline-pill[data-state="ready"]').waitFor({ timeout: READY_TIMEOUT });
}

async function historyCount() {
  return page.locator('#history-list > li').count();
}

// Chooses the leaf through the gallery file input; returns the wall-clock and in-page times.
async function scanLeaf() {
  const started = Date.now();
  await page.locator('#input-gallery').setInputFiles(leafFile);
  await page.locator('#result').waitFor({ state: 'visible', timeout: RESULT_TIMEOUT });
  const wallMs = Date.now() - started;
  const pageMs = await page.evaluate(() => performance.getEntriesByName('leafcheck:scan').at(-1)?.duration ?? null);
  const scan = { wallMs, pageMs, engine: await page.locator('#result-timing').textContent() };
  measurements.scans.push(scan);
  return scan;
}

describe('Leafcheck PWA in Chromium', () => {
  before(async () => {
    mkdirSync(artifactsDir, { recursive: true });
    server = await startServer();
    origin = new URL(server.url).origin;
    browser = await launchChromium({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 1,
      locale: 'en-US',
      // A synthetic camera (a moving test pattern), so the live-camera path runs headless.
      args: [...CHROMIUM_ARGS, '--use-fake-device-for-media-stream'],
    });
    context = browser.context;
    context.on('request', (request) => requests.push(request.url()));
    // Only the policy violations: this suite makes the app warn on purpose (unreadable files, a full quota).
    await context.exposeBinding('leafcheckProbeReport', (source, kind, text) => {
      if (kind === 'violations') cspViolations.push(text);
    });
    await context.addInitScript(installPageProbe);
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (message) => {
      if (process.env.DEBUG_E2E) console.log('# console', message.type(), message.text());
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(String(error)));
  });

  after(async () => {
    const missing = server?.log.filter((entry) => entry.status === 404).map((entry) => entry.path) ?? [];
    if (missing.length) console.log(`# 404 responses: ${missing.join(', ')}`);
    await browser?.close();
    await server?.stop();
    writeFileSync(join(artifactsDir, 'measurements.json'), `${JSON.stringify(measurements, null, 2)}\n`);
  });

  test('the page loads, the service worker takes control and caches everything', async (t) => {
    await page.goto(server.url);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: READY_TIMEOUT });
    await waitUntilReady();
    assert.equal(await page.locator('#offline-pill-text').textContent(), en.offlineReady);
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    // Everything downloaded so far is the whole first visit: the app is usable offline from here on.
    const firstVisit = server.log.filter((entry) => entry.status === 200);
    measurements.firstVisit = {
      requests: firstVisit.length,
      bodyBytes: firstVisit.reduce((sum, entry) => sum + entry.bytes, 0),
      byFile: firstVisit.map(({ path, encoding, bytes }) => ({ path, encoding, bytes })),
    };
    t.diagnostic(`first visit: ${firstVisit.length} responses, ${measurements.firstVisit.bodyBytes} bytes on the wire (bodies)`);
  });

  test('a leaf photo chosen through the file input gives three classes', async (t) => {
    const { wallMs, pageMs } = await scanLeaf();
    t.diagnostic(`file chosen -> result shown: ${wallMs} ms (test clock), ${pageMs?.toFixed(1)} ms (in-page measure)`);
    assert.equal(await page.locator('#result-matches > li').count(), 3);
    assert.ok((await page.locator('#result-title').textContent()).trim().length > 0);
    // The photo follows the verdict: the worker encodes it after the result is painted.
    await page.waitForFunction(() => {
      const img = document.getElementById('result-photo');
      return !img.hidden && img.complete && img.naturalWidth > 0;
    });
    await page.locator('#result-photo').evaluate((img) => img.decode());
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(artifactsDir, 'result-390x844.png') });
    await page.screenshot({ path: join(artifactsDir, 'result-390x844-full.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(artifactsDir, 'result-1280x800.png') });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForFunction(() => document.querySelectorAll('#history-list > li').length === 1);
  });

  test('a non-image, an empty file, a truncated JPEG and a huge panorama each show their message; history is kept', async () => {
    await page.locator('#input-gallery').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a photo\n') });
    await page.locator('#scan-error').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#scan-error').textContent(), en.errorImageUnreadable);
    const expectError = async (file, text) => {
      await page.locator('#input-gallery').setInputFiles(file);
      await page.waitForFunction((expected) => document.getElementById('scan-error').textContent === expected, text, { timeout: RESULT_TIMEOUT });
    };
    await expectError({ name: 'empty.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(0) }, en.errorImageEmpty);
    const truncated = leafFile.buffer.subarray(0, leafFile.buffer.length >> 1);
    await expectError({ ...leafFile, name: `cut-${leafFile.name}`, buffer: truncated }, en.errorImageUnreadable);
    // 9000 x 4600 = 41.4 megapixels: over the engine's 40-megapixel limit.
    await expectError({ name: 'panorama.png', mimeType: 'image/png', buffer: generatedFlatPng(9000, 4600) }, en.errorImageTooLarge);
    assert.equal(await historyCount(), 1);
  });

  test('a photo without a leaf gives "not a leaf" with photo tips instead of a diagnosis', async () => {
    await page.locator('#input-gallery').setInputFiles({ name: 'sky.png', mimeType: 'image/png', buffer: generatedNonLeafPng() });
    await page.locator('#result[data-kind="not-leaf"]').waitFor({ state: 'visible', timeout: RESULT_TIMEOUT });
    assert.equal(await page.locator('#result-title').textContent(), en.notLeafTitle);
    assert.ok(await page.locator('#result-unsure').isVisible());
    assert.ok(!(await page.locator('#result-advice').isVisible()));
    assert.equal(await page.locator('#result-matches > li').count(), 0, 'no class is listed');
    await page.waitForFunction(() => document.querySelectorAll('#history-list > li').length === 2);
  });

  test('a full storage quota: the result is shown, a message says it was not saved, history is intact', async () => {
    // Chromium's DevTools quota override does not reach an IndexedDB connection that has already written
    // (it keeps its own idea of the space left), so the refusal is made the way the browser reports it.
    await page.evaluate(() => {
      window.leafcheckRealAdd = IDBObjectStore.prototype.add;
      IDBObjectStore.prototype.add = () => {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      };
    });
    await page.locator('#input-gallery').setInputFiles(leafFile);
    await page.waitForFunction((text) => document.getElementById('scan-error').textContent === text, en.errorStorageFull);
    assert.ok(await page.locator('#result').isVisible(), 'the result is still shown');
    await page.evaluate(() => {
      IDBObjectStore.prototype.add = window.leafcheckRealAdd;
    });
    await page.reload();
    await waitUntilReady();
    assert.equal(await historyCount(), 2);
  });

  test('the live camera: a denied permission shows the message; once allowed, a captured frame is classified', async () => {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Browser.setPermission', { origin, permission: { name: 'camera' }, setting: 'denied' });
    await page.locator('#open-live-camera').click();
    await page.locator('#scan-error').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#scan-error').textContent(), en.errorCameraDenied);
    assert.ok(await page.locator('label[for="input-gallery"]').isVisible(), 'the other ways to scan stay available');

    await cdp.send('Browser.setPermission', { origin, permission: { name: 'camera' }, setting: 'granted' });
    await page.locator('#open-live-camera').click();
    await page.waitForFunction(() => document.getElementById('live-video').videoWidth > 0);
    await page.locator('#live-capture').click();
    await page.locator('#result').waitFor({ state: 'visible', timeout: RESULT_TIMEOUT });
    assert.equal(await page.locator('#result-matches > li').count(), await expectedMatchCount(page));
    assert.ok(await page.locator('#live-camera').isHidden(), 'the camera is closed after the capture');
    await page.waitForFunction(() => document.querySelectorAll('#history-list > li').length === 3);
  });

  test('the location is stored with a scan only after the person turns it on', async () => {
    await context.grantPermissions(['geolocation'], { origin });
    await context.setGeolocation({ latitude: -22.9, longitude: -47.06 });
    await page.goto(`${server.url}#settings`);
    assert.equal(await page.locator('#setting-location').isChecked(), false, 'off by default');
    await page.locator('#setting-location').check();
    await page.waitForFunction(() => JSON.parse(localStorage.getItem('leafcheck-settings'))?.saveLocation === true);
    await page.goto(`${server.url}#scan`);
    if (await page.locator('#result-again').isVisible()) await page.locator('#result-again').click();
    await scanLeaf();
    await page.waitForFunction(() => document.querySelectorAll('#history-list > li').length === 4);
    assert.match(await page.locator('#history-list > li').first().textContent(), /Location: -22\.90000, -47\.06000/);
    await page.goto(`${server.url}#settings`);
    await page.locator('#setting-location').uncheck();
    await page.goto(`${server.url}#scan`);
  });

  test('Settings shows the test accuracy measured for the very model file the app loaded', async () => {
    const modelDir = join(repoRoot, 'dist', 'model');
    const model = readFileSync(join(modelDir, readdirSync(modelDir).find((name) => name.endsWith('.lcm')))).toString('latin1');
    const trained = model.includes('"trained":true');
    const measured = /"test_top1":([0-9.eE+-]+)/.exec(model);
    const expected = !trained
      ? en.notApplicable
      : measured
        ? new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 0 }).format(Number(measured[1]))
        : en.notMeasured;
    await page.goto(`${server.url}#settings`);
    const accuracy = page.locator('#settings-model dt', { hasText: en.modelAccuracy }).locator('xpath=following-sibling::dd[1]');
    assert.equal(await accuracy.textContent(), expected);
  });

  test('the manifest has the required fields and Chromium reports no installability errors', async () => {
    const manifest = await page.evaluate(async () => (await fetch(document.querySelector('link[rel=manifest]').href)).json());
    for (const field of ['name', 'short_name', 'description', 'start_url', 'scope', 'display', 'theme_color', 'background_color', 'icons', 'screenshots']) {
      assert.ok(manifest[field], `manifest.${field}`);
    }
    assert.equal(manifest.display, 'standalone');
    const sizes = (purpose) => manifest.icons.filter((icon) => (icon.purpose ?? 'any').split(' ').includes(purpose)).map((icon) => icon.sizes);
    assert.ok(sizes('any').includes('192x192') && sizes('any').includes('512x512'));
    assert.ok(sizes('maskable').includes('512x512'));
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    assert.deepEqual(installabilityErrors, []);
    const appleIcon = await page.evaluate(async () => {
      const link = document.querySelector('link[rel=apple-touch-icon]');
      const response = await fetch(link.href);
      return response.ok && response.headers.get('content-type');
    });
    assert.equal(appleIcon, 'image/png');
  });

  test('history: a note is saved, CSV export has one row per scan, one scan can be deleted', async () => {
    await page.goto(`${server.url}#history`);
    await page.locator('#history-list > li').first().waitFor();
    const count = await historyCount();
    await page.locator('#history-list > li').first().getByRole('button', { name: /^Open/ }).click();
    await page.locator('#result-note').fill('=SUM(A1), north field');
    await page.locator('#result-save-note').click();
    await page.waitForFunction((text) => document.getElementById('scan-status').textContent === text, en.noteSaved);
    await page.goto(`${server.url}#history`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#history-export').click()]);
    const csv = readFileSync(await download.path(), 'utf8').replace(/^\ufeff/, '').trim().split('\r\n');
    assert.equal(csv[0], 'date,verdict,crop,condition,class,confidence,not_sure,crop_chosen,latitude,longitude,note,model_version');
    assert.equal(csv.length, count + 1);
    // Newest first; a note that looks like a spreadsheet formula is neutralised.
    assert.ok(csv[1].includes(`"'=SUM(A1), north field"`), csv[1]);
    assert.equal(await historyCount(), count, 'saving a note adds no scan');
    await page.locator('#history-list > li').first().getByRole('button', { name: /^Delete/ }).click();
    await page.waitForFunction((n) => document.querySelectorAll('#history-list > li').length === n, count - 1);
    await page.goto(`${server.url}#scan`);
  });

  for (const [width, height] of [[320, 640], [390, 844], [1280, 800]]) {
    test(`at ${width} px: no sideways scrolling, 48 px touch targets, every control labelled`, async () => {
      await page.setViewportSize({ width, height });
      for (const view of ['scan', 'history', 'settings']) {
        await page.goto(`${server.url}#${view}`);
        const problems = await page.evaluate(() => {
          const found = [];
          if (document.documentElement.scrollWidth > window.innerWidth) found.push(`page is ${document.documentElement.scrollWidth} px wide`);
          const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
          for (const el of document.querySelectorAll('button, .button, select, textarea, .tab')) {
            if (!visible(el)) continue;
            const box = el.getBoundingClientRect();
            if (box.height < 48 || box.width < 48) found.push(`${el.id || el.textContent.trim()} is ${Math.round(box.width)}x${Math.round(box.height)}`);
          }
          for (const el of document.querySelectorAll('input, select, textarea')) {
            if (!el.labels?.length && !el.getAttribute('aria-label')) found.push(`${el.id} has no label`);
          }
          for (const img of document.querySelectorAll('img')) if (!img.hasAttribute('alt')) found.push(`img ${img.src} has no alt`);
          return found;
        });
        assert.deepEqual(problems, [], `${view} view at ${width} px`);
      }
    });
  }

  // Waits for the "Install app" button. When it does not come, says why Chromium thinks the page is not
  // installable (DevTools' own check), so that a rare failure seen in a full run can be told apart from
  // the event merely coming late.
  async function waitForInstallButton() {
    try {
      await page.locator('#install-app').waitFor({ state: 'visible', timeout: 30_000 });
    } catch (error) {
      const cdp = await context.newCDPSession(page);
      const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
      const controlled = await page.evaluate(() => navigator.serviceWorker.controller?.state ?? 'none');
      throw new Error(`${error.message}\nChromium's installability errors: ${JSON.stringify(installabilityErrors)}; service worker controlling the page: ${controlled}`);
    }
  }

  test('installable: Chromium offers to install the app, and the page shows that as an "Install app" button', async () => {
    await page.goto(`${server.url}#scan`);
    await waitForInstallButton();
  });

  test('keyboard: Tab reaches the install button, the tabs, the crop choice and every way to scan, each with a visible focus ring', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${server.url}#scan`);
    if (await page.locator('#result-again').isVisible()) await page.locator('#result-again').click();
    await waitForInstallButton();
    await page.locator('.skip-link').focus();
    const reached = [];
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press('Tab');
      reached.push(
        await page.evaluate(() => {
          const el = document.activeElement;
          // File inputs are visually hidden; their label button carries the ring.
          const shown = el.type === 'file' ? document.querySelector(`label[for="${el.id}"]`) : el;
          return { id: el.id || el.textContent.trim() || el.tagName, ring: getComputedStyle(shown).outlineStyle !== 'none' };
        }),
      );
    }
    const ids = reached.map((entry) => entry.id);
    assert.deepEqual(ids, ['install-app', 'tab-scan', 'tab-history', 'tab-settings', 'scan-crop', 'input-camera', 'open-live-camera', 'input-gallery']);
    assert.deepEqual(reached.filter((entry) => !entry.ring), []);
  });

  test('offline: the page reloads, classifies again and the history survived', async (t) => {
    await server.stop();
    await context.setOffline(true);
    await page.evaluate(() => {
      location.hash = '#scan';
    });
    await page.reload();
    await waitUntilReady();
    assert.equal(await historyCount(), 3, 'history survives the reload');
    const { wallMs, pageMs } = await scanLeaf();
    t.diagnostic(`offline: file chosen -> result shown: ${wallMs} ms (test clock), ${pageMs?.toFixed(1)} ms (in-page measure)`);
    assert.equal(await page.locator('#result-matches > li').count(), 3);
    await page.waitForFunction(() => document.querySelectorAll('#history-list > li').length === 4);
    // A cold start from the home screen opens the manifest's start_url (with its query), offline too.
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'web', 'manifest.webmanifest'), 'utf8'));
    await page.goto(new URL(manifest.start_url, server.url).href);
    await waitUntilReady();
    assert.equal(await historyCount(), 4);
  });

  test('offline: the language switches to Portuguese and the page lang follows', async () => {
    await page.goto(`${server.url}#settings`);
    await page.locator('#setting-language').selectOption('pt');
    await page.waitForFunction(() => document.documentElement.lang === 'pt');
    assert.equal(await page.locator('#settings-title').textContent(), pt.settingsTitle);
    await page.locator('#setting-language').selectOption('en');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
  });

  test('Chromium: no CSP violation, no request went to any other origin and the page logged no errors', (t) => {
    const foreign = requests.filter((url) => !url.startsWith(`${origin}/`) && !/^(data|blob):/.test(url));
    t.diagnostic(`Chromium: ${cspViolations.length} CSP violations; ${new Set(requests).size} distinct URLs requested, ${foreign.length} of another origin`);
    assert.deepEqual(cspViolations, []);
    assert.deepEqual(foreign, []);
    assert.deepEqual(consoleErrors, []);
  });
});
