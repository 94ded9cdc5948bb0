// npm run build: assembles dist/ from web/, the three WebAssembly builds, the model and the advice files,
// then builds the service worker (Workbox injectManifest). Prints what each part weighs.
//
// Inputs (environment variables override the defaults):
//   LEAFCHECK_BUILD_DIR          CMake build root (default build/)
//   LEAFCHECK_WASM_SIMD_DIR      folder with leafcheck-simd.mjs/.wasm   (default $BUILD/wasm-simd/wasm)
//   LEAFCHECK_WASM_NOSIMD_DIR    folder with leafcheck-nosimd.mjs/.wasm (default $BUILD/wasm-nosimd/wasm)
//   LEAFCHECK_WASM_THREADS_DIR   folder with leafcheck-threads.mjs/.wasm/.worker.js (default $BUILD/wasm-threads/wasm)
//   LEAFCHECK_MODEL              model file (default model/leafcheck-int8.lcm, the int8 twin of
//                                model/leafcheck.lcm, refused when it was quantized from another file;
//                                else model/leafcheck.lcm; when both are absent, an untrained test model is
//                                generated with $BUILD/native-release/tools/make-random-model and stored
//                                as f16 with leafcheck-model)
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlibConstants } from 'node:zlib';
import { getManifest, injectManifest } from 'workbox-build';
import { REQUIRED_PRECACHE, injectManifestOptions } from '../../service-worker/workbox-config.mjs';
import { allIcons } from './icons.mjs';
import { StaleInt8Model, shippedModel } from './shipped-model.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const webDir = join(repoRoot, 'web');
const distDir = join(repoRoot, 'dist');
const buildDir = resolve(repoRoot, process.env.LEAFCHECK_BUILD_DIR ?? 'build');
const LANGUAGES = ['en', 'pt', 'es'];

class BuildError extends Error {}

function contentHash(bytes) {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 12);
}

// Copies a file to dist/<folder>/<stem>.<hash><ext> and returns its dist-relative path.
function copyHashed(source, folder, stem = basename(source, extname(source))) {
  const bytes = readFileSync(source);
  const ext = extname(source);
  const name = `${stem}.${contentHash(bytes)}${ext}`;
  mkdirSync(join(distDir, folder), { recursive: true });
  writeFileSync(join(distDir, folder, name), bytes);
  return `${folder}/${name}`;
}

function requireFile(path, hint) {
  if (!existsSync(path)) throw new BuildError(`missing ${relative(repoRoot, path) || path}: ${hint}`);
  return path;
}

function engineFiles(flavour) {
  const envName = `LEAFCHECK_WASM_${flavour.toUpperCase()}_DIR`;
  const folder = resolve(repoRoot, process.env[envName] ?? join(buildDir, `wasm-${flavour}`, 'wasm'));
  const hint = `build it with: export NODE_PATH=/usr/share/nodejs; emcmake cmake --preset wasm-${flavour} && cmake --build --preset wasm-${flavour} (or set ${envName})`;
  const files = {
    module: requireFile(join(folder, `leafcheck-${flavour}.mjs`), hint),
    wasm: requireFile(join(folder, `leafcheck-${flavour}.wasm`), hint),
  };
  // Emscripten's pthreads start each Web Worker from this script.
  if (flavour === 'threads') files.worker = requireFile(join(folder, `leafcheck-${flavour}.worker.js`), hint);
  return files;
}

// Copies one build's files under engine/ with hashed names; paths relative to js/ (the worker's folder).
function copyEngine(files) {
  return Object.fromEntries(Object.entries(files).map(([kind, source]) => [kind, `../${copyHashed(source, 'engine')}`]));
}

