// Heap soak: does the engine's memory stay bounded over many scans of 12 MP photos, in Chromium?
//
//   node tools/heap-soak.mjs [--scans 1000] [--input encoded|rgba|both]
//
// Serves dist/ (npm run build first), opens the app in Debian's headless Chromium and drives the
// app's own inference worker (dist/js/inference-worker.js, the engine the browser picks) from the
// page: a 4032x3024 JPEG made in the page by the browser's encoder is classified `scans` times as a
// file ("encoded": the path of a chosen photo, classify-picture) and/or as 12 MP RGBA pixels (the
// path of a camera frame). After the first scan and at the end it reads the C++ heap in use
// (mallinfo) and the WebAssembly memory size. Prints one line per input and exits 1 when either
// grew by 1 MB or more after the first scan.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export const GROWTH_LIMIT = 1024 * 1024;

// Runs in the page. Resolves to {first, last, scans, msPerScan} (first/last: {heapBytesInUse, memoryBytes}).
async function soakInPage({ scans, input }) {
  const { default: buildInfo } = await import(new URL('js/build-info.js', location.href).href);
  const worker = new Worker('./js/inference-worker.js', { type: 'module' });
  let nextId = 1;
  const request = (message, transfer = []) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const listen = ({ data }) => {
        if (data.id !== id) return;
        worker.removeEventListener('message', listen);
        if (data.ok) resolve(data.result);
        else reject(new Error(`${data.error.name}: ${data.error.message}`));
      };
      worker.addEventListener('message', listen);
      worker.postMessage({ ...message, id }, transfer);
    });
  await request({ type: 'init', engines: buildInfo.engines, model: buildInfo.model.url });

  // A leafy 12 MP photo: gradients and a few thousand blotches, so the JPEG has real detail.
  const width = 4032;
  const height = 3024;
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  const gradient = context.createLinearGradient(0, 0, width, height);
  gradient.addColorStop(0, '#2f6b1f');
  gradient.addColorStop(1, '#9bbf4a');
  context.fillStyle = gradient;
  context.fillRect(0, 0, width, height);
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; i < 3000; i++) {
    context.fillStyle = `rgb(${90 + random() * 80}, ${60 + random() * 60}, ${20 + random() * 30})`;
    context.beginPath();
    context.arc(random() * width, random() * height, 4 + random() * 40, 0, 2 * Math.PI);
    context.fill();
  }
  const jpeg = await (await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 })).arrayBuffer();
  const rgba = context.getImageData(0, 0, width, height).data;

  const scan = () =>
    input === 'rgba'
      ? (() => {
          const pixels = rgba.buffer.slice(0);
          return request({ type: 'classify-rgba', pixels, width, height }, [pixels]);
        })()
      : request({ type: 'classify-picture', picture: new Blob([jpeg], { type: 'image/jpeg' }) });
  await scan();
  const first = await request({ type: 'memory' });
  const started = performance.now();
  for (let i = 1; i < scans; i++) await scan();
  const msPerScan = (performance.now() - started) / Math.max(1, scans - 1);
  const last = await request({ type: 'memory' });
  worker.terminate();
  return { first, last, scans, msPerScan, jpegBytes: jpeg.byteLength };
}

// Opens the served app in `page` and soaks one input kind; resolves to soakInPage's answer plus growth.
export async function soak(page, url, { scans, input }) {
  await page.goto(url);
  const result = await page.evaluate(soakInPage, { scans, input });
  return {
    ...result,
    input,
    heapGrowth: result.last.heapBytesInUse - result.first.heapBytesInUse,
    memoryGrowth: result.last.memoryBytes - result.first.memoryBytes,
  };
}

export function describeSoak(r) {
  const mb = (bytes) => (bytes / 1048576).toFixed(3);
  return (
    `${r.input}: ${r.scans} scans of a 4032x3024 photo (JPEG ${mb(r.jpegBytes)} MB), ${r.msPerScan.toFixed(0)} ms per scan; ` +
    `C++ heap in use ${mb(r.first.heapBytesInUse)} -> ${mb(r.last.heapBytesInUse)} MB (growth ${r.heapGrowth} bytes), ` +
    `wasm memory ${mb(r.first.memoryBytes)} -> ${mb(r.last.memoryBytes)} MB (growth ${r.memoryGrowth} bytes)`
  );
}

async function main() {
  const { values } = parseArgs({ options: { scans: { type: 'string', default: '1000' }, input: { type: 'string', default: 'both' } } });
  const scans = Number(values.scans);
  const inputs = values.input === 'both' ? ['encoded', 'rgba'] : [values.input];
  if (!(scans >= 1) || !inputs.every((input) => input === 'encoded' || input === 'rgba')) {
    console.error('usage: node tools/heap-soak.mjs [--scans N] [--input encoded|rgba|both]');
    process.exit(2);
  }
  const { launchChromium, startServer } = await import('../tests/e2e/support.mjs');
  const server = await startServer();
  const browser = await launchChromium();
  let bounded = true;
  try {
    for (const input of inputs) {
      const page = await browser.context.newPage();
      const result = await soak(page, server.url, { scans, input });
      console.log(describeSoak(result));
      bounded &&= result.heapGrowth < GROWTH_LIMIT && result.memoryGrowth < GROWTH_LIMIT;
      await page.close();
    }
  } finally {
    await browser.close();
    await server.stop();
  }
  process.exit(bounded ? 0 : 1);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
