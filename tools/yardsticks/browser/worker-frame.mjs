// What every benchmark worker shares: the message protocol of bench-page.mjs around one engine.
// setup(config) -> runOnce: () => output numbers (Float32Array or array); may be async.
import { measure } from '../measure.mjs';

export function serve(setup) {
  let runOnce = null;
  self.onmessage = async ({ data }) => {
    try {
      if (data.type === 'start') {
        runOnce = await setup(data);
        self.postMessage({ type: 'first', output: Array.from(await runOnce()) });
      } else if (data.type === 'protocol') {
        self.postMessage({ type: 'figures', ...(await measure(runOnce, data)) });
      }
    } catch (error) {
      self.postMessage({ type: 'error', message: String(error?.stack ?? error) });
    }
  };
}
