// The engine's memory stays bounded over repeated 12 MP scans in Chromium (a short run of
// tools/heap-soak.mjs, whose 1,000-scan figure is in tools/README.md).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { GROWTH_LIMIT, describeSoak, soak } from '../../tools/heap-soak.mjs';
import { launchChromium, startServer } from './support.mjs';

let server;
let browser;
before(async () => {
  server = await startServer();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

for (const input of ['encoded', 'rgba']) {
  test(`25 scans of a 12 MP photo (${input}) grow neither the C++ heap nor the wasm memory by 1 MB`, async () => {
    const page = await browser.context.newPage();
    const result = await soak(page, server.url, { scans: 25, input });
    console.log(describeSoak(result));
    assert.ok(result.heapGrowth < GROWTH_LIMIT, describeSoak(result));
    assert.ok(result.memoryGrowth < GROWTH_LIMIT, describeSoak(result));
    await page.close();
  });
}
