// WebKit for the browser tests, the engine of every iPhone browser: Debian's WebKitGTK MiniBrowser, driven
// by selenium-webdriver through WebKitWebDriver (webkit2gtk-driver), on a virtual display (xvfb-run:
// MiniBrowser has no headless mode). Classic WebDriver runs no script before the page's own, so the
// probe is installed right after each load; the served HTML is checked for inline code instead.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Builder, By } from 'selenium-webdriver';
import { installPageProbe } from './page-probe.mjs';

const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
const PHONE = { width: 390, height: 844 };
// MiniBrowser's toolbar keeps its window at least 447 px wide; GTK's user style sheet shrinks the
// toolbar (not the page) so that the window can be a phone's width.
const SHRINK_TOOLBAR = '* { min-width: 0; min-height: 0; padding: 0; margin: 0; border-width: 0; font-size: 1px; }\n';

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

// WebKitWebDriver on its own virtual X display, in a process group of its own so that closing ends
// xvfb-run, Xvfb, the driver and the browser together.
async function startDriver() {
  const port = await freePort();
  const config = mkdtempSync(join(tmpdir(), 'leafcheck-gtk-'));
  mkdirSync(join(config, 'gtk-3.0'));
  writeFileSync(join(config, 'gtk-3.0', 'gtk.css'), SHRINK_TOOLBAR);
  const child = spawn('xvfb-run', ['--auto-servernum', '--server-args=-screen 0 1280x1024x24', 'WebKitWebDriver', `--port=${port}`], {
    detached: true,
    stdio: ['ignore', 'ignore', process.env.DEBUG_E2E ? 'inherit' : 'ignore'],
    env: { ...process.env, XDG_CONFIG_HOME: config },
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`xvfb-run WebKitWebDriver exited with code ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/status`)).ok) break;
    } catch {
      if (Date.now() > deadline) throw new Error('WebKitWebDriver did not answer within 30 s');
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    stop: () => {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
      rmSync(config, { recursive: true, force: true });
    },
  };
}

// Resolves to the page adapter that tests/e2e/main-scenario.mjs describes; args are added to
// MiniBrowser's command line (the live-mode test's mock camera).
export async function launchWebKitPage({ args = [] } = {}) {
  const service = await startDriver();
  let driver;
  try {
    driver = await new Builder()
      .usingServer(service.url)
      .withCapabilities({ browserName: 'MiniBrowser', 'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation', ...args] } })
      .build();
    await driver.manage().setTimeouts({ script: 120_000 });
    await driver.manage().window().setRect(PHONE);
  } catch (error) {
    service.stop();
    throw error;
  }
  const evaluate = async (fn, arg = null) => {
    const { value, error } = await driver.executeAsyncScript(
      `const done = arguments[arguments.length - 1];
       Promise.resolve().then(() => (${fn})(arguments[0])).then((value) => done({ value }), (error) => done({ error: String(error?.stack ?? error) }));`,
      arg,
    );
    if (error !== undefined) throw new Error(`in WebKit: ${error}`);
    return value;
  };
  const afterLoad = () => evaluate(installPageProbe);
  return {
    evaluate,
    open: async (url) => {
      await driver.get(url);
      await afterLoad();
    },
    reload: async () => {
      await driver.navigate().refresh();
      await afterLoad();
    },
    chooseFile: async (inputId, path) => {
      // Typing a path into a file input is how WebDriver chooses a file, hidden input or not.
      await driver.findElement(By.id(inputId)).sendKeys(path);
    },
    // The driver sees no network traffic; the probe's resource timing list stands for it.
    requests: () => [],
    close: async () => {
      try {
        await driver.quit();
      } finally {
        service.stop();
      }
    },
  };
}
