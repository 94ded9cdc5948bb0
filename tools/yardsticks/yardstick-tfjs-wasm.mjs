// yardstick-tfjs-wasm: the model run by TensorFlow.js's WebAssembly backend (XNNPACK compiled to
// wasm, SIMD128) in node, built by tfjs-network.mjs.
// The .wasm files load from node_modules: nothing is downloaded. Single thread only: tfjs never
// uses its threaded wasm build in node (WASM_HAS_MULTITHREAD_SUPPORT is false there, tfjs issue 3830).
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { setThreadsCount, setWasmPaths, version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { readLcm } from './read-lcm.mjs';
import { tfjsNetwork } from './tfjs-network.mjs';
import { measure, parseYardstickArgs, printResult, readInput } from './protocol.mjs';

const args = parseYardstickArgs('yardstick-tfjs-wasm.mjs');
const model = readLcm(args.model);
const { inputHeight: h, inputWidth: w, inputChannels: c } = model;

const require = createRequire(import.meta.url);
setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep);
setThreadsCount(args.threads);
if (!(await tf.setBackend('wasm'))) throw new Error('the tfjs wasm backend failed to initialise');
const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
const multithread = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
if (args.threads > 1 && !multithread) {
  throw new Error(`tfjs-backend-wasm has no threads in node (tfjs issue 3830): --threads ${args.threads} cannot be honoured`);
}

const forward = tfjsNetwork(tf, model, readInput(args.input, h * w * c));

const figures = await measure(() => {
  const logits = forward();
  const values = logits.dataSync();
  logits.dispose();
  return values;
}, args);
printResult({
  engine: 'tfjs-wasm', version: `tfjs-core ${tf.version_core}, tfjs-backend-wasm ${version_wasm}${simd ? ', SIMD' : ''}${multithread ? ', threaded' : ''}`,
  target: 'wasm in node', layout: 'NHWC', threads: args.threads,
}, figures);
