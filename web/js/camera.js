// Live rear-camera preview with getUserMedia. Errors keep their DOMException name
// (NotAllowedError, NotFoundError, NotReadableError, ...) so the page can explain them.
export class LiveCamera {
  #video;
  #stream = null;

  constructor(video) {
    this.#video = video;
  }

  static get supported() {
    return Boolean(navigator.mediaDevices?.getUserMedia);
  }

  get active() {
    return this.#stream !== null;
  }

  async open() {
    if (!LiveCamera.supported) throw new DOMException('getUserMedia is not available', 'NotSupportedError');
    this.#stream = await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: { ideal: 'environment' }, width: { ideal: 1920 }, height: { ideal: 1080 } },
    });
    this.#video.srcObject = this.#stream;
    await this.#video.play();
  }

  close() {
    for (const track of this.#stream?.getTracks() ?? []) track.stop();
    this.#stream = null;
    // Every scan closes the camera, open or not, and setting srcObject restarts the video element's
    // load algorithm even when it was already null: work on the way to the result.
    if (this.#video.srcObject !== null) this.#video.srcObject = null;
  }
}

// The preview's current frame as RGBA pixels (ImageData): for the engine and, after the verdict, for the stored photo.
export function grabFrame(video) {
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  const context = canvas.getContext('2d', { willReadFrequently: true });
  context.drawImage(video, 0, 0);
  return context.getImageData(0, 0, canvas.width, canvas.height);
}
