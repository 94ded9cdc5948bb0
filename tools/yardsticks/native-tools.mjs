// Finds a tool built in build/y-native. Standalone, the targets sit at the top of the build tree; once
// tools/CMakeLists.txt includes yardsticks/, the project defines them under leafcheck/tools[/yardsticks].
import { existsSync } from 'node:fs';
import path from 'node:path';

export function findNativeTool(nativeDir, name) {
  return ['.', 'leafcheck/tools/yardsticks', 'leafcheck/tools'].map((d) => path.join(nativeDir, d, name)).find((p) => existsSync(p));
}

// For the tools a benchmark cannot run without: a missing one (a new checkout run with --no-build) is
// named, with what builds it.
export function requireNativeTool(nativeDir, name) {
  const found = findNativeTool(nativeDir, name);
  if (!found) throw new Error(`${name} is not built in ${nativeDir}: run the benchmark once without --no-build, which builds it`);
  return found;
}
