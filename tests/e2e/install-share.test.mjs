// Installing and sharing in (web/js/install.js, web/js/share-target.js, the service worker's share
// target route), in Chromium: the "Install app" button for the browser's prompt, the iOS Safari hint,
// and a photo shared from another app (a multipart POST to the manifest's share_target), offline.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PHONE, generatedLeafPng, launchChromium, repoRoot, servePhone, startServer } from './support.mjs';

const READY_TIMEOUT = 120_000;
const RESULT_TIMEOUT = 60_000;
const en = JSON.parse(readFileSync(join(repoRoot, 'web', 'i18n', 'en.json'), 'utf8'));
const IPHONE_SAFARI =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

async function openReady(browser, url) {
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  await page.goto(url);
  await page.locator('#offline-pill[data-state="ready"]').waitFor({ timeout: READY_TIMEOUT });
  return page;
}

// Submits a multipart form to the share target, as the phone's share sheet does.
async function shareIn(page, file) {
  await page.evaluate(() => {
    const form = Object.assign(document.createElement('form'), { method: 'POST', action: 'share-target', enctype: 'multipart/form-data' });
    form.append(Object.assign(document.createElement('input'), { type: 'file', name: 'photo', id: 'share-input' }));
    document.body.append(form);
  });
  if (file) await page.locator('#share-input').setInputFiles(file);
  await Promise.all([page.waitForURL((url) => url.pathname.endsWith('/'), { waitUntil: 'load' }), page.evaluate(() => document.querySelector('#share-input').form.submit())]);
}

const historyCount = (page) => page.evaluate(() => document.querySelectorAll('#history-list > li').length);

describe('Chromium: installing', () => {
  let server;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server?.stop();
  });

  test('Chromium: the browser\'s install prompt becomes an "Install app" button, used once', async () => {
    const browser = await launchChromium(PHONE);
    try {
      const page = await openReady(browser, server.url);
      await page.evaluate(() => {
        window.promptsShown = 0;
        const event = new Event('beforeinstallprompt', { cancelable: true });
        event.prompt = async () => {
          window.promptsShown += 1;
        };
        event.userChoice = Promise.resolve({ outcome: 'accepted', platform: 'web' });
        window.dispatchEvent(event);
        window.installPromptHeldBack = event.defaultPrevented;
      });
      assert.equal(await page.evaluate(() => window.installPromptHeldBack), true);
      const button = page.locator('#install-app');
      await button.waitFor({ state: 'visible' });
      assert.equal((await button.textContent()).trim(), en.installApp);
      assert.equal(await page.locator('#install-hint-ios').isVisible(), false);
      await button.click();
      await button.waitFor({ state: 'hidden' });
      assert.equal(await page.evaluate(() => window.promptsShown), 1);
    } finally {
      await browser.close();
    }
  });

  test('Chromium as iOS Safari: the "Add to Home Screen" hint shows until dismissed, and not when installed', async () => {
    const browser = await launchChromium({ ...PHONE, userAgent: IPHONE_SAFARI });
    try {
      // Safari never offers an install prompt; Chromium does, whatever the user agent says, so its
      // prompt is kept from the page here (it arrives at an unpredictable moment after load).
      await browser.context.addInitScript(() =>
        window.addEventListener('beforeinstallprompt', (event) => event.stopImmediatePropagation(), { capture: true }),
      );
      const page = await openReady(browser, server.url);
      const hint = page.locator('#install-hint-ios');
      await hint.waitFor({ state: 'visible' });
      assert.match(await hint.textContent(), /Add to Home Screen/);
      assert.equal(await page.locator('#install-app').isVisible(), false);
      await hint.locator('[data-dismiss]').click();
      await hint.waitFor({ state: 'hidden' });
      await page.reload();
      await page.locator('#offline-pill[data-state="ready"]').waitFor({ timeout: READY_TIMEOUT });
      assert.equal(await hint.isVisible(), false);

      // Opened from the home screen, where iOS Safari sets navigator.standalone: no hint even for
      // someone who never dismissed it.
      await page.evaluate(() => localStorage.clear());
      await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'standalone', { get: () => true }));
      await page.reload();
      await page.locator('#offline-pill[data-state="ready"]').waitFor({ timeout: READY_TIMEOUT });
      assert.equal(await page.evaluate(() => navigator.standalone), true);
      assert.equal(await hint.isVisible(), false);
    } finally {
      await browser.close();
    }
  });
});

describe('Chromium: sharing a photo into the app', () => {
  let phone;
  before(async () => {
    phone = await servePhone();
  });
  after(async () => {
    await phone?.close();
  });

  test('Chromium: a shared photo is scanned and saved, offline, and a reload does not scan it again', async () => {
    const page = await openReady(phone.browser, phone.server.url);
    const before = await historyCount(page);
    await phone.browser.context.setOffline(true);
    try {
      await shareIn(page, { name: 'leaf.png', mimeType: 'image/png', buffer: generatedLeafPng() });
      await page.locator('#result').waitFor({ state: 'visible', timeout: RESULT_TIMEOUT });
      await page.waitForFunction((count) => document.querySelectorAll('#history-list > li').length === count + 1, before);
      assert.equal(new URL(page.url()).searchParams.has('shared'), false);
      await page.reload();
      await page.locator('#offline-pill[data-state="ready"]').waitFor({ timeout: READY_TIMEOUT });
      await page.waitForFunction((count) => document.querySelectorAll('#history-list > li').length === count + 1, before);
      assert.equal(await page.locator('#result').isVisible(), false);
    } finally {
      await phone.browser.context.setOffline(false);
    }
  });

  test('Chromium: a share without a photo gets a clear message, and no scan', async () => {
    const page = await openReady(phone.browser, phone.server.url);
    const before = await historyCount(page);
    await shareIn(page, null);
    const error = page.locator('#scan-error');
    await error.waitFor({ state: 'visible' });
    assert.equal((await error.textContent()).trim(), en.errorSharedNoPhoto);
    assert.equal(await historyCount(page), before);
  });
});
