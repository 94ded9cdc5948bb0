// Runs inside the Emscripten module factory. Turns the {error: {name, message}} results of
// bindings.cpp into thrown JS Errors, and checks argument types before they reach C++.
addOnPostRun(() => {
  const Raw = Module['Classifier'];
  const raise = (error) => {
    const e = new Error(error.message);
    e.name = error.name;
    throw e;
  };
  const requireBytes = (value, what) => {
    if (!ArrayBuffer.isView(value) || value.BYTES_PER_ELEMENT !== 1) {
      throw new TypeError(what + ' must be a Uint8Array or Uint8ClampedArray');
    }
  };
  const unwrap = (result) => {
    if (result && result.error) raise(result.error);
    return result;
  };
  const classifyEncoded = Raw.prototype.classifyEncoded;
  const classifyRgba = Raw.prototype.classifyRgba;
  const classifyRgbaRegion = Raw.prototype.classifyRgbaRegion;
  Raw.prototype.classifyEncoded = function (bytes, topK = 3) {
    requireBytes(bytes, 'image bytes');
    return unwrap(classifyEncoded.call(this, bytes, topK));
  };
  Raw.prototype.classifyRgba = function (pixels, width, height, topK = 3) {
    requireBytes(pixels, 'RGBA pixels');
    return unwrap(classifyRgba.call(this, pixels, width, height, topK));
  };
  Raw.prototype.classifyRgbaRegion = function (pixels, width, height, x, y, regionWidth, regionHeight, topK = 3) {
    requireBytes(pixels, 'RGBA pixels');
    return unwrap(classifyRgbaRegion.call(this, pixels, width, height, x, y, regionWidth, regionHeight, topK));
  };
  // threads (default 1): the threaded build splits each convolution over that many threads, this one
  // included; it needs threads - 1 pre-started workers (the factory's leafcheckPoolSize option).
  function Classifier(modelBytes, threads = 1) {
    requireBytes(modelBytes, 'model bytes');
    if (!Number.isInteger(threads) || threads < 1) throw new TypeError('threads must be an integer of at least 1');
    const raw = new Raw(modelBytes, threads);
    const error = raw.loadError();
    if (error) {
      raw.delete();
      unwrap(error);
    }
    return raw;
  }
  Module['Classifier'] = Classifier;
});
