// Gecko for the browser tests: Debian's firefox-esr, headless, driven by puppeteer-core over WebDriver
// BiDi (no driver, no browser download). The probe is a BiDi preload script, so it hears the page from
// its first line.
import puppeteer from 'puppeteer-core';
import { installPageProbe } from './page-probe.mjs';

// Resolves to the page adapter that tests/e2e/main-scenario.mjs describes; prefs are added to the
// profile's (the live-mode test's fake camera).
export async function launchFirefoxPage({ prefs = {} } = {}) {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: '/usr/bin/firefox-esr',
    headless: true,
    // Its first start on a busy 2-core machine can pass puppeteer's default 30 s.
    timeout: 120_000,
    extraPrefsFirefox: { 'intl.accept_languages': 'en-US', 'intl.locale.requested': 'en-US', ...prefs },
  });
  const page = (await browser.pages())[0] ?? (await browser.newPage());
  // Set on the page itself: launch's defaultViewport reaches only pages opened later.
  await page.setViewport({ width: 390, height: 844 });
  await page.evaluateOnNewDocument(installPageProbe);
  const requests = [];
  page.on('request', (request) => requests.push(request.url()));
  return {
    evaluate: (fn, arg) => page.evaluate(fn, arg),
    open: async (url) => {
      await page.goto(url, { waitUntil: 'load' });
    },
    reload: async () => {
      await page.reload({ waitUntil: 'load' });
    },
    chooseFile: async (inputId, path) => {
      const input = await page.$(`#${inputId}`);
      await input.uploadFile(path);
    },
    requests: () => requests,
    close: () => browser.close(),
  };
}