function modelFile() {
  if (process.env.LEAFCHECK_MODEL) return requireFile(resolve(repoRoot, process.env.LEAFCHECK_MODEL), 'LEAFCHECK_MODEL points at a file that does not exist');
  const files = { f16: join(repoRoot, 'model', 'leafcheck.lcm'), int8: join(repoRoot, 'model', 'leafcheck-int8.lcm') };
  const read = (file) => (existsSync(file) ? readFileSync(file) : null);
  let choice;
  try {
    choice = shippedModel({ f16Bytes: read(files.f16), int8Bytes: read(files.int8) });
  } catch (error) {
    if (error instanceof StaleInt8Model) throw new BuildError(error.message);
    throw error;
  }
  if (choice) return files[choice];
  const tool = requireFile(
    join(buildDir, 'native-release', 'tools', 'make-random-model'),
    'no trained model (model/leafcheck.lcm) and no generator to make an untrained test model; build it with: cmake --preset native-release && cmake --build --preset native-release --target make-random-model',
  );
  const converter = requireFile(
    join(buildDir, 'native-release', 'tools', 'leafcheck-model'),
    'build it with: cmake --preset native-release && cmake --build --preset native-release --target leafcheck-model',
  );
  const f32 = join(buildDir, 'w-web', 'leafcheck-untrained-f32.lcm');
  const out = join(buildDir, 'w-web', 'leafcheck-untrained.lcm');
  mkdirSync(dirname(out), { recursive: true });
  execFileSync(tool, ['--out', f32], { stdio: 'inherit' });
  // f16 weights, like the shipped model, so the app's size is what a release weighs.
  execFileSync(converter, ['convert', '--dtype', 'f16', f32, out], { stdio: 'inherit' });
  console.log('build: no trained model in model/leafcheck.lcm; using a generated UNTRAINED test model (the app says so).');
  return out;
}

function copyWebSources() {
  cpSync(webDir, distDir, {
    recursive: true,
    // Build scripts and notes are not part of the app; advice is copied (and checked) separately.
    filter: (source) =>
      !source.startsWith(join(webDir, 'scripts')) && !source.startsWith(join(webDir, 'advice')) && source !== join(webDir, 'README.md'),
  });
}

function copyAdvice() {
  mkdirSync(join(distDir, 'advice'), { recursive: true });
  for (const language of LANGUAGES) {
    const source = join(webDir, 'advice', `${language}.json`);
    const text = readFileSync(requireFile(source, 'every language needs its advice bundle'), 'utf8');
    try {
      JSON.parse(text);
    } catch (error) {
      throw new BuildError(`web/advice/${language}.json is not valid JSON: ${error.message}`);
    }
    writeFileSync(join(distDir, 'advice', `${language}.json`), text);
  }
}

function copyWorkboxRuntime() {
  const out = join(distDir, 'workbox');
  mkdirSync(out, { recursive: true });
  for (const name of ['workbox-core', 'workbox-routing', 'workbox-strategies', 'workbox-precaching']) {
    const source = join(repoRoot, 'node_modules', name, 'build', `${name}.prod.js`);
    writeFileSync(join(out, `${name}.prod.js`), stripSourceMap(readFileSync(requireFile(source, 'run npm ci'), 'utf8')));
  }
  const windowSource = join(repoRoot, 'node_modules', 'workbox-window', 'build', 'workbox-window.prod.mjs');
  mkdirSync(join(distDir, 'js', 'vendor'), { recursive: true });
  writeFileSync(join(distDir, 'js', 'vendor', 'workbox-window.js'), stripSourceMap(readFileSync(requireFile(windowSource, 'run npm ci'), 'utf8')));
}

// The maps are not shipped, so the references would only produce 404s in developer tools.
function stripSourceMap(code) {
  return code.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
}

function writeIcons() {
  mkdirSync(join(distDir, 'icons'), { recursive: true });
  for (const [name, bytes] of Object.entries(allIcons())) writeFileSync(join(distDir, 'icons', name), bytes);
}

function walk(folder) {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(folder, entry.name)) : [join(folder, entry.name)],
  );
}

// The same settings as tools/serve.mjs: quality 11, or 5 for files over 512 KiB (the model).
function brotliSize(path) {
  const raw = readFileSync(path);
  return brotliCompressSync(raw, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: raw.length <= 512 * 1024 ? 11 : 5 } }).length;
}

