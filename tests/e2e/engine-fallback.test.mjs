// The WebAssembly build without SIMD, as a browser without SIMD128 gets it: the feature probe is made to
// answer "no" and the app must load leafcheck-nosimd.wasm and classify with it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { generatedLeafPng, launchChromium, startServer } from './support.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  // Without a service worker every request reaches the network layer, where the test can answer it.
  browser = await launchChromium({ viewport: { width: 390, height: 844 }, locale: 'en-US', serviceWorkers: 'block' });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('without WebAssembly SIMD the app picks the portable engine and still classifies', async () => {
  const context = browser.context;
  await context.route('**/js/wasm-features.js', (route) =>
    route.fulfill({ contentType: 'text/javascript', body: 'export function supportsWasmSimd() { return false; }\n' }),
  );
  const engines = [];
  context.on('request', (request) => {
    const match = request.url().match(/leafcheck-(simd|nosimd)\.[0-9a-f]+\.wasm$/);
    if (match) engines.push(match[1]);
  });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(server.url);
  await page.locator('#input-gallery').setInputFiles({ name: 'leaf.png', mimeType: 'image/png', buffer: generatedLeafPng() });
  await page.locator('#result').waitFor({ state: 'visible', timeout: 60_000 });
  assert.equal(await page.locator('#result-matches > li').count(), 3);
  assert.deepEqual(engines, ['nosimd']);
  await page.goto(`${server.url}#settings`);
  await page.getByText('WebAssembly', { exact: true }).waitFor();
});
