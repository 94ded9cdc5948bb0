// Opens a page on the app's origin (served dist/) with paths-page.mjs loaded as window.decodePaths and
// the app's classifier as window.classifier. `photo(index)` gives the bytes served at /__decode/photo/<index>.
import { readFileSync } from 'node:fs';

export async function openPathsPage(context, serverUrl, photo = () => null) {
  const origin = new URL(serverUrl).origin;
  const page = await context.newPage();
  await page.route(`${origin}/__decode/**`, (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/__decode/paths-page.mjs') {
      return route.fulfill({ body: readFileSync(new URL('./paths-page.mjs', import.meta.url)), contentType: 'text/javascript' });
    }
    const index = /^\/__decode\/photo\/(\d+)$/.exec(path)?.[1];
    if (index !== undefined) return route.fulfill({ body: photo(Number(index)), contentType: 'application/octet-stream' });
    return route.fulfill({ body: '<!doctype html><title>Leafcheck decode paths</title>', contentType: 'text/html' });
  });
  await page.goto(`${origin}/__decode/blank.html`);
  await page.evaluate(async () => {
    window.decodePaths = await import('/__decode/paths-page.mjs');
    window.classifier = await window.decodePaths.loadClassifier();
  });
  return page;
}
