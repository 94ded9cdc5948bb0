// Live mode: while the camera preview is open, the newest frame is classified whenever the worker is
// free, and the guess is shown over the preview. Capture (app.js) still makes the normal scan.
import { AnnounceThrottle, NewestFrameWins, liveFrameSize } from './live-scheduler.js';
import { givenCrop } from './crop-choice.js';
import { judge, presentScan } from './verdict.js';

// Fired on the guess element after each classified frame, detail {latencyMs, kind, timings} (timings:
// the engine's own, for that frame): for the e2e test and tools/live-fps.mjs. An event, not
// performance.measure, so an hour of live mode leaves nothing behind.
export const LIVE_FRAME_EVENT = 'leafcheck:live-frame';

export class LiveView {
  #video;
  #guess;
  #title;
  #percent;
  #announce;
  #client;
  #translations;
  #crop;
  #scheduler = new NewestFrameWins();
  #throttle = new AnnounceThrottle();
  #running = false;
  // Each start (and each return to a visible page) is a new session; frame callbacks and answers of
  // an older one (an answer arriving after the preview closed) are ignored.
  #session = 0;
  #cancel = null;
  #input = null;
  // Frames presented so far, and the one last sent: the same frame is never classified twice.
  #presented = 0;
  #sent = 0;

  // translations: () => the current Translations, which change with the language setting.
  // crop: () => the crop chosen on the scan view, or null (crop-choice.js).
  constructor({ video, guess, title, percent, announce, client, translations, crop = () => null }) {
    this.#video = video;
    this.#guess = guess;
    this.#title = title;
    this.#percent = percent;
    this.#announce = announce;
    this.#client = client;
    this.#translations = translations;
    this.#crop = crop;
    document.addEventListener('visibilitychange', () => {
      if (!this.#running) return;
      this.#halt();
      if (!document.hidden) this.#schedule(this.#session);
    });
  }

  // engineReady: the worker's start, resolving to the engine info (model input size).
  start(engineReady) {
    if (this.#running) return;
    this.#running = true;
    this.#presented = 0;
    this.#sent = 0;
    this.#throttle.reset();
    this.#announce.textContent = '';
    this.#show(null);
    const session = ++this.#session;
    engineReady.then(
      (info) => {
        this.#input = { width: info.inputWidth, height: info.inputHeight };
        if (session === this.#session) this.#schedule(session);
      },
      () => session === this.#session && this.#fail(),
    );
  }

  stop() {
    if (!this.#running) return;
    this.#running = false;
    this.#halt();
    this.#scheduler.stop();
  }

  #halt() {
    this.#session += 1;
    this.#cancel?.();
    this.#cancel = null;
  }

  // Every frame the camera presents is noted (requestVideoFrameCallback where it exists; else every
  // paint counts as one), so that when an answer arrives a frame that came meanwhile is sent at once
  // instead of waiting for the next one.
  #schedule(session) {
    if (!this.#running || document.hidden || session !== this.#session) return;
    const video = this.#video;
    if (typeof video.requestVideoFrameCallback === 'function') {
      const id = video.requestVideoFrameCallback((now, metadata) => this.#presentedFrame(session, metadata.presentedFrames));
      this.#cancel = () => video.cancelVideoFrameCallback(id);
    } else {
      const id = requestAnimationFrame(() => this.#presentedFrame(session, this.#presented + 1));
      this.#cancel = () => cancelAnimationFrame(id);
    }
  }

  #presentedFrame(session, count) {
    this.#cancel = null;
    if (session !== this.#session) return;
    this.#presented = count;
    this.#schedule(session);
    this.#classifyNewest(session);
  }

  async #classifyNewest(session) {
    if (this.#scheduler.busy || this.#presented === this.#sent || this.#video.videoWidth === 0) return;
    this.#sent = this.#presented;
    const started = performance.now();
    const outcome = await this.#scheduler.offer(() => this.#classifyFrame());
    if (session !== this.#session || !outcome) return;
    if (outcome.error) return this.#fail(outcome.error);
    const kind = this.#show(outcome.value);
    const detail = { latencyMs: performance.now() - started, kind, timings: outcome.value.timings };
    this.#guess.dispatchEvent(new CustomEvent(LIVE_FRAME_EVENT, { bubbles: true, detail }));
    this.#classifyNewest(session);
  }

  // The frame scaled down by the browser (createImageBitmap, off the main thread where it can) and
  // transferred, not copied: no canvas readback or JPEG encode on the page's thread per frame.
  async #classifyFrame() {
    const video = this.#video;
    const size = liveFrameSize(video.videoWidth, video.videoHeight, this.#input.width, this.#input.height);
    const bitmap = await createImageBitmap(video, { resizeWidth: size.width, resizeHeight: size.height, resizeQuality: 'medium' });
    return this.#client.classifyFrame(bitmap);
  }

  // Capture still works without live guesses, so a failure only says so in the overlay.
  #fail(error) {
    if (error) console.warn('Leafcheck live mode stopped:', error);
    this.stop();
    this.#render('failed', this.#translations().t('liveUnavailable'), '');
  }

  // The same verdict rules as a saved scan (verdict.js): "not a leaf" and "not sure" never name a class.
  #show(classification) {
    const tr = this.#translations();
    if (!classification) {
      this.#render('waiting', tr.t('liveWaiting'), '');
      return 'waiting';
    }
    const narrowed = givenCrop(classification, this.#crop());
    const { kind, best } = presentScan({ top: narrowed.top, ...judge(narrowed) }, (label) => tr.adviceFor(label));
    if (kind === 'not-leaf') this.#render(kind, tr.t('notLeafShort'), '');
    else if (kind === 'unsure') this.#render(kind, tr.t('unsureShort'), '');
    else this.#render(kind, best.title, tr.formatProbability(best.probability));
    return kind;
  }

  #render(kind, title, percent) {
    this.#guess.dataset.kind = kind;
    this.#title.textContent = title;
    this.#percent.textContent = percent;
    // "Point the camera..." is not read out: focus lands on Capture then, and announcing it would hold
    // back the first guess by the throttle's interval. A failure is read out at once.
    if (kind === 'waiting') return;
    if (kind === 'failed') this.#announce.textContent = title;
    // Keyed on the guess alone: a confidence moving by a point is not news.
    else if (this.#throttle.take(title, performance.now())) {
      this.#announce.textContent = percent ? this.#translations().t('liveAnnounce', { title, percent }) : title;
    }
  }
}
