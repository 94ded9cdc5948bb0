// Re-evaluates every model file of a finished experiment with leafcheck-cli on the test split, and on
// the field crops training only measured (--split field-test), and checks it prints the figures of the
// report's Files table (results.json): the CLI, which shares the split and preprocessing code with
// training, must reproduce the report. Also holds the int8 twin
// (leafcheck-int8.lcm, which the app ships) to within 0.5 top-1 points of leafcheck.lcm, run both ways
// the app runs it. Exit 1 on a mismatch.
//
//   node tools/train/verify-models.mjs CLI MODEL_DIR [DATA_DIR [NOT_LEAF_DIR]]
//
// DATA_DIR (PlantVillage layout) defaults to $LEAFCHECK_DATA_DIR/plantvillage, else
// ../shared/data/plantvillage next to the repository. When the model has the class
// Background_without_leaves, its test split also holds the test split of the photos without leaves:
// NOT_LEAF_DIR (photos directly in it), else $NOT_LEAF_DIR, else background_without_leaves/ beside
// DATA_DIR. It reaches the CLI as a second dataset root: a temporary folder whose only class folder
// is a link named Background_without_leaves. When a folder the check needs is absent, the check is
// skipped with exit status 77 (CTest's skip code). The field crops are plantdoc_field/ beside DATA_DIR,
// else $FIELD_DIR; without them only the field figures go unchecked (and it says so).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmdirSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SKIPPED = 77;
const NOT_LEAF_CLASS = 'Background_without_leaves';
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const [cli, modelDir, dataArg, notLeafArg] = process.argv.slice(2);
if (!cli || !modelDir) {
  console.error('usage: node tools/train/verify-models.mjs CLI MODEL_DIR [DATA_DIR [NOT_LEAF_DIR]]');
  process.exit(2);
}
const dataDir =
  dataArg || join(process.env.LEAFCHECK_DATA_DIR ?? join(repoRoot, '..', 'shared', 'data'), 'plantvillage');
if (!existsSync(dataDir)) {
  console.log(`skipped: no PlantVillage data at ${dataDir} (set LEAFCHECK_DATA_DIR to the folder holding plantvillage/)`);
  process.exit(SKIPPED);
}

const results = JSON.parse(readFileSync(join(modelDir, 'results.json'), 'utf8'));
const needsNotLeaf = (results.classes ?? []).includes(NOT_LEAF_CLASS);
const notLeafDir = resolve(notLeafArg || process.env.NOT_LEAF_DIR || join(dirname(resolve(dataDir)), 'background_without_leaves'));
if (needsNotLeaf && !existsSync(notLeafDir)) {
  console.log(
    `skipped: the models have the class ${NOT_LEAF_CLASS} but there are no photos without leaves at ${notLeafDir} ` +
      '(give NOT_LEAF_DIR as the fourth argument or in the environment)',
  );
  process.exit(SKIPPED);
}

// The not-a-leaf photos lie directly in their folder; the CLI reads <root>/<class>/*.jpg.
let notLeafRoot = null;
if (needsNotLeaf) {
  notLeafRoot = mkdtempSync(join(tmpdir(), 'leafcheck-verify-'));
  symlinkSync(notLeafDir, join(notLeafRoot, NOT_LEAF_CLASS), 'dir');
}
const removeNotLeafRoot = () => {
  if (!notLeafRoot) return;
  unlinkSync(join(notLeafRoot, NOT_LEAF_CLASS)); // the link only, never the photos
  rmdirSync(notLeafRoot);
  notLeafRoot = null;
};
const roots = notLeafRoot ? [dataDir, notLeafRoot] : [dataDir];
const described = needsNotLeaf ? `${dataDir} + ${notLeafDir}` : dataDir;
const fieldDir = resolve(process.env.FIELD_DIR || join(dirname(resolve(dataDir)), 'plantdoc_field'));
const checksField = results.models.some((model) => model.engine_field_images) && existsSync(fieldDir);

function evaluate(file, threads = 1, split = 'test', splitRoots = roots) {
  const output = execFileSync(
    cli,
    ['--model', file, '--threads', String(threads), '--labels-from-folders', '--split', split, '--summary-only', '--json', ...splitRoots],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 },
  );
  const json = JSON.parse(output);
  return { ...json.evaluation, arithmetic: json.arithmetic };
}

