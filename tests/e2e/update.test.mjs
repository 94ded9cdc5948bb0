// A new release while the app is open: the page offers "New version — reload", reloads into the new
// release, and a code-only release does not download the model or any of the three engine builds again;
// the reloaded page, served by the service worker, is cross-origin isolated and runs the threaded build.
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { injectManifest } from 'workbox-build';
import { injectManifestOptions } from '../../service-worker/workbox-config.mjs';
import { repoRoot, serveCopyOfDist } from './support.mjs';

const READY_TIMEOUT = 120_000;
let copy;

before(async () => {
  copy = await serveCopyOfDist('leafcheck-release-');
});

after(async () => {
  await copy?.close();
});

test('a code-only release is offered as "New version — reload" and does not download the model again', async () => {
  const { site, server, browser } = copy;
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  await page.goto(server.url);
  await page.locator('#offline-pill[data-state="ready"]').waitFor({ timeout: READY_TIMEOUT });
  const oldWorker = await page.evaluate(() => navigator.serviceWorker.controller.scriptURL);

  // Release 2 changes one module; the service worker is rebuilt so its precache revision changes.
  appendFileSync(join(site, 'js', 'csv.js'), '// release 2\n');
  await injectManifest(injectManifestOptions(repoRoot, site));
  const firstRequestOfRelease2 = server.log.length;

  await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).update());
  await page.locator('#update-banner').waitFor({ state: 'visible', timeout: READY_TIMEOUT });
  const reloaded = page.waitForEvent('load');
  await page.locator('#update-reload').click();
  await reloaded;
  await page.locator('#offline-pill[data-state="ready"]').waitFor({ timeout: READY_TIMEOUT });
  assert.equal(await page.locator('#update-banner').isVisible(), false);

  const fetched = server.log.slice(firstRequestOfRelease2).filter((entry) => entry.status === 200).map((entry) => entry.path);
  assert.ok(fetched.includes('/sw.js'), 'the new service worker was fetched');
  assert.ok(fetched.some((path) => path.startsWith('/js/csv.js')), 'the changed module was fetched');
  assert.deepEqual(fetched.filter((path) => /\.(lcm|wasm)$|^\/engine\//.test(path)), [], 'model and engines come from the cache');
  const engines = await page.evaluate(async () => Object.keys((await import('./js/build-info.js')).default.engines).sort());
  assert.deepEqual(engines, ['nosimd', 'simd', 'threads']);
  assert.equal(await page.evaluate(() => crossOriginIsolated), true, 'the release reloaded under the service worker is isolated');
  await page.goto(`${server.url}#settings`);
  const threads = await page.evaluate(() => Math.min(4, navigator.hardwareConcurrency));
  await page.getByText(threads > 1 ? `WebAssembly SIMD, ${threads} threads, int8` : 'WebAssembly SIMD, int8', { exact: true }).waitFor();
  const newWorkerState = await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.getRegistration();
    return { controlled: navigator.serviceWorker.controller !== null, waiting: registration.waiting !== null };
  });
  assert.deepEqual(newWorkerState, { controlled: true, waiting: false });
  assert.equal(await page.evaluate(() => navigator.serviceWorker.controller.scriptURL), oldWorker);
});
