// What every benchmark worker shares: the message protocol of bench-page.mjs around one engine.
// setup(config) -> runOnce: () => output numbers (Float32Array or array); may be async.
//
// measure.mjs is imported when the timed runs are asked for, not statically: a static import is one
// more level of module requests (the harness's files are served no-cache, so each is a round trip)
// before the worker can take its start message, a cost of the benchmark's harness that no app start pays.
export function serve(setup) {
  let runOnce = null;
  self.onmessage = async ({ data }) => {
    try {
      if (data.type === 'start') {
        runOnce = await setup(data);
        self.postMessage({ type: 'first', output: Array.from(await runOnce()) });
      } else if (data.type === 'protocol') {
        const { measure } = await import('../measure.mjs');
        self.postMessage({ type: 'figures', ...(await measure(runOnce, data)) });
      }
    } catch (error) {
      self.postMessage({ type: 'error', message: String(error?.stack ?? error) });
    }
  };
}
