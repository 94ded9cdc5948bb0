// The frame of the JavaScript yardsticks, as yardstick_main.cpp is for the native ones: command line,
// the fixed input written by leafcheck-logits, leafcheck-bench's protocol (10 warm-up then 100 timed
// runs, nearest-rank p50/p99) and one JSON line with the logits for compare.mjs.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

export { measure } from './measure.mjs';

export function parseYardstickArgs(name, extraOptions = {}) {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      input: { type: 'string' },
      threads: { type: 'string', default: '1' },
      warmup: { type: 'string', default: '10' },
      runs: { type: 'string', default: '100' },
      help: { type: 'boolean', short: 'h' },
      ...extraOptions,
    },
  });
  const usage = `usage: node tools/yardsticks/${name} --model FILE --input FILE.f32 [--threads N] [--warmup N] [--runs N]` +
    Object.keys(extraOptions).map((k) => ` [--${k} ...]`).join('');
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  if (!values.model || !values.input) throw new Error(`--model and --input are required\n${usage}`);
  for (const key of ['threads', 'warmup', 'runs']) {
    const n = Number(values[key]);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${key} needs a positive integer, got '${values[key]}'`);
    values[key] = n;
  }
  return values;
}

// The fixed input: raw little-endian f32, NHWC, as leafcheck-logits --input-out writes it.
export function readInput(path, count) {
  const bytes = readFileSync(path);
  if (bytes.length !== count * 4) throw new Error(`${path} holds ${bytes.length} bytes; the model input needs ${count * 4}`);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

export function nhwcToNchw(nhwc, height, width, channels) {
  const nchw = new Float32Array(nhwc.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) nchw[(c * height + y) * width + x] = nhwc[(y * width + x) * channels + c];
    }
  }
  return nchw;
}

export function printResult(description, figures) {
  console.log(JSON.stringify({ ...description, ...figures }));
}