function printWeights(precachedUrls) {
  const groups = new Map();
  const groupOf = (path) => {
    if (path.startsWith('model/')) return 'model';
    if (path.includes('leafcheck-threads')) return 'engine (SIMD + threads)';
    if (path.includes('leafcheck-simd')) return 'engine (SIMD)';
    if (path.includes('leafcheck-nosimd')) return 'engine (no SIMD)';
    if (path.startsWith('workbox/') || path === 'sw.js') return 'service worker + Workbox';
    if (path.startsWith('advice/') || path.startsWith('i18n/')) return 'language bundles';
    if (path.startsWith('icons/')) return 'icons';
    return 'app shell (HTML, CSS, JS)';
  };
  const firstVisit = new Set([...precachedUrls, 'sw.js', ...walk(join(distDir, 'workbox')).map((p) => relative(distDir, p))]);
  for (const path of firstVisit) {
    const full = join(distDir, path);
    const group = groups.get(groupOf(path)) ?? { files: 0, raw: 0, brotli: 0 };
    group.files += 1;
    group.raw += statSync(full).size;
    group.brotli += extname(path) === '.png' ? statSync(full).size : brotliSize(full);
    groups.set(groupOf(path), group);
  }
  const rows = [...groups.entries()].sort((a, b) => b[1].brotli - a[1].brotli);
  // The service worker stores only the engine builds the browser can run (service-worker/sw.js).
  const totalWithout = (skipped) =>
    rows
      .filter(([name]) => !skipped.includes(name))
      .reduce((sum, [, g]) => ({ files: sum.files + g.files, raw: sum.raw + g.raw, brotli: sum.brotli + g.brotli }), { files: 0, raw: 0, brotli: 0 });
  const totals = [
    ['total, browser with SIMD128', totalWithout(['engine (no SIMD)'])],
    ['total, browser without it', totalWithout(['engine (SIMD + threads)', 'engine (SIMD)'])],
  ];
  const kb = (n) => `${(n / 1024).toFixed(1)} KiB`.padStart(12);
  console.log('\nbuild: first-visit payload (what the service worker stores; brotli as served by tools/serve.mjs)');
  console.log(`${'part'.padEnd(28)}${'files'.padStart(6)}${'raw'.padStart(12)}${'brotli'.padStart(12)}`);
  for (const [name, g] of [...rows, ...totals]) console.log(`${name.padEnd(28)}${String(g.files).padStart(6)}${kb(g.raw)}${kb(g.brotli)}`);
}

async function main() {
  const packageJson = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  const sources = { threads: engineFiles('threads'), simd: engineFiles('simd'), nosimd: engineFiles('nosimd') };
  const model = modelFile();

  rmSync(distDir, { recursive: true, force: true });
  mkdirSync(distDir, { recursive: true });
  copyWebSources();
  copyAdvice();
  copyWorkboxRuntime();
  writeIcons();

  const engines = Object.fromEntries(Object.entries(sources).map(([flavour, files]) => [flavour, copyEngine(files)]));
  const modelPath = copyHashed(model, 'model', 'leafcheck');
  // The release id covers every file, so two builds of the same sources get the same version string.
  const releaseHash = createHash('sha256');
  for (const file of walk(distDir).sort()) releaseHash.update(relative(distDir, file)).update(readFileSync(file));
  const version = `${packageJson.version}+${releaseHash.digest('hex').slice(0, 8)}`;
  // Paths are relative to js/, where the page module and the inference worker live.
  const buildInfo = {
    version,
    engines,
    model: { url: `../${modelPath}`, bytes: statSync(join(distDir, modelPath)).size },
  };
  writeFileSync(
    join(distDir, 'js', 'build-info.js'),
    `// Generated by web/scripts/build.mjs: the engine and model files of this release.\nexport default ${JSON.stringify(buildInfo, null, 2)};\n`,
  );

  const options = injectManifestOptions(repoRoot, distDir);
  const { swSrc, swDest, ...manifestOptions } = options;
  // The same options give the same manifest: check it before writing the service worker.
  const { manifestEntries, warnings } = await getManifest(manifestOptions);
  for (const warning of warnings) console.warn(`build: workbox: ${warning}`);
  const urls = manifestEntries.map((entry) => entry.url);
  const missing = REQUIRED_PRECACHE.filter((pattern) => !urls.some((url) => pattern.test(url)));
  if (missing.length) {
    throw new BuildError(`the precache manifest lacks ${missing.join(', ')}: raise MAXIMUM_FILE_SIZE in service-worker/workbox-config.mjs or fix the globs`);
  }
  const { count, size } = await injectManifest(options);
  console.log(`build: dist/ ready, version ${version}; service worker precaches ${count} files, ${(size / 1024).toFixed(1)} KiB`);
  printWeights(urls);
}

try {
  await main();
} catch (error) {
  console.error(`build failed: ${error instanceof BuildError ? error.message : error.stack}`);
  process.exit(1);
}
