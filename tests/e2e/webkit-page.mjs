// WebKit for the browser tests, the engine of every iPhone browser: Debian's WebKitGTK MiniBrowser, driven
// by selenium-webdriver through WebKitWebDriver (webkit2gtk-driver), on a virtual display (xvfb-run:
// MiniBrowser has no headless mode). Classic WebDriver runs no script before the page's own, so the
// probe is installed right after each load; the served HTML is checked for inline code instead.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { Builder, By } from 'selenium-webdriver';
import { installPageProbe } from './page-probe.mjs';

const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

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
  const child = spawn('xvfb-run', ['--auto-servernum', '--server-args=-screen 0 1280x1024x24', 'WebKitWebDriver', `--port=${port}`], {
    detached: true,
    stdio: ['ignore', 'ignore', process.env.DEBUG_E2E ? 'inherit' : 'ignore'],
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
    },
  };
}

// Resolves to the page adapter that tests/e2e/main-scenario.mjs describes.
export async function launchWebKitPage() {
  const service = await startDriver();
  let driver;
  try {
    driver = await new Builder()
      .usingServer(service.url)
      .withCapabilities({ browserName: 'MiniBrowser', 'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] } })
      .build();
    await driver.manage().setTimeouts({ script: 120_000 });
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
