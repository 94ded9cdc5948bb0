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
  Raw.prototype.classifyEncoded = function (bytes, topK = 3) {
    requireBytes(bytes, 'image bytes');
    return unwrap(classifyEncoded.call(this, bytes, topK));
  };
  Raw.prototype.classifyRgba = function (pixels, width, height, topK = 3) {
    requireBytes(pixels, 'RGBA pixels');
    return unwrap(classifyRgba.call(this, pixels, width, height, topK));
  };
  function Classifier(modelBytes) {
    requireBytes(modelBytes, 'model bytes');
    const raw = new Raw(modelBytes);
    const error = raw.loadError();
    if (error) {
      raw.delete();
      unwrap(error);
    }
    return raw;
  }
  Module['Classifier'] = Classifier;
});
