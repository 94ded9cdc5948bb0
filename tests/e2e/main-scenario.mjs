// The farmer's main path, the same in every engine: first visit, service worker in control, a real leaf
// classified, a reload under the service worker (its Content Security Policy header now on the page and
// the inference worker), history saved, listed and exported, installability metadata, then offline:
// reload, classify again, history intact. Throughout: no CSP violation, no request to another origin,
// no error in the page.
//
// describeMainScenario(engine, launch) declares the tests; launch() resolves to an adapter over the
// engine's driver: {evaluate(fn, arg), open(url), reload(), chooseFile(inputId, path), requests(),
// close()}. open() and reload() resolve once the page has loaded, with installPageProbe already running.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ProbeLog, readPageProbe } from './page-probe.mjs';
import { findLeafPhoto, generatedLeafPng, repoRoot, startServer } from './support.mjs';

const en = JSON.parse(readFileSync(join(repoRoot, 'web', 'i18n', 'en.json'), 'utf8'));
const manifest = JSON.parse(readFileSync(join(repoRoot, 'web', 'manifest.webmanifest'), 'utf8'));
const READY_TIMEOUT = 120_000;
const RESULT_TIMEOUT = 60_000;

// Polls fn in the page until it returns something truthy; resolves to that. Also for live-scenario.mjs.
export async function waitFor(page, fn, arg, timeout = RESULT_TIMEOUT, what = fn.toString()) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await page.evaluate(fn, arg);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const historyCount = () => document.querySelectorAll('#history-list > li').length;

