// parseLcm on a file, for node.
import { readFileSync } from 'node:fs';
import { parseLcm } from './lcm.mjs';

export { LayerKind } from './lcm.mjs';

export function readLcm(path) {
  return parseLcm(readFileSync(path), path);
}
