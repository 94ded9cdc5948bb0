// Live mode in an engine driven through a page adapter (main-scenario.mjs describes it; firefox-page.mjs,
// webkit-page.mjs), the essentials of live.test.mjs: the preview opens from the browser's fake camera,
// the overlay shows each frame's verdict with never more than one frame in the worker, Capture makes a
// normal scan whose result shows and stops the loop, closing the preview stops it too.
//
// describeLiveScenario(engine, launch, verdict): launch() resolves to the adapter, its browser given a
// camera. Neither Gecko's nor WebKit's fake camera can show a leaf (Chromium's plays a file, as
// live.test.mjs does), so verdict says what the app must make of that camera's picture, as i18n keys:
// {kind, live (the overlay's title), result (the scan's title), summary (how the scan's summary
// starts)}. The model still favours a disease with high confidence (live-site.mjs): the verdict then
// comes from the engine's own checks on the frame, not from a model that happened to answer "no leaf".
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { favouredSite } from './live-site.mjs';
import { waitFor } from './main-scenario.mjs';
import { readPageProbe } from './page-probe.mjs';
import { copyOfDist, installLiveProbe, repoRoot, startServer } from './support.mjs';

const READY_TIMEOUT = 120_000;
const en = JSON.parse(readFileSync(join(repoRoot, 'web', 'i18n', 'en.json'), 'utf8'));

const click = (id) => document.getElementById(id).click();
const probe = () => window.leafcheckLiveProbe;
const cameraOpen = () => !document.getElementById('live-camera').hidden;
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function describeLiveScenario(engine, launch, verdict) {
  describe(`live mode in ${engine}`, () => {
    let copy;
    let server;
    let page;

    // Waits for the preview to show the camera and the overlay to have been updated `frames` more times.
    async function openCamera(frames) {
      const start = await page.evaluate(probe);
      await page.evaluate(click, 'open-live-camera');
      await waitFor(page, () => document.getElementById('live-video').videoWidth > 0, null, undefined, 'the camera preview');
      await waitFor(page, (n) => window.leafcheckLiveProbe.updates >= n, start.updates + frames, undefined, `${frames} overlay updates`);
    }

    // Asserts that, once the worker has no frame left, none is sent or answered for a while.
    async function assertStopped(why) {
      await waitFor(page, () => window.leafcheckLiveProbe.inFlight === 0, null, undefined, 'no frame in the worker');
      const stopped = await page.evaluate(probe);
      await pause(1500);
      const later = await page.evaluate(probe);
      assert.equal(later.sent, stopped.sent, `no frame is sent ${why}`);
      assert.equal(later.updates, stopped.updates, `no late answer reaches the overlay ${why}`);
    }

    before(async () => {
      copy = await copyOfDist('leafcheck-live-', favouredSite(['Tomato___Late_blight', 'Potato___Early_blight', 'Apple___Apple_scab']));
      server = await startServer(copy.site);
      page = await launch();
      await page.open(server.url);
      await waitFor(page, () => document.getElementById('offline-pill').dataset.state === 'ready', null, READY_TIMEOUT, 'the "Ready for offline use" pill');
      await page.evaluate(installLiveProbe);
    });

    after(async () => {
      await page?.close();
      await server?.stop();
      copy?.remove();
    });

    test(`${engine}: the camera's picture gets its verdict over the preview, frame after frame, one frame in flight at most`, async (t) => {
      const started = Date.now();
      await openCamera(5);
      const seen = await page.evaluate(probe);
      t.diagnostic(`${engine}: ${seen.updates} overlay updates in ${Date.now() - started} ms from opening the camera`);
      const overlay = await page.evaluate(() => ({
        open: !document.getElementById('live-camera').hidden,
        kind: document.getElementById('live-guess').dataset.kind,
        title: document.getElementById('live-guess-title').textContent,
        percent: document.getElementById('live-guess-percent').textContent,
      }));
      // A verdict that names no class shows no percentage either.
      assert.deepEqual(overlay, { open: true, kind: verdict.kind, title: en[verdict.live], percent: '' });
      assert.deepEqual(seen.kinds, { [verdict.kind]: seen.updates }, 'every frame got the same verdict');
      assert.ok(seen.answered >= 5, JSON.stringify(seen));
      assert.equal(seen.maxInFlight, 1, `never two frames in the worker: ${JSON.stringify(seen)}`);
    });

    test(`${engine}: Capture freezes the frame into a normal scan that the history lists; the loop stops`, async () => {
      const before = await page.evaluate(() => document.querySelectorAll('#history-list > li').length);
      await page.evaluate(click, 'live-capture');
      await waitFor(page, () => !document.getElementById('result').hidden || !document.getElementById('scan-error').hidden, null, undefined, 'the result');
      const result = await page.evaluate(() => ({
        error: document.getElementById('scan-error').hidden ? null : document.getElementById('scan-error').textContent,
        kind: document.getElementById('result').dataset.kind,
        title: document.getElementById('result-title').textContent,
        summary: document.getElementById('result-summary').textContent,
        matches: document.querySelectorAll('#result-matches > li').length,
      }));
      assert.ok(result.summary.startsWith(en[verdict.summary]), result.summary);
      assert.deepEqual({ ...result, summary: undefined }, { error: null, kind: verdict.kind, title: en[verdict.result], summary: undefined, matches: 0 });
      await waitFor(page, (n) => document.querySelectorAll('#history-list > li').length === n + 1, before, undefined, 'the scan in the history');
      assert.equal(await page.evaluate(cameraOpen), false);
      await assertStopped('after the capture');
    });

    test(`${engine}: reopened, the loop runs again; closing the preview stops it; no error in the page`, async () => {
      await page.evaluate(click, 'result-again');
      await openCamera(2);
      await page.evaluate(click, 'live-close');
      assert.equal(await page.evaluate(cameraOpen), false);
      await assertStopped('once the preview is closed');
      assert.equal((await page.evaluate(probe)).maxInFlight, 1);
      assert.deepEqual((await page.evaluate(readPageProbe)).errors, []);
    });
  });
}
