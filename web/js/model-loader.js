// Loads the model for the inference worker, and repairs a copy damaged in the browser's cache.
//
// The service worker precaches the model, so a copy damaged on the phone (a storage fault, a write
// cut short) would fail the model's checksum on every start, offline and online alike, and reloading
// would not help. So when the engine refuses the model, every cached copy of it is deleted, it is
// downloaded again past the caches, and once the fresh copy loads it is put back where the copies
// were, so the app works offline again. Only the model's cache entries are touched: the history
// (IndexedDB) and everything else stay as they were.

async function download(url, options = {}) {
  let response;
  try {
    response = await fetch(url, options);
  } catch (error) {
    throw Object.assign(new Error(`Model download failed: ${error.message ?? error} for ${url}`), { name: 'DownloadError' });
  }
  if (!response.ok) {
    throw Object.assign(new Error(`Model download failed: HTTP ${response.status} for ${url}`), { name: 'DownloadError' });
  }
  return { bytes: new Uint8Array(await response.arrayBuffer()), headers: response.headers };
}

// Every cache entry of the model, whatever cache (the precache or another) and query string it has.
async function cachedCopies(url) {
  if (typeof caches === 'undefined') return [];
  const path = new URL(url).pathname;
  const copies = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      if (new URL(request.url).pathname === path) copies.push({ cache, request });
    }
  }
  return copies;
}

// load(bytes) makes the classifier (or resolves to it) and throws the engine's ModelError for a bad
// file. Resolves to {classifier, repaired}: repaired is true when the cached model was damaged and downloaded again.
export async function loadModel(url, load) {
  const first = await download(url);
  try {
    return { classifier: await load(first.bytes), repaired: false };
  } catch (error) {
    if (error?.name !== 'ModelError') throw error;
    console.warn('Leafcheck: the stored model is damaged; downloading it again.', error.message);
  }
  const copies = await cachedCopies(url);
  await Promise.all(copies.map(({ cache, request }) => cache.delete(request)));
  const fresh = await download(url, { cache: 'no-store' });
  const classifier = await load(fresh.bytes);
  await Promise.all(copies.map(({ cache, request }) => cache.put(request, new Response(fresh.bytes, { headers: fresh.headers }))));
  return { classifier, repaired: true };
}
