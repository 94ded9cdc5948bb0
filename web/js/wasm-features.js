// WebAssembly SIMD128 detection: a one-function module returning a v128 built with i8x16.splat and
// i8x16.popcnt. WebAssembly.validate() accepts it only where the engine implements SIMD128.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, // magic, version
  1, 5, 1, 96, 0, 1, 123, // type section: () -> v128
  3, 2, 1, 0, // function section
  10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11, // code: i32.const 0; i8x16.splat; i8x16.popcnt; end
]);

export function supportsWasmSimd() {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

// Shared WebAssembly memory: what the threaded build's pthreads run on. Browsers offer it only where
// SharedArrayBuffer exists, i.e. in a cross-origin isolated context.
export function supportsWasmThreads() {
  try {
    if (typeof SharedArrayBuffer !== 'function' || self.crossOriginIsolated !== true) return false;
    return new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}