// The app ships the int8 twin of leafcheck.lcm (web/scripts/shipped-model.mjs) on the rule that its top-1
// is within 0.5 points of the f32 figures the report measured; its metadata carries those figures, which
// Settings shows. Every way the app runs it is held to that: the int8 kernels (builds with SIMD, on 1 and
// 2 threads) and, in the build without SIMD, the dequantized f32 model it stands for, which
// `leafcheck-model convert --dtype f32` (beside the CLI) writes.
const INT8_MAX_LOSS = 0.005;
function checkInt8Twin() {
  const file = join(modelDir, 'leafcheck-int8.lcm');
  const shipped = results.models.find((model) => model.file === 'leafcheck.lcm');
  if (!existsSync(file) || !shipped) return 0;
  const twinDir = mkdtempSync(join(tmpdir(), 'leafcheck-twin-'));
  const twin = join(twinDir, 'f32-twin.lcm');
  let failures = 0;
  try {
    execFileSync(join(dirname(cli), 'leafcheck-model'), ['convert', '--dtype', 'f32', file, twin], { stdio: 'ignore' });
    for (const [path, threads, arithmetic] of [[file, 1, 'int8'], [file, 2, 'int8'], [twin, 1, 'f32']]) {
      const evaluation = evaluate(path, threads);
      const loss = shipped.engine_test_top1 - evaluation.top1_accuracy;
      const ok = evaluation.arithmetic === arithmetic && evaluation.images === shipped.engine_test_images && loss <= INT8_MAX_LOSS;
      if (!ok) failures++;
      console.log(
        `${ok ? 'ok      ' : 'FAILED  '} leafcheck-int8.lcm (${evaluation.arithmetic}${path === twin ? ', its f32 twin' : ''}, ${threads} thread(s)): ` +
          `CLI top-1 ${(100 * evaluation.top1_accuracy).toFixed(2)}%, top-3 ${(100 * evaluation.top3_accuracy).toFixed(2)}% of ${evaluation.images}; ` +
          `leafcheck.lcm ${(100 * shipped.engine_test_top1).toFixed(2)}% (at most ${100 * INT8_MAX_LOSS} points less, ${arithmetic} arithmetic)`,
      );
    }
  } finally {
    rmSync(twinDir, { recursive: true, force: true });
  }
  return failures;
}

let mismatches = 0;
let int8Failures = 0;
try {
  for (const model of results.models) {
    const file = join(modelDir, model.file);
    const splits = [['test', roots, 'engine_test']];
    if (checksField && model.engine_field_images) splits.push(['field-test', [fieldDir], 'engine_field']);
    for (const [split, splitRoots, key] of splits) {
      const evaluation = evaluate(file, 1, split, splitRoots);
      const count = (fraction) => Math.round(fraction * evaluation.images);
      const expected = [model[`${key}_images`], count(model[`${key}_top1`]), count(model[`${key}_top3`])];
      const got = [evaluation.images, count(evaluation.top1_accuracy), count(evaluation.top3_accuracy)];
      const same = expected.every((value, i) => value === got[i]);
      if (!same) mismatches++;
      console.log(
        `${same ? 'ok      ' : 'MISMATCH'} ${model.file} (${model.weights}, ${split}): CLI top-1 ${got[1]}/${got[0]}, top-3 ${got[2]}/${got[0]}; report ${expected[1]}/${expected[0]}, ${expected[2]}/${expected[0]}`,
      );
    }
  }
  int8Failures = checkInt8Twin();
} finally {
  removeNotLeafRoot();
}
if (mismatches) {
  console.error(
    `${mismatches} model file(s) do not reproduce the report's figures with leafcheck-cli on ${described}: ` +
      'if the data changed since the report, re-run tools/train/run-experiment.sh; otherwise the split or preprocessing drifted',
  );
  process.exit(1);
}
if (int8Failures) {
  console.error(
    'model/leafcheck-int8.lcm loses more than 0.5 top-1 points against leafcheck.lcm: re-quantize it (model/README.md, "int8"), ' +
      'or remove it so the app ships leafcheck.lcm',
  );
  process.exit(1);
}
console.log(
  `leafcheck-cli reproduces the report for every model file (test split of ${described}; ` +
    (checksField ? `field test of ${fieldDir})` : `field figures not checked: no field crops at ${fieldDir}, set FIELD_DIR)`),
);
