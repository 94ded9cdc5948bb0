// The WebAssembly build without SIMD, as a browser without SIMD128 gets it: the feature probes of a copy
// of dist/ answer "no" (threads need SIMD128 too), and the app must load leafcheck-nosimd.wasm and classify with it.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { expectedMatchCount, generatedLeafPng, serveCopyOfDist } from './support.mjs';

let copy;

before(async () => {
  copy = await serveCopyOfDist('leafcheck-nosimd-', (site) =>
    writeFileSync(
      join(site, 'js', 'wasm-features.js'),
      'export function supportsWasmSimd() {\n  return false;\n}\nexport function supportsWasmThreads() {\n  return false;\n}\n',
    ),
  );
});

after(async () => {
  await copy?.close();
});

test('without WebAssembly SIMD the app picks the portable engine and still classifies', async () => {
  const { server, browser } = copy;
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  await page.goto(server.url);
  await page.locator('#offline-pill[data-state="ready"]').waitFor({ timeout: 120_000 });
  await page.locator('#input-gallery').setInputFiles({ name: 'leaf.png', mimeType: 'image/png', buffer: generatedLeafPng() });
  await page.locator('#result').waitFor({ state: 'visible', timeout: 60_000 });
  assert.equal(await page.locator('#result-matches > li').count(), await expectedMatchCount(page));
  // The worker reports which build it instantiated; Settings shows it.
  await page.goto(`${server.url}#settings`);
  await page.getByText('WebAssembly', { exact: true }).waitFor();
  assert.equal(await page.getByText('WebAssembly SIMD', { exact: true }).count(), 0);
});
