// Captures the two screenshots the web app manifest offers to install dialogs (web/screenshots/):
// narrow = the scan screen on a 390x844 phone, wide = a diagnosis on a 1280x800 screen.
// Run after `npm run build`, with a real leaf photo: node web/scripts/store-screenshots.mjs PHOTO.jpg
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, repoRoot, startServer } from '../../tests/e2e/support.mjs';

const photo = process.argv[2];
if (!photo) {
  console.error('usage: node web/scripts/store-screenshots.mjs LEAF_PHOTO.jpg');
  process.exit(2);
}
const out = join(repoRoot, 'web', 'screenshots');
mkdirSync(out, { recursive: true });
const server = await startServer();
const browser = await launchChromium({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
try {
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  await page.goto(server.url);
  await page.locator('#offline-pill[data-state="ready"]').waitFor({ timeout: 120_000 });
  await page.screenshot({ path: join(out, 'narrow.png') });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.locator('#input-gallery').setInputFiles({ name: 'leaf.jpg', mimeType: 'image/jpeg', buffer: readFileSync(photo) });
  await page.locator('#result').waitFor({ state: 'visible' });
  await page.locator('#result-photo').evaluate((img) => img.decode());
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(out, 'wide.png') });
  console.log(`wrote ${join(out, 'narrow.png')} and ${join(out, 'wide.png')}`);
} finally {
  await browser.close();
  await server.stop();
}
