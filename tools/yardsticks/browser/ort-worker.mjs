// onnxruntime-web (its WebAssembly backend, SIMD + threads build) on the .onnx from lcm-to-onnx; NCHW input.
import * as ort from '/bench/ort/ort.wasm.min.mjs';
import { serve } from './worker-frame.mjs';

serve(async ({ threads, nchw, inputShape }) => {
  ort.env.wasm.wasmPaths = new URL('/bench/ort/', self.location.origin).href;
  ort.env.wasm.numThreads = threads;
  const session = await ort.InferenceSession.create('/bench/model.onnx', {
    executionProviders: ['wasm'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
  });
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', new Float32Array(nchw), inputShape) };
  return async () => (await session.run(feeds))[session.outputNames[0]].data;
});
