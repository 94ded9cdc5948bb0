// Re-evaluates every model file of a finished experiment with leafcheck-cli on the test split and
// checks it prints the figures of the report's Files table (results.json): the CLI, which shares
// the split and preprocessing code with training, must reproduce the report. Exit 1 on a mismatch.
//
//   node tools/train/verify-models.mjs CLI MODEL_DIR [DATA_DIR]
//
// DATA_DIR defaults to $LEAFCHECK_DATA_DIR/plantvillage, else ../shared/data/plantvillage next to
// the repository; when it is absent the check is skipped with exit status 77 (CTest's skip code).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SKIPPED = 77;
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const [cli, modelDir, dataArg] = process.argv.slice(2);
if (!cli || !modelDir) {
  console.error('usage: node tools/train/verify-models.mjs CLI MODEL_DIR [DATA_DIR]');
  process.exit(2);
}
const dataDir =
  dataArg ?? join(process.env.LEAFCHECK_DATA_DIR ?? join(repoRoot, '..', 'shared', 'data'), 'plantvillage');
if (!existsSync(dataDir)) {
  console.log(`skipped: no PlantVillage data at ${dataDir} (set LEAFCHECK_DATA_DIR to the folder holding plantvillage/)`);
  process.exit(SKIPPED);
}

const results = JSON.parse(readFileSync(join(modelDir, 'results.json'), 'utf8'));
let mismatches = 0;
for (const model of results.models) {
  const file = join(modelDir, model.file);
  const output = execFileSync(cli, ['--model', file, '--labels-from-folders', '--split', 'test', '--summary-only', '--json', dataDir], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 << 20,
  });
  const evaluation = JSON.parse(output).evaluation;
  const count = (fraction) => Math.round(fraction * evaluation.images);
  const expected = [model.engine_test_images, count(model.engine_test_top1), count(model.engine_test_top3)];
  const got = [evaluation.images, count(evaluation.top1_accuracy), count(evaluation.top3_accuracy)];
  const same = expected.every((value, i) => value === got[i]);
  if (!same) mismatches++;
  console.log(
    `${same ? 'ok      ' : 'MISMATCH'} ${model.file} (${model.weights}): CLI top-1 ${got[1]}/${got[0]}, top-3 ${got[2]}/${got[0]}; report ${expected[1]}/${expected[0]}, ${expected[2]}/${expected[0]}`,
  );
}
if (mismatches) {
  console.error(
    `${mismatches} model file(s) do not reproduce the report's figures with leafcheck-cli on ${dataDir}: ` +
      'if the data changed since the report, re-run tools/train/run-experiment.sh; otherwise the split or preprocessing drifted',
  );
  process.exit(1);
}
console.log('leafcheck-cli reproduces the report for every model file');
