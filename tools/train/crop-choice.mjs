// What choosing the crop in the app (web/js/crop-choice.js) does to a model's answers: top-1 and
// top-3 on the field crops training only measured (--split field-test) and on the lab test split,
// without a crop and with the photo's true crop chosen, and the answers the app would state (judge()
// of web/js/verdict.js: confident, a leaf, something to see) with how many of them are right. The
// rules are the app's own modules, applied to leafcheck-cli's probabilities for every class.
//
//   node tools/train/crop-choice.mjs CLI [MODEL] [DATA_DIR]
//
// MODEL defaults to the file the app ships (model/leafcheck-int8.lcm). DATA_DIR holds plantvillage/
// and plantdoc_field/: $LEAFCHECK_DATA_DIR, else ../shared/data next to the repository. The crops the
// app does not offer (those the model knows one class of) count as "any crop" in both columns.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { choosableCrops, cropOf, givenCrop } from '../../web/js/crop-choice.js';
import { judge } from '../../web/js/verdict.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const [cli, modelArg, dataArg] = process.argv.slice(2);
if (!cli) {
  console.error('usage: node tools/train/crop-choice.mjs CLI [MODEL] [DATA_DIR]');
  process.exit(2);
}
const model = modelArg || join(repoRoot, 'model', 'leafcheck-int8.lcm');
const dataDir = resolve(dataArg || process.env.LEAFCHECK_DATA_DIR || join(repoRoot, '..', 'shared', 'data'));
const splits = [
  ['field-test', join(dataDir, 'plantdoc_field')],
  ['test', join(dataDir, 'plantvillage')],
].filter(([, root]) => existsSync(root));
if (!splits.length) {
  console.error(`no plantdoc_field/ or plantvillage/ in ${dataDir} (give DATA_DIR or set LEAFCHECK_DATA_DIR)`);
  process.exit(2);
}

function classify(split, root) {
  const output = execFileSync(cli, ['--model', model, '--labels-from-folders', '--split', split, '--top', '1000', '--json', root], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 256 << 20,
  });
  const json = JSON.parse(output);
  return json.images.filter((image) => !image.error);
}

function tally(images, crops, choose) {
  const counts = { images: 0, top1: 0, top3: 0, stated: 0, statedRight: 0 };
  for (const image of images) {
    const crop = cropOf(image.true_class);
    const classification = { top: image.top, looksLikeLeaf: image.looks_like_leaf, somethingToSee: image.something_to_see };
    const { top } = choose && crops.includes(crop) ? givenCrop(classification, crop) : classification;
    const rank = top.findIndex(({ label }) => label === image.true_class);
    counts.images++;
    if (rank === 0) counts.top1++;
    if (rank >= 0 && rank < 3) counts.top3++;
    if (!judge({ ...classification, top }).unsure) {
      counts.stated++;
      if (rank === 0) counts.statedRight++;
    }
  }
  return counts;
}

const percent = (part, whole) => (whole ? `${((100 * part) / whole).toFixed(2)}%` : '-');
const row = (name, c) =>
  `| ${name} | ${c.images} | ${percent(c.top1, c.images)} | ${percent(c.top3, c.images)} | ` +
  `${c.stated} (${percent(c.stated, c.images)}) | ${percent(c.statedRight, c.stated)} |`;

console.log(`model ${model}`);
for (const [split, root] of splits) {
  const images = classify(split, root);
  const labels = images[0]?.top.map(({ label }) => label) ?? [];
  const crops = choosableCrops(labels);
  console.log(`\n### ${split} (${root}): ${images.length} photos; crops offered: ${crops.join(', ')}\n`);
  console.log('| crop chosen | photos | top-1 | top-3 | answers stated | stated answers right |');
  console.log('|---|---:|---:|---:|---:|---:|');
  console.log(row('none (any crop)', tally(images, crops, false)));
  console.log(row('the true crop', tally(images, crops, true)));
  console.log('\n| crop | photos | top-1, any crop | top-1, crop chosen | top-3, any crop | top-3, crop chosen |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const crop of [...new Set(images.map((image) => cropOf(image.true_class)))].sort()) {
    const mine = images.filter((image) => cropOf(image.true_class) === crop);
    const any = tally(mine, crops, false);
    const chosen = tally(mine, crops, true);
    const offered = crops.includes(crop) ? '' : ' (not offered)';
    console.log(
      `| ${crop}${offered} | ${mine.length} | ${percent(any.top1, any.images)} | ${percent(chosen.top1, chosen.images)} | ` +
        `${percent(any.top3, any.images)} | ${percent(chosen.top3, chosen.images)} |`,
    );
  }
}
