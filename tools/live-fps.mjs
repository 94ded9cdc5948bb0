#!/usr/bin/env node
// Live mode's sustained rate: drives the built app (dist/, served by tools/serve.mjs) in Debian's
// headless Chromium with Chromium's fake camera, keeps the live preview open and counts the frames
// classified per second and each frame's latency (frame grabbed -> guess shown), without and with 4x
// CPU throttling (CDP Emulation.setCPUThrottlingRate). Builds nothing (run `npm run build` first);
// asserts nothing. Prints a markdown table.
//
//   node tools/live-fps.mjs [--seconds 10] [--camera pattern|leaf]
//
// pattern (the default): Chromium's own fake camera, which gives the app the 1920x1080 it asks for,
// so the per-frame downscale is a phone's; leaf: the generated leaf, 256x256 (tests/e2e/support.mjs).
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { CHROMIUM_ARGS, fakeLeafCamera, launchChromium, startServer } from '../tests/e2e/support.mjs';

const { values: opts } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, camera: { type: 'string', default: 'pattern' } } });
const seconds = Number(opts.seconds);
const WARM_UP_MS = 2000;
const leaf = opts.camera === 'leaf' ? fakeLeafCamera() : null;
const cameraArgs = leaf ? leaf.args : ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];

const server = await startServer();
const browser = await launchChromium({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, locale: 'en-US', args: [...CHROMIUM_ARGS, ...cameraArgs] });
const loadBefore = loadavg();
try {
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  const cdp = await browser.context.newCDPSession(page);
  await page.goto(server.url);
  await page.locator('#offline-pill[data-state="ready"]').waitFor({ timeout: 120_000 });
  // The service worker adds the headers that allow the threaded engine; a reload under its control gets them.
  await page.reload();
  await page.locator('#offline-pill[data-state="ready"]').waitFor({ timeout: 120_000 });
  await page.evaluate(() => {
    window.liveFrames = [];
    document.addEventListener('leafcheck:live-frame', ({ detail }) => window.liveFrames.push({ at: performance.now(), ...detail }));
  });
  const rows = [];
  for (const rate of [1, 4]) {
    await cdp.send('Emulation.setCPUThrottlingRate', { rate });
    await page.locator('#open-live-camera').click();
    await page.waitForFunction(() => document.getElementById('live-video').videoWidth > 0, null, { timeout: 60_000 });
    await page.waitForTimeout(WARM_UP_MS);
    const from = await page.evaluate(() => performance.now());
    await page.waitForTimeout(seconds * 1000);
    const to = await page.evaluate(() => performance.now());
    const video = await page.evaluate(() => `${document.getElementById('live-video').videoWidth}x${document.getElementById('live-video').videoHeight}`);
    await page.locator('#live-close').click();
    const frames = await page.evaluate(([a, b]) => window.liveFrames.filter((f) => f.at >= a && f.at <= b), [from, to]);
    rows.push({ rate, video, frames, spanS: (to - from) / 1000 });
    await page.waitForTimeout(500);
  }
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
  await page.goto(`${server.url}#settings`);
  const engine = (await page.locator('#settings-model dd').last().textContent()).trim();
  report(rows, engine);
} finally {
  await browser.close();
  await server.stop();
  if (leaf) rmSync(leaf.dir, { recursive: true, force: true });
}

function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN;
}

function report(rows, engine) {
  const loadAfter = loadavg();
  console.log(`Live mode in the app, ${new Date().toISOString()}, headless Chromium, fake camera (${opts.camera}), engine: ${engine}; ${seconds} s per row after ${WARM_UP_MS / 1000} s of warm-up`);
  console.log(`load average (1/5/15 min): before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${loadAfter.map((l) => l.toFixed(2)).join(' ')}`);
  console.log('');
  console.log('| CPU throttling | camera frames | frames classified | classified per second | p50 latency ms | p90 latency ms | p50 engine ms (preprocess + inference) |');
  console.log('|---:|---|---:|---:|---:|---:|---:|');
  for (const { rate, video, frames, spanS } of rows) {
    const latency = frames.map((f) => f.latencyMs);
    const engineMs = frames.map((f) => (f.timings?.preprocessMs ?? 0) + (f.timings?.inferenceMs ?? 0));
    console.log(`| ${rate}x | ${video} | ${frames.length} | ${(frames.length / spanS).toFixed(1)} | ${quantile(latency, 0.5).toFixed(0)} | ${quantile(latency, 0.9).toFixed(0)} | ${quantile(engineMs, 0.5).toFixed(1)} |`);
  }
  console.log('');
  console.log('Latency: from the frame callback that grabs a frame to its guess in the DOM (downscale, transfer, worker readback,');
  console.log('preprocess, inference, answer). One frame is in flight at a time, so the rate is at most 1000 / latency, and the camera caps it.');
}
