// The engine suites pass when the page probe hears no Content Security Policy violation; this shows that
// the policy is enforced and that the probe and the served-HTML check do hear one: a copy of dist/ whose
// index.html gains an inline style and an image from another origin.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ProbeLog, installPageProbe, readPageProbe } from './page-probe.mjs';
import { serveCopyOfDist } from './support.mjs';

let copy;

before(async () => {
  copy = await serveCopyOfDist('leafcheck-csp-', (site) => {
    const html = readFileSync(join(site, 'index.html'), 'utf8');
    writeFileSync(join(site, 'index.html'), html.replace('</head>', '<style>body { color: red; }</style>\n<img src="http://127.0.0.2:9/pixel.png" alt="">\n</head>'));
  });
});

after(async () => {
  await copy?.close();
});

test('Chromium: an inline style and an image of another origin are refused and reported by the page probe and its checks', async () => {
  const page = copy.browser.context.pages()[0] ?? (await copy.browser.context.newPage());
  await page.addInitScript(installPageProbe);
  await page.goto(copy.server.url);
  await page.waitForFunction(() => window.leafcheckProbe.violations.length >= 2);
  const log = new ProbeLog();
  log.collect(await page.evaluate(readPageProbe));
  const { violations, inline } = log;
  assert.ok(violations.some((text) => text.startsWith('style-src')), violations.join('\n'));
  assert.ok(violations.some((text) => text.startsWith('img-src blocked http://127.0.0.2:9/pixel.png')), violations.join('\n'));
  assert.deepEqual([...inline], ['<style>body { color: red; }</style>']);
  // Chromium lists the refused image among the page's resources: the cross-origin check sees it too.
  assert.deepEqual(log.foreignUrls(new URL(copy.server.url).origin), ['http://127.0.0.2:9/pixel.png']);
  assert.equal(await page.evaluate(() => getComputedStyle(document.body).color), 'rgb(26, 26, 26)', 'the inline style did not apply');
});
