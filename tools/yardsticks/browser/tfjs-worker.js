// @tensorflow/tfjs-backend-wasm (XNNPACK in wasm, SIMD; its threaded build when threads > 1) on the f32
// .lcm, built by tfjs-network.mjs; NHWC input. A classic worker: tfjs ships UMD bundles that need
// importScripts (its ES modules import node built-ins).
importScripts('/bench/tfjs/tf-core.min.js', '/bench/tfjs/tf-backend-wasm.min.js');

// Messages that arrive while the modules below load would find no handler; they wait here.
const early = [];
self.onmessage = (event) => early.push(event);

(async () => {
  const [{ serve }, { parseLcm }, { tfjsNetwork }] = await Promise.all([
    import('/bench/yardsticks/browser/worker-frame.mjs'),
    import('/bench/yardsticks/lcm.mjs'),
    import('/bench/yardsticks/tfjs-network.mjs'),
  ]);
  serve(async ({ threads, nhwc }) => {
    tf.wasm.setWasmPaths(new URL('/bench/tfjs/', self.location.origin).href);
    tf.wasm.setThreadsCount(threads);
    if (!(await tf.setBackend('wasm'))) throw new Error('the tfjs wasm backend failed to initialise');
    if (threads > 1 && !(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'))) throw new Error('tfjs has no threads here');
    const model = parseLcm(new Uint8Array(await (await fetch('/bench/model-f32.lcm')).arrayBuffer()));
    const forward = tfjsNetwork(tf, model, new Float32Array(nhwc));
    return () => {
      const logits = forward();
      const values = logits.dataSync();
      logits.dispose();
      return values;
    };
  });
  for (const event of early) self.onmessage(event);
})();
