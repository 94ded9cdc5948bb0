#!/usr/bin/env node
// Serves the built app (dist/) on localhost with the MIME types, caching headers and compression a
// real deployment would use, so that first-visit byte counts measured against it are honest.
// Dependency-free on purpose: `npm start` must work straight after `npm run build`.
//
//   node tools/serve.mjs [--port N] [--host H] [--root DIR] [--log] [--cross-origin-isolated]
//   PORT=N node tools/serve.mjs          (default port 8080; --port 0 picks a free one)
// --log prints one line per response: METHOD path status encoding bytes-of-body.
// --cross-origin-isolated adds COOP/COEP headers, so that pages get SharedArrayBuffer (threaded wasm).

import { createServer } from 'node:http';
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';

const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.lcm': 'application/octet-stream',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};
// PNG and JPEG are already compressed; everything else here shrinks (the model's floats by ~7-10%).
const INCOMPRESSIBLE = new Set(['.png', '.jpg', '.ico']);
// Build output names content-hashed files name.<8+ hex>.ext: they never change, so cache them for a year.
const HASHED_NAME = /\.[0-9a-f]{8,}\.[a-z0-9]+$/;

function parseArgs(argv) {
  const options = { port: process.env.PORT ?? '8080', host: '127.0.0.1', root: null, log: false, isolated: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [name, inlineValue] = arg.split('=', 2);
    const value = () => inlineValue ?? argv[++i];
    if (name === '--port') options.port = value();
    else if (name === '--host') options.host = value();
    else if (name === '--root') options.root = value();
    else if (name === '--log') options.log = true;
    else if (name === '--cross-origin-isolated') options.isolated = true;
    else if (name === '--help' || name === '-h') {
      console.log('usage: node tools/serve.mjs [--port N] [--host H] [--root DIR] [--log] [--cross-origin-isolated]');
      process.exit(0);
    } else {
      console.error(`serve: unknown argument "${arg}" (try --help)`);
      process.exit(2);
    }
  }
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`serve: port must be an integer 0-65535, got "${options.port}"`);
    process.exit(2);
  }
  options.port = port;
  return options;
}

function chooseEncoding(acceptEncoding = '') {
  const accepted = acceptEncoding.split(',').map((part) => part.trim().split(';')[0]);
  if (accepted.includes('br')) return 'br';
  if (accepted.includes('gzip')) return 'gzip';
  return 'identity';
}

const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

// Brotli's top quality costs ~15 s on the 1.8 MB model for 1 % fewer bytes, so large files get a
// fast setting; small ones (HTML, JS, CSS, JSON, the .wasm) get the best compression.
function brotliQuality(size) {
  return size <= 512 * 1024 ? 11 : 5;
}

// Compressed bodies are computed once per file version (off the event loop) and kept: the app is a
// few MB at most. Concurrent requests for the same file share one compression.
const bodyCache = new Map();

function loadBody(filePath, info, encoding) {
  const key = `${filePath}\0${info.mtimeMs}\0${info.size}\0${encoding}`;
  let body = bodyCache.get(key);
  if (!body) {
    body = readFile(filePath).then((raw) => {
      if (encoding === 'br') {
        return brotliAsync(raw, {
          params: {
            [zlibConstants.BROTLI_PARAM_QUALITY]: brotliQuality(raw.length),
            [zlibConstants.BROTLI_PARAM_SIZE_HINT]: raw.length,
          },
        });
      }
      return encoding === 'gzip' ? gzipAsync(raw, { level: 9 }) : raw;
    });
    body.catch(() => bodyCache.delete(key));
    bodyCache.set(key, body);
  }
  return body;
}

async function resolveFile(root, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  const candidate = normalize(join(root, decoded));
  if (candidate !== root && !candidate.startsWith(root + sep)) return null;
  try {
    const info = await stat(candidate);
    if (info.isDirectory()) {
      const index = join(candidate, 'index.html');
      return { filePath: index, info: await stat(index) };
    }
    return info.isFile() ? { filePath: candidate, info } : null;
  } catch {
    return null;
  }
}

const ISOLATION_HEADERS = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

function createHandler(root, log, isolated) {
  return async (request, response) => {
    const url = new URL(request.url, 'http://localhost');
    const finish = (status, encoding, bytes) => {
      if (log) console.log(`${request.method} ${url.pathname} ${status} ${encoding} ${bytes}`);
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD' }).end();
      finish(405, 'identity', 0);
      return;
    }
    const found = await resolveFile(root, url.pathname);
    if (!found) {
      const body = 'Not found\n';
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache' });
      response.end(request.method === 'HEAD' ? undefined : body);
      finish(404, 'identity', body.length);
      return;
    }
    const { filePath, info } = found;
    const ext = extname(filePath).toLowerCase();
    const encoding = INCOMPRESSIBLE.has(ext) ? 'identity' : chooseEncoding(request.headers['accept-encoding']);
    const etag = `"${createHash('sha1').update(`${info.mtimeMs}:${info.size}:${encoding}`).digest('hex').slice(0, 16)}"`;
    const headers = {
      'Content-Type': MIME_TYPES[ext] ?? 'application/octet-stream',
      // Hashed files are immutable; everything else (index.html, sw.js, unhashed modules) is revalidated
      // every time so that a deploy is seen at once. The service worker does the offline caching.
      'Cache-Control': HASHED_NAME.test(filePath) ? 'public, max-age=31536000, immutable' : 'no-cache',
      ETag: etag,
      Vary: 'Accept-Encoding',
      'X-Content-Type-Options': 'nosniff',
      ...(isolated ? ISOLATION_HEADERS : {}),
    };
    if (request.headers['if-none-match'] === etag) {
      response.writeHead(304, headers).end();
      finish(304, encoding, 0);
      return;
    }
    const body = await loadBody(filePath, info, encoding);
    if (encoding !== 'identity') headers['Content-Encoding'] = encoding;
    headers['Content-Length'] = body.length;
    response.writeHead(200, headers);
    response.end(request.method === 'HEAD' ? undefined : body);
    finish(200, encoding, request.method === 'HEAD' ? 0 : body.length);
  };
}

const options = parseArgs(process.argv.slice(2));
const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));
const root = resolve(options.root ?? join(repoRoot, 'dist'));
try {
  await stat(join(root, 'index.html'));
} catch {
  console.error(`serve: ${join(root, 'index.html')} does not exist; run "npm run build" first.`);
  process.exit(1);
}

const server = createServer(createHandler(root, options.log, options.isolated));
server.on('error', (error) => {
  console.error(`serve: cannot listen on ${options.host}:${options.port}: ${error.message}`);
  process.exit(1);
});
server.listen(options.port, options.host, () => {
  const { port } = server.address();
  const host = options.host === '127.0.0.1' || options.host === '::1' ? 'localhost' : options.host;
  console.log(`Leafcheck is being served from ${root}`);
  console.log(`Open http://${host}:${port}/`);
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
