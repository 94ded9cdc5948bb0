// yardstick-onnxruntime: the model, exported by lcm-to-onnx, run by ONNX Runtime in node, NCHW
// (ONNX's layout; ORT rearranges internally as it sees fit), graph optimisations on.
//   --runtime web   onnxruntime-web's WebAssembly backend (SIMD, threaded build), what the original
//                   system shipped; its .wasm loads from node_modules, nothing is downloaded.
//   --runtime node  onnxruntime-node, ORT's native CPU build (optional: only if installed).
// --input-size HxWxC: the model's input (the .onnx is NCHW; the input file is NHWC).
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { measure, nhwcToNchw, parseYardstickArgs, printResult, readInput } from './protocol.mjs';

const args = parseYardstickArgs('yardstick-onnxruntime.mjs', {
  runtime: { type: 'string', default: 'web' },
  'input-size': { type: 'string', default: '128x128x3' },
});
const [h, w, c] = args['input-size'].split('x').map(Number);
const require = createRequire(import.meta.url);

let ort;
const sessionOptions = { graphOptimizationLevel: 'all', intraOpNumThreads: args.threads, interOpNumThreads: 1 };
if (args.runtime === 'web') {
  ort = await import('onnxruntime-web');
  // The package's node entry point sits in dist/ beside the .wasm files.
  ort.env.wasm.wasmPaths = pathToFileURL(path.dirname(require.resolve('onnxruntime-web')) + path.sep).href;
  ort.env.wasm.numThreads = args.threads;
  sessionOptions.executionProviders = ['wasm'];
} else if (args.runtime === 'node') {
  try {
    ort = await import('onnxruntime-node');
  } catch (error) {
    throw new Error(`onnxruntime-node is not installed (${error.code ?? error.message})`);
  }
  sessionOptions.executionProviders = ['cpu'];
} else {
  throw new Error(`--runtime must be web or node, got '${args.runtime}'`);
}

const session = await ort.InferenceSession.create(args.model, sessionOptions);
const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', nhwcToNchw(readInput(args.input, h * w * c), h, w, c), [1, c, h, w]) };
const figures = await measure(async () => (await session.run(feeds))[session.outputNames[0]].data, args);
printResult({
  engine: args.runtime === 'web' ? 'onnxruntime-web' : 'onnxruntime-node',
  version: `onnxruntime-${args.runtime} ${ort.env.versions?.[args.runtime] ?? ort.env.versions?.common ?? 'unknown'}`,
  target: args.runtime === 'web' ? 'wasm in node' : 'native',
  layout: 'NCHW', threads: args.threads,
}, figures);
await session.release();
