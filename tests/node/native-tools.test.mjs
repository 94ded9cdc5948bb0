// The benchmarks' lookup of tools built in build/y-native (tools/yardsticks/native-tools.mjs). A new
// checkout run with --no-build used to crash with "The argument 'file' must be of type string".
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { findNativeTool, requireNativeTool } from '../../tools/yardsticks/native-tools.mjs';

test('a tool is found at the top of the build tree or where the whole project puts it', (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'y-native-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(path.join(dir, 'leafcheck', 'tools'), { recursive: true });
  writeFileSync(path.join(dir, 'lcm-to-onnx'), '');
  writeFileSync(path.join(dir, 'leafcheck', 'tools', 'leafcheck-model'), '');
  assert.equal(findNativeTool(dir, 'lcm-to-onnx'), path.join(dir, 'lcm-to-onnx'));
  assert.equal(requireNativeTool(dir, 'leafcheck-model'), path.join(dir, 'leafcheck', 'tools', 'leafcheck-model'));
  assert.equal(findNativeTool(dir, 'yardstick-xnnpack'), undefined);
});

test('a required tool that is not built is named, with what builds it', () => {
  const dir = path.join(tmpdir(), 'no-such-y-native');
  assert.throws(() => requireNativeTool(dir, 'leafcheck-model'),
    { message: `leafcheck-model is not built in ${dir}: run the benchmark once without --no-build, which builds it` });
});
