// Photos shared into the app from the phone's camera or gallery app (Web Share Target, the manifest's
// `share_target`). The service worker receives the POST, offline too, keeps the photo in its own cache
// and sends the page to ./?shared=photo (service-worker/sw.js); the page takes the photo from there,
// once, and scans it.
export const SHARE_CACHE = 'leafcheck-share-target';
export const SHARED_PHOTO_KEY = 'shared-photo';
const PARAM = 'shared';

// null when the page was not opened by a share; otherwise { file } or { error } where error is
// 'none' (the share held no image) or 'error' (the service worker could not keep it, e.g. a full disk).
export async function takeSharedPhoto() {
  const url = new URL(window.location.href);
  const state = url.searchParams.get(PARAM);
  if (state === null) return null;
  url.searchParams.delete(PARAM);
  // A reload must not scan the same photo again.
  window.history.replaceState(window.history.state, '', url);
  if (state !== 'photo') return { error: state === 'none' ? 'none' : 'error' };
  const cache = await caches.open(SHARE_CACHE);
  const key = new URL(SHARED_PHOTO_KEY, document.baseURI).href;
  const response = await cache.match(key);
  await cache.delete(key);
  if (!response) return { error: 'none' };
  const blob = await response.blob();
  const name = decodeURIComponent(response.headers.get('X-File-Name') ?? SHARED_PHOTO_KEY);
  return { file: new File([blob], name, { type: blob.type }) };
}
