// The threaded engine (leafcheck-threads) and its fallbacks in Chromium. Static hosting (tools/serve.mjs
// without --cross-origin-isolated) sends no COOP/COEP: the service worker adds them, so a page it serves
// is cross-origin isolated and the engine runs on min(4, cores) threads. The first visit, a hard reload
// (no service worker in control) and a browser without SharedArrayBuffer get the single-thread SIMD
// build, and scan all the same. Throughout, the page probe hears no CSP violation and no page error.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ProbeLog, installPageProbe, readPageProbe } from './page-probe.mjs';
import { expectedMatchCount, generatedLeafPng, serveCopyOfDist } from './support.mjs';

const READY_TIMEOUT = 120_000;
const RESULT_TIMEOUT = 60_000;
// The shipped model is int8: every SIMD engine runs it on the int8 kernels, on one thread or several.
const SINGLE_THREAD = 'WebAssembly SIMD, int8';

// The engine line of Settings (web/js/engine-choice.js engineLabel), once the engine has started.
async function engineShown(page) {
  await page.evaluate(() => {
    location.hash = '#settings';
  });
  const line = page.getByText(/^WebAssembly/);
  await line.waitFor({ timeout: RESULT_TIMEOUT });
  const text = (await line.textContent()).trim();
  await page.evaluate(() => {
    location.hash = '#scan';
  });
  return text;
}

async function scanLeaf(page) {
  await page.locator('#input-gallery').setInputFiles({ name: 'leaf.png', mimeType: 'image/png', buffer: generatedLeafPng() });
  await page.locator('#result').waitFor({ state: 'visible', timeout: RESULT_TIMEOUT });
  assert.equal(await page.locator('#scan-error').isVisible(), false);
  assert.equal(await page.locator('#result-matches > li').count(), await expectedMatchCount(page));
}

async function isolation(page) {
  return page.evaluate(() => ({
    isolated: crossOriginIsolated,
    sharedArrayBuffer: typeof SharedArrayBuffer === 'function',
    controlled: navigator.serviceWorker.controller !== null,
    threads: Math.min(4, navigator.hardwareConcurrency),
  }));
}

// A copy of dist/ (changed by prepare), its server and browser; probe findings are gathered before
// every navigation and at the end.
function session(prefix, prepare) {
  const state = { log: new ProbeLog() };
  before(async () => {
    state.copy = await serveCopyOfDist(prefix, prepare);
    state.server = state.copy.server;
    state.browser = state.copy.browser;
    await state.browser.context.addInitScript(installPageProbe);
    state.page = state.browser.context.pages()[0] ?? (await state.browser.context.newPage());
  });
  after(async () => {
    await state.copy?.close();
  });
  state.collect = async () => state.log.collect(await state.page.evaluate(readPageProbe));
  state.assertClean = async () => {
    await state.collect();
    assert.deepEqual(state.log.violations, [], 'no CSP violation');
    assert.deepEqual(state.log.errors, [], 'no page error');
  };
  return state;
}

describe('threads in Chromium: served by the service worker', () => {
  const s = session('leafcheck-threads-');

  test('the first visit is not isolated: single-thread SIMD engine, and a scan works', async () => {
    await s.page.goto(s.server.url);
    await s.page.locator('#offline-pill[data-state="ready"]').waitFor({ timeout: READY_TIMEOUT });
    const first = await isolation(s.page);
    assert.equal(first.isolated, false, 'static hosting sends no COOP/COEP');
    assert.equal(first.controlled, true, 'the service worker took the page over after installing');
    await scanLeaf(s.page);
    assert.equal(await engineShown(s.page), SINGLE_THREAD);
  });

  test('under the service worker the page is cross-origin isolated and the engine is threaded', async (t) => {
    await s.collect();
    const response = await s.page.reload();
    assert.equal(response.fromServiceWorker(), true, 'the document came from the service worker');
    const headers = response.headers();
    assert.equal(headers['cross-origin-opener-policy'], 'same-origin');
    assert.equal(headers['cross-origin-embedder-policy'], 'require-corp');
    assert.match(headers['content-security-policy'], /default-src 'self'/);
    const now = await isolation(s.page);
    assert.deepEqual({ isolated: now.isolated, sharedArrayBuffer: now.sharedArrayBuffer, controlled: now.controlled }, { isolated: true, sharedArrayBuffer: true, controlled: true });
    // The pthreads' worker script is served with the same headers (a worker of an isolated page needs them).
    const workerHeaders = await s.page.evaluate(async () => {
      const { default: info } = await import('./js/build-info.js');
      const response = await fetch(new URL(info.engines.threads.worker, new URL('./js/', location.href)));
      return { ok: response.ok, coep: response.headers.get('cross-origin-embedder-policy'), csp: response.headers.get('content-security-policy') };
    });
    assert.deepEqual({ ok: workerHeaders.ok, coep: workerHeaders.coep }, { ok: true, coep: 'require-corp' });
    assert.ok(workerHeaders.csp, 'the worker script carries the CSP too');
    await scanLeaf(s.page);
    const engine = await engineShown(s.page);
    t.diagnostic(`engine: ${engine}`);
    assert.equal(engine, now.threads > 1 ? `WebAssembly SIMD, ${now.threads} threads, int8` : SINGLE_THREAD);
  });

  test('a hard reload (no service worker in control) falls back to the single-thread engine and still scans', async () => {
    await s.collect();
    const cdp = await s.browser.context.newCDPSession(s.page);
    // What Shift+Reload does: the navigation bypasses the service worker, so no COOP/COEP.
    await cdp.send('Network.enable');
    await cdp.send('Network.setBypassServiceWorker', { bypass: true });
    await s.page.reload();
    const now = await isolation(s.page);
    assert.deepEqual({ isolated: now.isolated, controlled: now.controlled }, { isolated: false, controlled: false });
    await scanLeaf(s.page);
    assert.equal(await engineShown(s.page), SINGLE_THREAD);
    await cdp.send('Network.setBypassServiceWorker', { bypass: false });
    await s.assertClean();
  });
});

describe('threads in Chromium: a browser without SharedArrayBuffer', () => {
  // The inference worker of this copy runs without the SharedArrayBuffer global (deleted before its
  // first message), as in a browser that lacks it: isolation alone cannot give the threaded build memory.
  const s = session('leafcheck-no-sab-', (site) => {
    const worker = join(site, 'js', 'inference-worker.js');
    writeFileSync(worker, `${readFileSync(worker, 'utf8')}\ndelete self.SharedArrayBuffer;\n`);
  });

  test('is isolated under the service worker but takes the single-thread engine and scans', async () => {
    await s.page.goto(s.server.url);
    await s.page.locator('#offline-pill[data-state="ready"]').waitFor({ timeout: READY_TIMEOUT });
    await s.collect();
    await s.page.reload();
    const now = await isolation(s.page);
    assert.deepEqual({ isolated: now.isolated, controlled: now.controlled }, { isolated: true, controlled: true });
    await scanLeaf(s.page);
    assert.equal(await engineShown(s.page), SINGLE_THREAD);
    await s.assertClean();
  });
});
