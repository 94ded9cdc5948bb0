// What the history keeps in IndexedDB: pictures as bytes (ArrayBuffer + MIME type), never Blobs, because
// WebKit (every iPhone browser) refuses Blob values there ("Error preparing Blob/File data to be stored
// in object store"). Chromium accepts Blobs, so the test makes it refuse them the way WebKit does, and
// reads the stored record directly. Records saved by earlier versions hold Blobs and must still show.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generatedLeafPng, launchChromium, repoRoot, startServer } from './support.mjs';

const en = JSON.parse(readFileSync(join(repoRoot, 'web', 'i18n', 'en.json'), 'utf8'));

const READY_TIMEOUT = 120_000;
const RESULT_TIMEOUT = 60_000;
// The database the app opens (web/js/history-store.js).
const DB = { name: 'leafcheck', version: 1, store: 'scans' };
const OLD_NOTE = 'saved by an earlier version';

// Every stored record as {id, note, photo, thumbnail}, each picture described as 'Blob',
// {bytes: byteLength, type} or null: read straight from IndexedDB, not through the app.
function storedRecords(page) {
  return page.evaluate(
    (db) =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open(db.name, db.version);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const request = open.result.transaction(db.store).objectStore(db.store).getAll();
          const describe = (value) =>
            value instanceof Blob ? 'Blob' : value?.bytes instanceof ArrayBuffer ? { bytes: value.bytes.byteLength, type: value.type } : value ?? null;
          request.onerror = () => reject(request.error);
          request.onsuccess = () => {
            open.result.close();
            resolve(request.result.map((r) => ({ id: r.id, note: r.note, photo: describe(r.photo), thumbnail: describe(r.thumbnail) })));
          };
        };
      }),
    DB,
  );
}

// The app says "saved" once the note's update() has finished (or failed: then #scan-error shows).
function noteSaved(page) {
  return page.waitForFunction((text) => document.getElementById('scan-status').textContent === text, en.noteSaved);
}

// Whether an <img> shows a decoded picture; resolves to its natural width.
async function shownWidth(img) {
  await img.evaluate((node) => (node.complete ? null : new Promise((done) => node.addEventListener('load', done, { once: true }))));
  return img.evaluate((node) => node.naturalWidth);
}

