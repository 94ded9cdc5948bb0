// Helpers for the browser tests: the static server, Debian's Chromium through playwright-core, test images.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { encodePng } from '../../web/scripts/icons.mjs';

export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const artifactsDir = join(repoRoot, 'test-artifacts');

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

// Launches Chromium on a new, empty profile directory (deleted by close()). A persistent profile, not
// an incognito context, because Chromium reports incognito pages as not installable.
export async function launchChromium(options = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'leafcheck-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    ...options,
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

// The phone the browser tests are run as, for launchChromium.
export const PHONE = { viewport: { width: 390, height: 844 }, locale: 'en-US' };

// The site at `root` (dist/ by default) served and a phone-sized Chromium (`browserOptions` added to its
// launch options); resolves to {server, browser, close()}.
export async function servePhone(root, browserOptions = {}) {
  const server = await startServer(root);
  try {
    const browser = await launchChromium({ ...PHONE, ...browserOptions });
    return {
      server,
      browser,
      close: async () => {
        await browser.close();
        await server.stop();
      },
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

// For tests that change the site they serve: a private copy of dist/, changed by prepare(site) (which
// may be async); resolves to {site, remove()}.
export async function copyOfDist(prefix, prepare = () => {}) {
  const site = mkdtempSync(join(tmpdir(), prefix));
  const remove = () => rmSync(site, { recursive: true, force: true });
  try {
    cpSync(join(repoRoot, 'dist'), site, { recursive: true });
    await prepare(site);
    return { site, remove };
  } catch (error) {
    remove();
    throw error;
  }
}

// copyOfDist() served to a phone-sized Chromium (servePhone); resolves to {site, server, browser, close()}.
export async function serveCopyOfDist(prefix, prepare = () => {}, browserOptions = {}) {
  const { site, remove } = await copyOfDist(prefix, prepare);
  try {
    const phone = await servePhone(site, browserOptions);
    return {
      ...phone,
      site,
      close: async () => {
        await phone.close();
        remove();
      },
    };
  } catch (error) {
    remove();
    throw error;
  }
}

// An untrained model file (tools/make-random-model) with these labels, whose final-layer bias ranks
// the favour labels first, second, ... for every photo: a deterministic answer for the browser tests.
export function makeFavouredModel(labels, favour) {
  const tool = join(repoRoot, 'build', 'native-release', 'tools', 'make-random-model');
  if (!existsSync(tool)) throw new Error(`${tool} is missing: build the native-release preset first`);
  const dir = mkdtempSync(join(tmpdir(), 'leafcheck-model-'));
  try {
    writeFileSync(join(dir, 'labels.txt'), `${labels.join('\n')}\n`);
    execFileSync(tool, ['--out', join(dir, 'model.lcm'), '--labels', join(dir, 'labels.txt'), ...favour.flatMap((label) => ['--favour', label])]);
    return readFileSync(join(dir, 'model.lcm'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// How many classes the shown result must list: three, or none when it says "This does not look like a
// leaf" (a model with the Background_without_leaves class may say so about a synthetic picture).
export async function expectedMatchCount(page) {
  return (await page.locator('#result').getAttribute('data-kind')) === 'not-leaf' ? 0 : 3;
}

// Starts tools/serve.mjs on a free port with its request log on (and `args`, e.g. --cross-origin-isolated);
// resolves to {url, log: [{method, path, status, encoding, bytes}], stop()}.
export function startServer(root = join(repoRoot, 'dist'), args = []) {
  if (!existsSync(join(root, 'index.html'))) {
    throw new Error(`${root} is not built: run "npm run build" before the browser tests`);
  }
  const child = spawn(process.execPath, [join(repoRoot, 'tools', 'serve.mjs'), '--port', '0', '--log', '--root', root, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const log = [];
  return new Promise((resolvePromise, reject) => {
    let buffer = '';
    let url = null;
    child.on('exit', (code) => {
      if (!url) reject(new Error(`tools/serve.mjs exited with code ${code} before listening`));
    });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop();
      for (const line of lines) {
        const open = line.match(/Open (http:\/\/\S+)/);
        if (open && !url) {
          url = open[1];
          resolvePromise({
            url,
            log,
            stop: () =>
              new Promise((done) => {
                if (child.exitCode !== null) return done();
                child.once('exit', () => done());
                child.kill('SIGTERM');
              }),
          });
          continue;
        }
        const request = line.match(/^(GET|HEAD) (\S+) (\d+) (\S+) (\d+)$/);
        if (request) {
          log.push({ method: request[1], path: request[2], status: Number(request[3]), encoding: request[4], bytes: Number(request[5]) });
        }
      }
    });
  });
}

// A real PlantVillage photo when the shared data folder exists; otherwise null.
export function findLeafPhoto() {
  const candidates = [];
  if (process.env.LEAFCHECK_DATA_DIR) {
    const dir = resolve(process.env.LEAFCHECK_DATA_DIR);
    candidates.push(join(dir, 'plantvillage'), dir);
  }
  candidates.push(resolve(repoRoot, '..', 'shared', 'data', 'plantvillage'));
  for (const root of candidates) {
    if (!existsSync(root)) continue;
    const classes = readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    for (const name of classes) {
      const photo = readdirSync(join(root, name)).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort()[0];
      if (photo) return { path: join(root, name, photo), label: name };
    }
  }
  return null;
}

// A generated 256x256 PNG of a green, brown-spotted leaf on a grey background (when no data folder).
export function generatedLeafPng() {
  return encodePng(256, 256, generatedLeafRgba(256));
}

// The pixels of that leaf, RGBA, size x size.
export function generatedLeafRgba(size) {
  const rgba = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const u = (x - size / 2) / (size * 0.42);
      const v = (y - size / 2) / (size * 0.26);
      const inLeaf = u * u + v * v < 1;
      const spot = inLeaf && ((x * 7 + y * 13) % 97 < 6);
      const colour = !inLeaf ? [150, 150, 146] : spot ? [110, 70, 30] : [60 + (y % 20), 140 + (x % 30), 50];
      rgba.set([...colour, 255], (y * size + x) * 4);
    }
  }
  return rgba;
}

// Chromium's fake camera showing the generated leaf (a Y4M file written to a new temp folder, which
// the caller removes): the launch args for it and that folder. The leaf drifts a few pixels from
// frame to frame, so the preview changes like a held phone's.
export function fakeLeafCamera(size = 256, frames = 8) {
  const dir = mkdtempSync(join(tmpdir(), 'leafcheck-camera-'));
  const path = join(dir, 'leaf.y4m');
  const leaf = generatedLeafRgba(size);
  const chunks = [Buffer.from(`YUV4MPEG2 W${size} H${size} F30:1 Ip A1:1 C420jpeg\n`)];
  for (let f = 0; f < frames; f++) {
    const shift = f % 4;
    const y = Buffer.alloc(size * size);
    const u = Buffer.alloc((size / 2) * (size / 2));
    const v = Buffer.alloc((size / 2) * (size / 2));
    const at = (px, py) => ((py * size + Math.min(size - 1, px + shift)) * 4);
    for (let py = 0; py < size; py++) {
      for (let px = 0; px < size; px++) {
        const i = at(px, py);
        y[py * size + px] = Math.round(0.299 * leaf[i] + 0.587 * leaf[i + 1] + 0.114 * leaf[i + 2]);
      }
    }
    for (let py = 0; py < size; py += 2) {
      for (let px = 0; px < size; px += 2) {
        const i = at(px, py);
        const [r, g, b] = [leaf[i], leaf[i + 1], leaf[i + 2]];
        u[(py / 2) * (size / 2) + px / 2] = Math.round(128 - 0.168736 * r - 0.331264 * g + 0.5 * b);
        v[(py / 2) * (size / 2) + px / 2] = Math.round(128 + 0.5 * r - 0.418688 * g - 0.081312 * b);
      }
    }
    chunks.push(Buffer.from('FRAME\n'), y, u, v);
  }
  writeFileSync(path, Buffer.concat(chunks));
  return {
    dir,
    args: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${path}`],
  };
}

// Counts the page's classify-frame requests to the inference worker and their answers, the overlay's
// updates (live-view.js fires one event per classified frame) and the verdicts they showed, in
// window.leafcheckLiveProbe {sent, answered, inFlight, maxInFlight, updates, kinds: {kind: count}}.
// It patches prototypes, so it watches the worker the app creates without the app's help, even one
// created before it was installed (classic WebDriver, as for WebKit, can only run it after the page's
// own scripts). An answer counts when the app reads it (MessageEvent's data): a listener of the
// probe's would run after the app's, which was added first and may already have sent the next frame.
export function installLiveProbe() {
  const probe = { sent: 0, answered: 0, inFlight: 0, maxInFlight: 0, updates: 0, kinds: {} };
  window.leafcheckLiveProbe = probe;
  const frames = new Set();
  const send = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (message, ...rest) {
    if (message?.type === 'classify-frame') {
      frames.add(message.id);
      probe.sent += 1;
      probe.inFlight += 1;
      probe.maxInFlight = Math.max(probe.maxInFlight, probe.inFlight);
    }
    return send.call(this, message, ...rest);
  };
  const data = Object.getOwnPropertyDescriptor(MessageEvent.prototype, 'data');
  Object.defineProperty(MessageEvent.prototype, 'data', {
    ...data,
    get() {
      const value = data.get.call(this);
      if (this.target instanceof Worker && frames.delete(value?.id)) {
        probe.inFlight -= 1;
        probe.answered += 1;
      }
      return value;
    },
  });
  document.addEventListener('leafcheck:live-frame', ({ detail }) => {
    probe.updates += 1;
    probe.kinds[detail.kind] = (probe.kinds[detail.kind] ?? 0) + 1;
  });
}

// A generated 200x150 PNG of blue sky and grey concrete: nothing leaf-coloured in it.
export function generatedNonLeafPng() {
  const width = 200;
  const height = 150;
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const colour = y < height / 2 ? [90, 150, 230 - y] : [128 + (x % 9), 128 + (x % 9), 125];
      rgba.set([...colour, 255], (y * width + x) * 4);
    }
  }
  return encodePng(width, height, rgba);
}

// A flat grey PNG of any size: a few hundred kB even at 40+ megapixels.
export function generatedFlatPng(width, height) {
  return encodePng(width, height, new Uint8Array(width * height * 4).fill(128));
}
