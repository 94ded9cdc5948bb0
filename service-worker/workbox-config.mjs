// Workbox injectManifest settings for dist/ (used by web/scripts/build.mjs).

// Workbox drops any file over this size from the precache with only a warning. The model (int8, ~0.5 MB;
// an f32 one would be ~1.9 MB) and the engines must be precached, so the limit is set well above them
// but low enough that an accidental multi-megabyte asset still gets noticed; the build also fails if a
// required file is missing.
export const MAXIMUM_FILE_SIZE = 8 * 1024 * 1024;

// Files that must be in the precache manifest for the app to work offline.
// The threaded build's pthread workers start from its .worker.js, so that is required too.
export const REQUIRED_PRECACHE = [
  /^model\/leafcheck\.[0-9a-f]+\.lcm$/,
  /^engine\/leafcheck-simd\.[0-9a-f]+\.wasm$/,
  /^engine\/leafcheck-nosimd\.[0-9a-f]+\.wasm$/,
  /^engine\/leafcheck-threads\.[0-9a-f]+\.wasm$/,
  /^engine\/leafcheck-threads\.worker\.[0-9a-f]+\.js$/,
];

export function injectManifestOptions(repoRoot, distDir) {
  return {
    swSrc: `${repoRoot}/service-worker/sw.js`,
    swDest: `${distDir}/sw.js`,
    globDirectory: distDir,
    globPatterns: ['**/*.{html,js,mjs,css,json,wasm,lcm,png,webmanifest}'],
    // The service worker and its Workbox runtime are cached by the browser as the worker's scripts;
    // manifest screenshots are only for install dialogs and need not be offline.
    globIgnores: ['sw.js', 'workbox/**', 'screenshots/**', '**/*.map'],
    maximumFileSizeToCacheInBytes: MAXIMUM_FILE_SIZE,
    // Content-hashed names need no revision query: the name is the revision.
    dontCacheBustURLsMatching: /\.[0-9a-f]{8,}\.[a-z0-9]+$/,
  };
}
