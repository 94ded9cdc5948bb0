// Opens a page on the app's origin (served dist/) with paths-page.mjs loaded as window.decodePaths and
// the app's classifier as window.classifier. `photo(index)` gives the bytes served at /__decode/photo/<index>;
// `model`, when given, the bytes of the model file the classifier loads instead of the app's.
import { readFileSync } from 'node:fs';

export async function openPathsPage(context, serverUrl, photo = () => null, model = null) {
  const origin = new URL(serverUrl).origin;
  const page = await context.newPage();
  await page.route(`${origin}/__decode/**`, (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/__decode/paths-page.mjs') {
      return route.fulfill({ body: readFileSync(new URL('./paths-page.mjs', import.meta.url)), contentType: 'text/javascript' });
    }
    if (path === '/__decode/model.lcm' && model) return route.fulfill({ body: model, contentType: 'application/octet-stream' });
    const index = /^\/__decode\/photo\/(\d+)$/.exec(path)?.[1];
    if (index !== undefined) return route.fulfill({ body: photo(Number(index)), contentType: 'application/octet-stream' });
    return route.fulfill({ body: '<!doctype html><title>Leafcheck decode paths</title>', contentType: 'text/html' });
  });
  await page.goto(`${origin}/__decode/blank.html`);
  await page.evaluate(async (ownModel) => {
    window.decodePaths = await import('/__decode/paths-page.mjs');
    window.classifier = await window.decodePaths.loadClassifier(ownModel ? '/__decode/model.lcm' : null);
  }, model !== null);
  return page;
}
