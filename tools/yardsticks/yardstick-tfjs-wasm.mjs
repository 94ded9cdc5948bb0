// yardstick-tfjs-wasm: the model run by TensorFlow.js's WebAssembly backend (XNNPACK compiled to
// wasm, SIMD128) in node, NHWC, with fused conv+bias+ReLU and matMul+bias+ReLU as tfjs offers them.
// The .wasm files load from node_modules: nothing is downloaded. Single thread only: tfjs never
// uses its threaded wasm build in node (WASM_HAS_MULTITHREAD_SUPPORT is false there, tfjs issue 3830).
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { setThreadsCount, setWasmPaths, version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { LayerKind, readLcm } from './lcm.mjs';
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

// OIHW (.lcm) to HWIO (tfjs conv2d filters).
function toHwio({ shape: [o, i], data }) {
  const hwio = new Float32Array(data.length);
  for (let oc = 0; oc < o; oc++) {
    for (let ic = 0; ic < i; ic++) {
      for (let k = 0; k < 9; k++) hwio[(k * i + ic) * o + oc] = data[(oc * i + ic) * 9 + k];
    }
  }
  return tf.tensor4d(hwio, [3, 3, i, o]);
}

const layers = model.layers.map((layer) => {
  if (layer.kind === LayerKind.Conv3x3) return { ...layer, filter: toHwio(layer.weight), b: tf.tensor1d(layer.bias.data) };
  if (layer.kind === LayerKind.Linear) {
    // Transposed once here to [in, out]: tfjs-backend-wasm 4.22's fused matMul with transposeB: true
    // returned wrong values for inner sizes of 64 and more (unfused matMul was right).
    const matrix = tf.tidy(() => tf.transpose(tf.tensor2d(layer.weight.data, layer.weight.shape)));
    return { ...layer, matrix, b: tf.tensor1d(layer.bias.data) };
  }
  return layer;
});
const input = tf.tensor4d(readInput(args.input, h * w * c), [1, h, w, c]);

function forward() {
  return tf.tidy(() => {
    let x = input;
    for (const layer of layers) {
      const activation = layer.fusedRelu ? 'relu' : 'linear';
      switch (layer.kind) {
        case LayerKind.Conv3x3:
          x = tf.fused.conv2d({ x, filter: layer.filter, strides: 1, pad: 'same', bias: layer.b, activation });
          break;
        case LayerKind.MaxPool2x2: x = tf.maxPool(x, 2, 2, 'valid'); break;
        case LayerKind.GlobalAvgPool: x = tf.mean(x, [1, 2]); break;
        case LayerKind.Linear:
          x = tf.fused.matMul({ a: x, b: layer.matrix, bias: layer.b, activation });
          break;
        case LayerKind.Relu: x = tf.relu(x); break;
        default: throw new Error(`unknown layer kind ${layer.kind}`);
      }
    }
    return x;
  });
}

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
