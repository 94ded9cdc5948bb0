// The engine suites pass when the page probe and its checks find nothing; this shows, in each engine,
// that the policy is enforced and that they do find something: a copy of dist/ whose index.html gains an
// inline style and an image from another origin.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launchFirefoxPage } from './firefox-page.mjs';
import { ProbeLog, installPageProbe, readPageProbe } from './page-probe.mjs';
import { serveCopyOfDist } from './support.mjs';
import { launchWebKitPage } from './webkit-page.mjs';

const INJECTED_STYLE = '<style>body { color: red; }</style>';
const FOREIGN_IMAGE = 'http://127.0.0.2:9/pixel.png';
// --ink in css/app.css: the page's own colour, kept when the inline style is refused.
const OWN_COLOUR = 'rgb(26, 26, 26)';

async function launchChromiumPage(context) {
  const page = context.pages()[0] ?? (await context.newPage());
  await page.addInitScript(installPageProbe);
  return {
    evaluate: (fn, arg) => page.evaluate(fn, arg),
    open: async (url) => {
      await page.goto(url);
    },
    close: async () => {},
  };
}

describe('CSP probe', () => {
  let copy;
  let origin;

  before(async () => {
    copy = await serveCopyOfDist('leafcheck-csp-', (site) => {
      const html = readFileSync(join(site, 'index.html'), 'utf8');
      writeFileSync(join(site, 'index.html'), html.replace('</head>', `${INJECTED_STYLE}\n<img src="${FOREIGN_IMAGE}" alt="">\n</head>`));
    });
    origin = new URL(copy.server.url).origin;
  });

  after(async () => {
    await copy?.close();
  });

  for (const [engine, launch] of [
    ['Chromium', () => launchChromiumPage(copy.browser.context)],
    ['Firefox', launchFirefoxPage],
    ['WebKit', launchWebKitPage],
  ]) {
    test(`${engine}: an inline style and an image of another origin are refused, and the probe's checks report them`, async (t) => {
      const page = await launch();
      try {
        await page.open(copy.server.url);
        assert.equal(await page.evaluate(() => getComputedStyle(document.body).color), OWN_COLOUR, 'the inline style did not apply');
        const log = new ProbeLog();
        log.collect(await page.evaluate(readPageProbe));
        const foreign = log.foreignUrls(origin);
        t.diagnostic(`${engine}: ${log.violations.length} violation reports heard, inline ${[...log.inline]}, foreign ${foreign}`);
        assert.deepEqual([...log.inline], [INJECTED_STYLE]);
        // Where the probe runs before the page (Playwright, BiDi) it hears the refusals themselves.
        if (engine !== 'WebKit') {
          assert.ok(log.violations.some((text) => text.startsWith('style-src')), log.violations.join('\n'));
          assert.ok(log.violations.some((text) => text.startsWith(`img-src blocked ${FOREIGN_IMAGE}`)), log.violations.join('\n'));
        }
      } finally {
        await page.close();
      }
    });
  }
});
