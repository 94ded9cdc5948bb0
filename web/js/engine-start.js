// Starts one build of the engine: files {module, wasm, worker?} (paths relative to `base`), resolving to
// its Emscripten module with `threads` - 1 pthread workers pre-started.
//
// The .wasm is fetched and compiled from the moment the build is chosen, beside the import of the JS
// glue, instead of after it: the glue would ask for the .wasm only once it has been fetched and
// evaluated. The compile streams from the response, so Chromium can use its code cache for the .wasm.
export async function startEngine(files, threads, base) {
  const url = (path) => new URL(path, base).href;
  const moduleUrl = url(files.module);
  const wasmUrl = url(files.wasm);
  const workerUrl = files.worker ? url(files.worker) : null;
  const compiled = compileWasm(wasmUrl);
  // An import that fails first leaves the compile's outcome unread; that is no error of its own.
  compiled.catch(() => {});
  const { default: createLeafcheckModule } = await import(moduleUrl);
  let rejectInstantiation;
  const instantiationFailed = new Promise((resolve, reject) => {
    rejectInstantiation = reject;
  });
  // The threaded build starts its pthreads' Web Workers from its own .worker.js, which imports the
  // module again (mainScriptUrlOrBlob: the hashed file names are not the ones Emscripten wrote).
  const ready = createLeafcheckModule({
    locateFile: (name) => (workerUrl && name.endsWith('.worker.js') ? workerUrl : wasmUrl),
    mainScriptUrlOrBlob: moduleUrl,
    leafcheckPoolSize: threads - 1,
    // The glue's factory would never settle if this failed, so the failure is raced against it.
    instantiateWasm(imports, receiveInstance) {
      compiled
        .then(async (module) => receiveInstance(await WebAssembly.instantiate(module, imports), module))
        .catch(rejectInstantiation);
      return {};
    },
  });
  return Promise.race([ready, instantiationFailed]);
}

async function compileWasm(url) {
  try {
    return await WebAssembly.compileStreaming(fetch(url, { credentials: 'same-origin' }));
  } catch (error) {
    // A server that sends the .wasm without Content-Type application/wasm defeats streaming only.
    console.warn(`Leafcheck: streaming compilation of ${url} failed (${error?.message ?? error}); compiling from its bytes.`);
  }
  const response = await fetch(url, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`Engine download failed: HTTP ${response.status} for ${url}`);
  return WebAssembly.compile(await response.arrayBuffer());
}