describe('history storage', () => {
  let server;
  let browser;
  let page;
  const pageErrors = [];

  before(async () => {
    server = await startServer();
    browser = await launchChromium({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    await page.goto(server.url);
    await page.locator('#offline-pill[data-state="ready"]').waitFor({ timeout: READY_TIMEOUT });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('a scan is saved even where Blobs are refused; its record holds bytes and its photo shows', async () => {
    // WebKit's refusal, in Chromium: any record with a Blob field fails with WebKit's error.
    await page.evaluate(() => {
      for (const method of ['add', 'put']) {
        const real = IDBObjectStore.prototype[method];
        IDBObjectStore.prototype[method] = function (value, ...rest) {
          if (Object.values(value ?? {}).some((field) => field instanceof Blob)) {
            throw new DOMException('Error preparing Blob/File data to be stored in object store', 'UnknownError');
          }
          return real.call(this, value, ...rest);
        };
      }
    });
    await page.locator('#input-gallery').setInputFiles({ name: 'leaf.png', mimeType: 'image/png', buffer: generatedLeafPng() });
    await page.locator('#result').waitFor({ state: 'visible', timeout: RESULT_TIMEOUT });
    await page.waitForFunction(() => document.querySelectorAll('#history-list > li').length === 1);
    assert.ok(await page.locator('#scan-error').isHidden(), 'no "could not be saved" message');
    // A note saved afterwards goes through update(): still no Blob stored.
    await page.locator('#result-note').fill('east field');
    await page.locator('#result-save-note').click();
    await noteSaved(page);
    assert.ok(await page.locator('#scan-error').isHidden(), 'the note was saved');

    const [record] = await storedRecords(page);
    assert.equal(record.note, 'east field');
    assert.equal(record.photo.type, 'image/jpeg');
    assert.ok(record.photo.bytes > 0, 'the photo is stored as a non-empty ArrayBuffer');
    assert.equal(record.thumbnail.type, 'image/jpeg');
    assert.ok(record.thumbnail.bytes > 0, 'the thumbnail is stored as a non-empty ArrayBuffer');

    await page.reload();
    await page.goto(`${server.url}#history`);
    const row = page.locator('#history-list > li').first();
    await row.waitFor();
    assert.equal(await shownWidth(row.locator('img')), 160, 'the thumbnail shows in the history');
    await row.getByRole('button', { name: /^Open/ }).click();
    assert.ok((await shownWidth(page.locator('#result-photo'))) > 0, 'the photo shows when the scan is opened');
  });

  test('a record an earlier version saved with Blobs is listed, its pictures show, and it exports', async () => {
    // Written the way the app wrote records before: Blob photo and thumbnail, same database and store.
    await page.evaluate(
      ({ db, note }) =>
        new Promise((resolve, reject) => {
          const jpeg = async (width, height) => {
            const canvas = new OffscreenCanvas(width, height);
            const context = canvas.getContext('2d');
            context.fillStyle = '#3a8f3a';
            context.fillRect(0, 0, width, height);
            return canvas.convertToBlob({ type: 'image/jpeg' });
          };
          Promise.all([jpeg(64, 48), jpeg(40, 40)]).then(([photo, thumbnail]) => {
            const open = indexedDB.open(db.name, db.version);
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
              const transaction = open.result.transaction(db.store, 'readwrite');
              transaction.objectStore(db.store).add({
                createdAt: Date.now() - 86_400_000,
                photo,
                thumbnail,
                top: [{ label: 'Tomato___Late_blight', probability: 0.93 }, { label: 'Tomato___Early_blight', probability: 0.04 }, { label: 'Tomato___healthy', probability: 0.01 }],
                unsure: false,
                reason: null,
                location: null,
                note,
                model: { name: 'leafcheck', version: 'old', trained: true },
              });
              transaction.oncomplete = () => {
                open.result.close();
                resolve();
              };
              transaction.onerror = () => reject(transaction.error);
            };
          }, reject);
        }),
      { db: DB, note: OLD_NOTE },
    );
    assert.deepEqual((await storedRecords(page)).map((r) => r.photo === 'Blob'), [false, true], 'one new record, one old one');

    await page.reload();
    await page.goto(`${server.url}#history`);
    await page.waitForFunction(() => document.querySelectorAll('#history-list > li').length === 2);
    const row = page.locator('#history-list > li', { hasText: OLD_NOTE });
    assert.match(await row.textContent(), /Tomato/);
    assert.equal(await shownWidth(row.locator('img')), 40, 'the old thumbnail shows');

    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#history-export').click()]);
    const csv = readFileSync(await download.path(), 'utf8').replace(/^\ufeff/, '').trim().split('\r\n');
    assert.equal(csv.length, 3, 'header and both scans');
    assert.ok(csv[2].includes(OLD_NOTE), csv[2]);

    await row.getByRole('button', { name: /^Open/ }).click();
    assert.equal(await shownWidth(page.locator('#result-photo')), 64, 'the old photo shows when opened');
    // Saving a note on it rewrites it without Blobs.
    await page.locator('#result-note').fill('rewritten');
    await page.locator('#result-save-note').click();
    await noteSaved(page);
    const rewritten = (await storedRecords(page)).find((r) => r.note === 'rewritten');
    assert.deepEqual(rewritten.photo.type, 'image/jpeg');
    assert.ok(rewritten.photo.bytes > 0 && rewritten.thumbnail.bytes > 0, 'the old record now holds bytes');

    await page.goto(`${server.url}#history`);
    await page.locator('#history-list > li', { hasText: 'rewritten' }).getByRole('button', { name: /^Delete/ }).click();
    await page.waitForFunction(() => document.querySelectorAll('#history-list > li').length === 1);
    assert.equal((await storedRecords(page)).length, 1);
  });

  test('the page logged no errors', () => {
    assert.deepEqual(pageErrors, []);
  });
});
