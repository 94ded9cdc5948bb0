/* Leafcheck service worker (source). The build (web/scripts/build.mjs) runs Workbox injectManifest on it,
 * which replaces the manifest placeholder below with every precached file and its revision, and copies the Workbox
 * runtime it imports into dist/workbox/.
 *
 * - Everything the app needs offline is precached at install: app shell, the engine builds this browser
 *   can run, the model, every language bundle. Engine and model files carry content hashes in their names, so a release that
 *   changes only code does not download the model again.
 * - Every response it serves carries COOP/COEP headers, which make the page cross-origin isolated (and
 *   so give it SharedArrayBuffer, what the threaded engine runs on) on static hosting that sends no
 *   headers. Isolation is fixed when a document loads, so it comes from the second visit on: the first
 *   visit, a hard reload (no service worker) and browsers without shared memory use the single-thread
 *   engine (web/js/engine-choice.js). Everything the app loads is its own, so require-corp blocks nothing.
 * - A new version waits until the page asks for it (the "New version — reload" prompt); the page then
 *   reloads, so an open page never runs an old engine with a new model or the other way round.
 */
importScripts(
  'workbox/workbox-core.prod.js',
  'workbox/workbox-routing.prod.js',
  'workbox/workbox-strategies.prod.js',
  'workbox/workbox-precaching.prod.js',
);

const { core, precaching, routing } = self.workbox;

// Each browser stores only the engine builds it can run: with SIMD128 the SIMD and threaded builds, without
// it the no-SIMD one (web/js/engine-choice.js picks among the same; this worker runs on the same
// WebAssembly engine as the inference worker). On a phone with SIMD that saves a ninth of the first visit.
// The probe is a module declaring a function type that returns v128, which only SIMD128 engines accept.
const HAS_SIMD = typeof WebAssembly === 'object' && WebAssembly.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123]));
const ENGINE_BUILD = /^engine\/leafcheck-(nosimd|simd|threads)[.]/;
function runsHere({ url }) {
  const build = ENGINE_BUILD.exec(url)?.[1];
  return !build || (build === 'nosimd') !== HAS_SIMD;
}
const PRECACHE = self.__WB_MANIFEST.filter(runsHere);

// The page's own meta tag (web/index.html) holds the same policy; a header also covers the inference
// worker, which no meta tag reaches, and keeps the page locked down where static hosting sends none.
const CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; img-src 'self' blob:";

const ISOLATION_HEADERS = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

function withServedHeaders(response) {
  const headers = new Headers(response.headers);
  headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  for (const [name, value] of Object.entries(ISOLATION_HEADERS)) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

core.setCacheNameDetails({ prefix: 'leafcheck' });
precaching.addPlugins([{ cachedResponseWillBeUsed: async ({ cachedResponse }) => cachedResponse && withServedHeaders(cachedResponse) }]);
precaching.precacheAndRoute(PRECACHE);
precaching.cleanupOutdatedCaches();
// Offline navigations (the start URL with parameters, a deep link, a reload) all get the app shell.
routing.registerRoute(new routing.NavigationRoute(precaching.createHandlerBoundToURL('index.html')));
// Web Share Target (the manifest's share_target): a photo shared from the camera or gallery app arrives
// as a POST, offline too. It waits in its own cache until the page takes it (web/js/share-target.js,
// whose cache name, key and parameter these must match), and the page is told whether one came.
const SHARE_TARGET = new URL('share-target', self.registration.scope).href;
routing.registerRoute(
  ({ url }) => url.href === SHARE_TARGET,
  async ({ request }) => {
    let state = 'none';
    try {
      const form = await request.formData();
      const photo = form.getAll('photo').find((item) => item instanceof File && item.size > 0);
      if (photo) {
        const cache = await caches.open('leafcheck-share-target');
        const headers = { 'Content-Type': photo.type || 'application/octet-stream', 'X-File-Name': encodeURIComponent(photo.name) };
        await cache.put(new URL('shared-photo', self.registration.scope).href, new Response(photo, { headers }));
        state = 'photo';
      }
    } catch (error) {
      console.warn('Leafcheck could not keep the shared photo:', error);
      state = 'error';
    }
    return Response.redirect(new URL(`./?shared=${state}`, self.registration.scope).href, 303);
  },
  'POST',
);
// The first install takes over the open page at once so it works offline without a reload; updates
// wait for skipWaiting below.
core.clientsClaim();

async function cacheStatus() {
  const found = await Promise.all(PRECACHE.map(async ({ url }) => Boolean(await precaching.matchPrecache(url))));
  return { cached: found.filter(Boolean).length, total: PRECACHE.length };
}

self.addEventListener('message', (event) => {
  const type = event.data && event.data.type;
  if (type === 'SKIP_WAITING') {
    self.skipWaiting();
  } else if (type === 'CACHE_STATUS' && event.ports[0]) {
    event.waitUntil(cacheStatus().then((status) => event.ports[0].postMessage(status)));
  }
});