export function describeMainScenario(engine, launch) {
  describe(`Leafcheck main scenario in ${engine}`, () => {
    const photoDir = mkdtempSync(join(tmpdir(), 'leafcheck-photo-'));
    const real = findLeafPhoto();
    const photo = real?.path ?? join(photoDir, 'leaf.png');
    if (!real) writeFileSync(photo, generatedLeafPng());
    const log = new ProbeLog();
    const timings = {};
    let server;
    let page;
    let origin;

    // Reads what the current document's probe saw before the document goes away.
    async function navigate(action) {
      log.collect(await page.evaluate(readPageProbe));
      await action();
    }

    // On a timeout also says where the pill and the service worker stood, to tell a stuck start from a slow one.
    async function untilReady() {
      try {
        await waitFor(page, () => document.getElementById('offline-pill').dataset.state === 'ready', null, READY_TIMEOUT, 'the "Ready for offline use" pill');
      } catch (error) {
        const state = await page.evaluate(async () => {
          const pill = document.getElementById('offline-pill');
          const registration = await navigator.serviceWorker.getRegistration();
          return {
            pill: `${pill.dataset.state}: ${pill.textContent.trim()}`,
            controller: navigator.serviceWorker.controller?.state ?? 'none',
            active: registration?.active?.state ?? 'none',
            waiting: registration?.waiting?.state ?? 'none',
            installing: registration?.installing?.state ?? 'none',
          };
        });
        throw new Error(`${error.message}; then: ${JSON.stringify(state)}`);
      }
    }

    async function scan(expectedHistory) {
      const started = Date.now();
      await page.chooseFile('input-gallery', photo);
      await waitFor(page, () => !document.getElementById('result').hidden || !document.getElementById('scan-error').hidden);
      const shown = await page.evaluate(() => ({
        error: document.getElementById('scan-error').hidden ? null : document.getElementById('scan-error').textContent,
        kind: document.getElementById('result').dataset.kind,
        title: document.getElementById('result-title').textContent,
        matches: document.querySelectorAll('#result-matches > li').length,
      }));
      assert.equal(shown.error, null);
      assert.ok(shown.title.trim().length > 0, 'the result has a title');
      assert.equal(shown.matches, shown.kind === 'not-leaf' ? 0 : 3);
      await waitFor(page, (n) => document.querySelectorAll('#history-list > li').length === n, expectedHistory);
      assert.ok(await page.evaluate(() => document.getElementById('scan-error').hidden), 'no "could not be saved" message');
      return { ms: Date.now() - started, title: shown.title };
    }

    before(async () => {
      server = await startServer();
      origin = new URL(server.url).origin;
      const started = Date.now();
      page = await launch();
      timings.launchMs = Date.now() - started;
    });

    after(async () => {
      await page?.close();
      await server?.stop();
      rmSync(photoDir, { recursive: true, force: true });
    });

    test(`${engine}: first load, the service worker takes control and caches everything`, async (t) => {
      const started = Date.now();
      await page.open(server.url);
      await waitFor(page, () => navigator.serviceWorker?.controller !== null, null, READY_TIMEOUT, 'a controlling service worker');
      await untilReady();
      t.diagnostic(`${engine}: browser started in ${timings.launchMs} ms; first load to "ready for offline use" in ${Date.now() - started} ms`);
      assert.equal(await page.evaluate(() => document.getElementById('offline-pill-text').textContent), en.offlineReady);
      // The service worker stores only the engine builds this browser can run (service-worker/sw.js).
      const stored = await page.evaluate(async () => {
        const builds = new Set();
        for (const name of await caches.keys()) {
          for (const request of await (await caches.open(name)).keys()) {
            const build = /\/engine\/leafcheck-(nosimd|simd|threads)[.]/.exec(new URL(request.url).pathname)?.[1];
            if (build) builds.add(build);
          }
        }
        const { supportsWasmSimd } = await import('./js/wasm-features.js');
        return { builds: [...builds].sort(), simd: supportsWasmSimd() };
      });
      assert.deepEqual(stored.builds, stored.simd ? ['simd', 'threads'] : ['nosimd']);
    });

    test(`${engine}: a real leaf photo is classified and saved to the history`, async (t) => {
      const { ms, title } = await scan(1);
      t.diagnostic(`${engine}: ${real ? real.label : 'generated leaf'} -> "${title}" in ${ms} ms`);
    });

    test(`${engine}: what the engine lacks takes its fallback (camera, storage persistence, SIMD)`, async (t) => {
      await navigate(() => page.open(`${server.url}#settings`));
      await untilReady();
      const found = await page.evaluate(async () => {
        const { supportsWasmSimd } = await import('./js/wasm-features.js');
        const facts = [...document.querySelectorAll('#settings-model dd')].map((dd) => dd.textContent);
        return {
          camera: Boolean(navigator.mediaDevices?.getUserMedia),
          cameraButton: !document.getElementById('open-live-camera').hidden,
          persist: typeof navigator.storage?.persist === 'function',
          storageLine: document.getElementById('settings-storage').textContent,
          simd: supportsWasmSimd(),
          engineShown: facts.at(-1),
          isolated: globalThis.crossOriginIsolated === true,
        };
      });
      t.diagnostic(`${engine}: getUserMedia ${found.camera}, storage.persist ${found.persist}, SIMD ${found.simd}, cross-origin isolated (threads) ${found.isolated}`);
      assert.equal(found.cameraButton, found.camera, 'the live-camera button shows only where getUserMedia exists');
      // The shipped model is int8 (model/leafcheck-int8.lcm): on one SIMD thread it runs on the int8 kernels.
      assert.equal(found.engineShown, found.simd ? 'WebAssembly SIMD, int8' : 'WebAssembly', 'the engine build matches the SIMD probe');
      if (!found.persist) assert.ok(!found.storageLine.includes(en.storagePersisted), 'without storage.persist the app claims no persistence');
      await navigate(() => page.open(`${server.url}#scan`));
      await untilReady();
    });

    test(`${engine}: at a phone's width (390 px) no view scrolls sideways`, async () => {
      for (const view of ['scan', 'history', 'settings']) {
        await navigate(() => page.open(`${server.url}#${view}`));
        const { width, scrollWidth } = await page.evaluate(() => ({ width: window.innerWidth, scrollWidth: document.documentElement.scrollWidth }));
        assert.equal(width, 390, `the ${view} view is shown at a phone's width`);
        assert.ok(scrollWidth <= width, `the ${view} view is ${scrollWidth} px wide`);
      }
      await navigate(() => page.open(`${server.url}#scan`));
    });

    test(`${engine}: reloaded under the service worker, its responses carry the page's CSP and a leaf is classified again`, async () => {
      await navigate(() => page.reload());
      await untilReady();
      const policies = await page.evaluate(async () => {
        const header = async (url) => (await fetch(url)).headers.get('content-security-policy');
        return {
          meta: document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.content,
          page: await header('./'),
          worker: await header('js/inference-worker.js'),
        };
      });
      assert.equal(policies.meta, "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; img-src 'self' blob:");
      assert.equal(policies.page, policies.meta, 'the service worker sends the meta tag policy with the page');
      assert.equal(policies.worker, policies.meta, 'and with the inference worker script');
      await scan(2);
    });

    test(`${engine}: history lists both scans with thumbnails, keeps a note and exports them as CSV`, async () => {
      await navigate(() => page.open(`${server.url}#history`));
      await waitFor(page, () => document.querySelectorAll('#history-list > li img').length === 2 && [...document.querySelectorAll('#history-list > li img')].every((img) => img.complete && img.naturalWidth === 160));
      await page.evaluate(() => document.querySelector('#history-list > li button[aria-label^="Open"]').click());
      await page.evaluate(() => {
        document.getElementById('result-note').value = 'north field';
        document.getElementById('result-save-note').click();
      });
      await waitFor(page, (text) => document.getElementById('scan-status').textContent === text, en.noteSaved);
      assert.ok(await page.evaluate(() => document.getElementById('scan-error').hidden), 'the note was saved');
      await navigate(() => page.open(`${server.url}#history`));
      await waitFor(page, historyCount);
      // The file the app hands to the browser's download: captured in the page, where every engine's
      // driver can read it, instead of through each driver's own download handling.
      const exported = await page.evaluate(async () => {
        const realCreate = URL.createObjectURL;
        const realClick = HTMLAnchorElement.prototype.click;
        let blob = null;
        let name = null;
        URL.createObjectURL = (object) => {
          blob = object;
          return realCreate(object);
        };
        HTMLAnchorElement.prototype.click = function () {
          name = this.download;
        };
        try {
          document.getElementById('history-export').click();
          await new Promise((resolve) => setTimeout(resolve, 500));
          return { name, type: blob?.type, text: await blob?.text() };
        } finally {
          URL.createObjectURL = realCreate;
          HTMLAnchorElement.prototype.click = realClick;
        }
      });
      assert.match(exported.name, /^leafcheck-history-\d{4}-\d{2}-\d{2}\.csv$/);
      assert.equal(exported.type, 'text/csv;charset=utf-8');
      const rows = exported.text.replace(/^\ufeff/, '').trim().split('\r\n');
      assert.equal(rows.length, 3, 'a header and one row per scan');
      assert.ok(rows[1].includes('north field'), rows[1]);
    });

    test(`${engine}: installability metadata is present (manifest, icons, theme colour, Apple touch icon)`, async () => {
      const found = await page.evaluate(async () => {
        const manifestResponse = await fetch(document.querySelector('link[rel=manifest]').href);
        const icon = await fetch(document.querySelector('link[rel=apple-touch-icon]').href);
        return {
          manifestType: manifestResponse.headers.get('content-type'),
          manifest: await manifestResponse.json(),
          appleIcon: icon.ok && icon.headers.get('content-type'),
          themeColor: document.querySelector('meta[name=theme-color]')?.content,
          appleCapable: document.querySelector('meta[name=apple-mobile-web-app-capable]')?.content,
        };
      });
      assert.match(found.manifestType, /^application\/manifest\+json/);
      assert.deepEqual(found.manifest, manifest);
      assert.equal(found.appleIcon, 'image/png');
      assert.equal(found.themeColor, manifest.theme_color);
      assert.equal(found.appleCapable, 'yes');
    });

    test(`${engine}: offline (server gone), the page reloads, classifies again and the history survived`, async (t) => {
      await server.stop();
      await navigate(() => page.open(`${server.url}#scan`));
      await navigate(() => page.reload());
      await untilReady();
      assert.equal(await page.evaluate(historyCount), 2, 'history survives the offline reload');
      const { ms } = await scan(3);
      t.diagnostic(`${engine}: offline scan in ${ms} ms`);
      // A cold start from the home screen opens the manifest's start_url, offline too.
      await navigate(() => page.open(new URL(manifest.start_url, server.url).href));
      await untilReady();
      assert.equal(await page.evaluate(historyCount), 3);
    });

    test(`${engine}: no CSP violation, no request to another origin, no error in the page`, async (t) => {
      log.collect(await page.evaluate(readPageProbe));
      page.requests().forEach((url) => log.urls.add(url));
      const foreign = log.foreignUrls(origin);
      t.diagnostic(`${engine}: ${log.violations.length} CSP violations; ${log.urls.size} distinct URLs requested, ${foreign.length} of another origin`);
      assert.deepEqual(log.violations, []);
      assert.deepEqual([...log.inline], [], 'no inline script, style or handler in the page');
      assert.deepEqual(foreign, []);
      assert.deepEqual(log.errors, []);
    });
  });
}
