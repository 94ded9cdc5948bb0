// Service worker registration, the "Ready for offline use" state and the update prompt.
// The state is asked of the service worker that controls *this* page, so an app installed to the iOS
// home screen (which has its own storage, separate from Safari's) reports its own readiness.
import { Workbox, messageSW } from './vendor/workbox-window.js';

export class OfflineSupport extends EventTarget {
  #workbox = null;
  state = { supported: 'serviceWorker' in navigator, controlled: false, cached: 0, total: 0, persisted: null, error: null };

  get ready() {
    return this.state.controlled && this.state.total > 0 && this.state.cached === this.state.total;
  }

  #changed() {
    this.dispatchEvent(new Event('change'));
  }

  // Resolves once a service worker controls the page (first visit: after it precached everything),
  // or with false when there will be none. The caller starts the engine then, so the model and the
  // .wasm are downloaded once, by the service worker, not a second time by the page.
  async start() {
    if (!this.state.supported) return false;
    const hadController = Boolean(navigator.serviceWorker.controller);
    // A new version took over (this tab pressed "reload", or another tab did): reload so that the page,
    // its engine and its model all come from the same release. The first install taking control of a
    // page that had no service worker yet is not a new version.
    let previousController = navigator.serviceWorker.controller;
    navigator.serviceWorker.addEventListener('controllerchange', () => {
      const replaced = previousController !== null;
      previousController = navigator.serviceWorker.controller;
      if (replaced) window.location.reload();
    });
    this.#workbox = new Workbox('sw.js');
    this.#workbox.addEventListener('waiting', () => this.dispatchEvent(new Event('update-available')));
    const controlled = new Promise((resolve) => {
      if (hadController) resolve(true);
      navigator.serviceWorker.addEventListener('controllerchange', () => resolve(true), { once: true });
      this.#workbox.addEventListener('redundant', () => resolve(false));
    });
    try {
      const registration = await this.#workbox.register();
      if (!registration) return false;
    } catch (error) {
      this.state.error = error;
      this.#changed();
      return false;
    }
    const result = await controlled;
    this.state.controlled = Boolean(navigator.serviceWorker.controller);
    await this.refresh();
    return result;
  }

  reloadToUpdate() {
    this.#workbox?.messageSkipWaiting();
  }

  async refresh() {
    const controller = navigator.serviceWorker?.controller;
    this.state.controlled = Boolean(controller);
    if (controller) {
      try {
        const { cached, total } = await messageSW(controller, { type: 'CACHE_STATUS' });
        this.state.cached = cached;
        this.state.total = total;
      } catch (error) {
        this.state.error = error;
      }
    }
    if (navigator.storage?.persisted) this.state.persisted = await navigator.storage.persisted();
    this.#changed();
  }

  // Asks the browser not to evict the cached app and the history when space runs low.
  async persist() {
    if (!navigator.storage?.persist) return null;
    try {
      this.state.persisted = await navigator.storage.persist();
    } catch {
      this.state.persisted = false;
    }
    this.#changed();
    return this.state.persisted;
  }
}
