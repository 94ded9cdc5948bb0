// The page's side of the inference worker: promise-based requests, one worker per page.
export class ClassifierClient {
  #worker;
  #pending = new Map();
  #nextId = 1;
  #ready = null;
  // Once the engine is up, requests are posted in the caller's task, not a microtask later: a scan's
  // photo reaches the worker before the page starts redrawing for the scan.
  #started = false;

  constructor() {
    this.#worker = new Worker(new URL('./inference-worker.js', import.meta.url), { type: 'module' });
    this.#worker.addEventListener('message', ({ data }) => {
      const pending = this.#pending.get(data.id);
      if (!pending) return;
      this.#pending.delete(data.id);
      if (data.ok) {
        pending.resolve(data.result);
      } else {
        const error = new Error(data.error.message);
        error.name = data.error.name;
        pending.reject(error);
      }
    });
    this.#worker.addEventListener('error', (event) => {
      const error = new Error(event.message || 'the inference worker failed to start');
      error.name = 'WorkerError';
      for (const pending of this.#pending.values()) pending.reject(error);
      this.#pending.clear();
    });
  }

  #request(message, transfer = []) {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ ...message, id }, transfer);
    });
  }

  // Loads engine + model once; later calls return the same answer. A failed start can be retried.
  start(buildInfo) {
    if (!this.#ready) {
      this.#ready = this.#request({ type: 'init', engines: buildInfo.engines, model: buildInfo.model.url });
      this.#ready.then(
        () => {
          this.#started = true;
        },
        () => {
          this.#ready = null;
        },
      );
    }
    return this.#ready;
  }

  get started() {
    return this.#ready;
  }

  // A photo file (any Blob): the worker decodes it, with the browser's decoder where it can.
  async classifyPicture(picture) {
    if (!this.#started) await this.#ready;
    return this.#request({ type: 'classify-picture', picture });
  }

  async classifyRgba(imageData) {
    if (!this.#started) await this.#ready;
    const pixels = imageData.data.buffer.slice(0);
    return this.#request({ type: 'classify-rgba', pixels, width: imageData.width, height: imageData.height }, [pixels]);
  }

  // A live camera frame (ImageBitmap), handed over: it is unusable here afterwards.
  async classifyFrame(frame) {
    if (!this.#started) await this.#ready;
    return this.#request({ type: 'classify-frame', frame }, [frame]);
  }

  // The photo and thumbnail kept with a scan ({photo, thumbnail}: JPEG Blobs or nulls), encoded in the
  // worker; `source` is the scanned Blob or camera ImageData.
  async storedPictures(source) {
    if (!this.#started) await this.#ready;
    return this.#request({ type: 'store-pictures', source });
  }
}
