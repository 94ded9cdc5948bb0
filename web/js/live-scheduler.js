// Live mode's timing rules, kept apart from the DOM and the worker so node can test them.

// At most one frame is being classified; a frame that comes while one is in flight is not grabbed at
// all. The next one grabbed after the answer is then the newest the camera has, and a slow phone
// shows a guess about what it sees now instead of working through a backlog of old frames.
export class NewestFrameWins {
  #inFlight = 0;
  #maxInFlight = 0;
  #epoch = 0;

  get busy() {
    return this.#inFlight > 0;
  }

  // Never above 1; kept for the tests, which check it after a whole live session.
  get maxInFlight() {
    return this.#maxInFlight;
  }

  // Runs task() unless one is in flight. Resolves to {value} or {error}, or to null when the frame
  // was skipped or its answer came after stop(): a closed preview must not show a late guess.
  async offer(task) {
    if (this.#inFlight > 0) return null;
    const epoch = this.#epoch;
    this.#inFlight += 1;
    this.#maxInFlight = Math.max(this.#maxInFlight, this.#inFlight);
    let outcome;
    try {
      outcome = { value: await task() };
    } catch (error) {
      outcome = { error };
    } finally {
      // Only when the worker has answered: a preview reopened at once must still wait for it.
      this.#inFlight -= 1;
    }
    return epoch === this.#epoch ? outcome : null;
  }

  stop() {
    this.#epoch += 1;
  }
}

// Screen readers hear the guess only when it changes and at most once per `intervalMs`, never at
// the frame rate: a polite live region updated several times a second is read out endlessly.
export class AnnounceThrottle {
  #last = null;
  #lastAt = -Infinity;

  constructor(intervalMs = 3000) {
    this.intervalMs = intervalMs;
  }

  // Whether `text`, seen at time `now` (ms), should be announced.
  take(text, now) {
    if (text === this.#last || now - this.#lastAt < this.intervalMs) return false;
    this.#last = text;
    this.#lastAt = now;
    return true;
  }

  reset() {
    this.#last = null;
    this.#lastAt = -Infinity;
  }
}

// The size a live frame is scaled to before it goes to the worker: its engine crop (the largest
// centred region with the model input's aspect ratio) `factor` times the input's side, the aspect
// ratio kept. Small, so the scaling and the copy to the worker cost little per frame; the engine
// still makes the input itself, as for a scan.
export function liveFrameSize(width, height, inputWidth, inputHeight, factor = 2) {
  if (!(width > 0 && height > 0)) return null;
  const wide = width * inputHeight > height * inputWidth;
  const scale = wide ? (factor * inputHeight) / height : (factor * inputWidth) / width;
  if (scale >= 1) return { width, height };
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}
