#!/usr/bin/env node
// How often the app's two decode paths give the same top-1 class: the browser's decoder (what the worker
// uses, web/js/model-picture.js) against the engine's C++ decoder, on real PlantVillage photos upscaled to
// phone sizes as JPEGs in Chromium (Debian's, through playwright-core), with the app's engine and model
// from dist/. Prints a markdown report with every disagreement, and a control: the browser path against
// itself with one-level changes to a tenth of its pixel values, how often the model alone tips for a change
// of the decoders' size. A measurement: it asserts nothing.
//
//   node tools/decode/agreement.mjs [--per-class N] [--sizes 4032x3024,3024x4032,...] [--data DIR] [--model FILE]
//
// Photos: N per class folder, evenly spaced in name order; sizes are used in turn. --model: another model
// file than the app's (e.g. an earlier one, to tell a model's part in the figure from the decoders').
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { launchChromium, repoRoot, startServer } from '../../tests/e2e/support.mjs';
import { CONFIDENCE_THRESHOLD, judge } from '../../web/js/verdict.js';
import { openPathsPage } from './open-paths-page.mjs';

const { values: options } = parseArgs({
  options: {
    'per-class': { type: 'string', default: '10' },
    sizes: { type: 'string', default: '4032x3024,3024x4032,4000x2252,1600x1200' },
    data: { type: 'string', default: process.env.LEAFCHECK_DATA_DIR ?? join(repoRoot, '..', 'shared', 'data') },
    model: { type: 'string' },
  },
});
const perClass = Number(options['per-class']);
const sizes = options.sizes.split(',').map((size) => size.split('x').map(Number));
const dataRoot = existsSync(join(options.data, 'plantvillage')) ? join(resolve(options.data), 'plantvillage') : resolve(options.data);

function samplePhotos() {
  const photos = [];
  const classes = readdirSync(dataRoot, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  for (const name of classes) {
    const files = readdirSync(join(dataRoot, name)).filter((file) => /\.(jpe?g|png)$/i.test(file)).sort();
    const step = Math.max(1, Math.floor(files.length / perClass));
    for (let i = 0; i < files.length && i / step < perClass; i += step) photos.push(join(dataRoot, name, files[i]));
  }
  return photos;
}

const photos = samplePhotos();
const server = await startServer();
const browser = await launchChromium();
const started = Date.now();
try {
  const page = await openPathsPage(browser.context, server.url, (index) => readFileSync(photos[index]), options.model ? readFileSync(options.model) : null);
  const rows = [];
  for (let i = 0; i < photos.length; i++) {
    const [width, height] = sizes[i % sizes.length];
    const row = await page.evaluate(
      async ({ index, width, height }) => {
        const photo = await (await fetch(`/__decode/photo/${index}`)).blob();
        const jpeg = await window.decodePaths.phoneJpeg(photo, width, height);
        const { engine, browser, control, via, maxDifference } = await window.decodePaths.bothPaths(window.classifier, jpeg);
        return {
          engine: [engine.top1, engine.probability],
          browser: [browser.top1, browser.probability],
          control: [control.top1, control.probability],
          via,
          maxDifference,
          bytes: jpeg.size,
        };
      },
      { index: i, width, height },
    );
    rows.push({ photo: relative(dataRoot, photos[i]), size: `${width}x${height}`, ...row });
    if ((i + 1) % 50 === 0) console.error(`# ${i + 1}/${photos.length}`);
  }
  report(rows);
} finally {
  await browser.close();
  await server.stop();
}

function percent(part, whole) {
  return `${((100 * part) / whole).toFixed(2)}%`;
}

function report(rows) {
  const agree = (row) => row.engine[0] === row.browser[0];
  console.log(`## Browser decode vs C++ decode: top-1 agreement\n`);
  console.log(`${rows.length} PlantVillage photos (${perClass} per class) from ${dataRoot}, upscaled to phone-sized JPEGs (quality 0.9, fine grain) in ${((Date.now() - started) / 1000).toFixed(0)} s.\n`);
  console.log('| size | browser path | photos | top-1 agree | agreement | mean max prob. difference | largest |');
  console.log('|---|---|---:|---:|---:|---:|---:|');
  const groups = new Map();
  for (const row of rows) {
    const key = `${row.size} | ${row.via}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  for (const [key, group] of [...groups, ['**all** | ', rows]]) {
    const same = group.filter(agree).length;
    const mean = group.reduce((sum, row) => sum + row.maxDifference, 0) / group.length;
    const largest = Math.max(...group.map((row) => row.maxDifference));
    console.log(`| ${key} | ${group.length} | ${same} | ${percent(same, group.length)} | ${mean.toFixed(4)} | ${largest.toFixed(4)} |`);
  }
  // What a farmer sees: the app's own verdict (web/js/verdict.js: judge) names a leaf class only at
  // CONFIDENCE_THRESHOLD or above and says "not sure" below it, so a near-tie that tips either way gives
  // both paths the same answer; "not a leaf" it states at any probability.
  const confident = ([label, probability]) => judge({ top: [{ label, probability }] }).reason !== 'lowConfidence';
  const both = rows.filter((row) => confident(row.engine) && confident(row.browser));
  const one = rows.filter((row) => confident(row.engine) !== confident(row.browser));
  const differ = both.filter((row) => !agree(row));
  console.log(
    `\nAnswers the app states (a leaf class at top probability >= ${CONFIDENCE_THRESHOLD}, or "not a leaf"): ` +
      `${both.length} photos on both paths, ${differ.length} of them naming different classes; ` +
      `${one.length} stated on one path and "not sure" on the other.`,
  );
  // How far the model itself moves for a change of the decoders' size: tells the model's part in the
  // disagreements from the decoders' (an int8 model's rounding tips near-ties that f32 arithmetic holds).
  const steady = rows.filter((row) => row.control[0] === row.browser[0]).length;
  console.log(
    `\nControl, the model alone: the browser path against itself with one level added to or taken from a tenth of ` +
      `its pixel values: ${steady} of ${rows.length} top-1 agree (${percent(steady, rows.length)}).`,
  );
  const disagreements = rows.filter((row) => !agree(row));
  console.log(`\n### Disagreements: ${disagreements.length}\n`);
  if (disagreements.length === 0) return;
  console.log('| photo | size | C++ decode top-1 (p) | browser decode top-1 (p) |');
  console.log('|---|---|---|---|');
  for (const row of disagreements) {
    console.log(`| ${row.photo} | ${row.size} | ${row.engine[0]} (${row.engine[1].toFixed(3)}) | ${row.browser[0]} (${row.browser[1].toFixed(3)}) |`);
  }
}
