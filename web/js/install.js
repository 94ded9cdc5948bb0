// Installing the app to the home screen. Chromium browsers offer their own prompt through
// `beforeinstallprompt`, which we hold back and show as an "Install app" button; Safari on iOS has no
// prompt at all, only Share -> Add to Home Screen, so its users get a short hint instead. Neither
// shows once the app runs installed.

// What to offer. iosSafari: Safari on an iPhone or iPad (where every browser is WebKit, but only
// Safari itself can add to the home screen on older iOS versions); promptAvailable: the browser
// handed us a `beforeinstallprompt` event.
export function installOffer({ standalone, iosSafari, promptAvailable, hintDismissed }) {
  if (standalone) return 'none';
  if (promptAvailable) return 'button';
  if (iosSafari && !hintDismissed) return 'ios-hint';
  return 'none';
}

// iPadOS reports itself as a Mac; its touch points give it away. Other iOS browsers (CriOS, FxiOS,
// EdgiOS) name themselves; in-app browsers (Instagram, Facebook) cannot install at all.
export function isIosSafari(userAgent, maxTouchPoints = 0) {
  const ios = /iPhone|iPad|iPod/.test(userAgent) || (/Macintosh/.test(userAgent) && maxTouchPoints > 1);
  return ios && /Safari\//.test(userAgent) && !/CriOS|FxiOS|EdgiOS|OPiOS|GSA\/|Instagram|FBAN|FBAV/.test(userAgent);
}

const HINT_DISMISSED_KEY = 'leafcheck-install-hint-dismissed';

export class InstallOffer {
  #deferred = null;
  #hintDismissedNow = false;
  #button;
  #hint;

  // button: the "Install app" button; hint: the iOS hint, with a [data-dismiss] button inside.
  constructor(button, hint) {
    this.#button = button;
    this.#hint = hint;
    const standaloneQuery = window.matchMedia('(display-mode: standalone)');
    window.addEventListener('beforeinstallprompt', (event) => {
      event.preventDefault();
      this.#deferred = event;
      this.#render();
    });
    window.addEventListener('appinstalled', () => {
      this.#deferred = null;
      this.#render();
    });
    standaloneQuery.addEventListener?.('change', () => this.#render());
    button.addEventListener('click', () => this.#prompt());
    hint.querySelector('[data-dismiss]')?.addEventListener('click', () => {
      try {
        localStorage.setItem(HINT_DISMISSED_KEY, '1');
      } catch {
        // Storage blocked: the hint hides for this visit only.
      }
      this.#hintDismissedNow = true;
      this.#render();
    });
    this.#render();
  }

  #hintDismissed() {
    if (this.#hintDismissedNow) return true;
    try {
      return localStorage.getItem(HINT_DISMISSED_KEY) === '1';
    } catch {
      return false;
    }
  }

  #render() {
    const offer = installOffer({
      standalone: window.matchMedia('(display-mode: standalone)').matches || navigator.standalone === true,
      iosSafari: isIosSafari(navigator.userAgent, navigator.maxTouchPoints),
      promptAvailable: this.#deferred !== null,
      hintDismissed: this.#hintDismissed(),
    });
    this.#button.hidden = offer !== 'button';
    this.#hint.hidden = offer !== 'ios-hint';
  }

  async #prompt() {
    const event = this.#deferred;
    if (!event) return;
    // A prompt event can be used once: whatever the person answers, the browser decides whether to offer it again.
    this.#deferred = null;
    this.#render();
    try {
      await event.prompt();
      await event.userChoice;
    } catch (error) {
      console.warn('Leafcheck could not show the install prompt:', error);
    }
  }
}
