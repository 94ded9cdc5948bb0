// What the app offers for installing (web/js/install.js): the browser's own prompt as a button, a
// hint in Safari on iOS (which has no prompt), nothing once installed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { installOffer, isIosSafari } from '../../web/js/install.js';

const IPHONE_SAFARI =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const IPAD_AS_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';
const IPHONE_CHROME =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1';
const IPHONE_INSTAGRAM =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 337.0.3.23.54';
const ANDROID_CHROME =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36';

test('Safari on an iPhone or an iPad (which calls itself a Mac) is iOS Safari; other iOS browsers and Android are not', () => {
  assert.equal(isIosSafari(IPHONE_SAFARI, 5), true);
  assert.equal(isIosSafari(IPAD_AS_MAC, 5), true);
  assert.equal(isIosSafari(IPAD_AS_MAC, 0), false); // a real Mac: no touch points
  assert.equal(isIosSafari(IPHONE_CHROME, 5), false);
  assert.equal(isIosSafari(IPHONE_INSTAGRAM, 5), false);
  assert.equal(isIosSafari(ANDROID_CHROME, 5), false);
});

test('the offer: the prompt as a button, else the iOS hint until dismissed, and nothing once installed', () => {
  const base = { standalone: false, iosSafari: false, promptAvailable: false, hintDismissed: false };
  assert.equal(installOffer({ ...base, promptAvailable: true }), 'button');
  assert.equal(installOffer({ ...base, iosSafari: true }), 'ios-hint');
  assert.equal(installOffer({ ...base, iosSafari: true, hintDismissed: true }), 'none');
  assert.equal(installOffer(base), 'none');
  assert.equal(installOffer({ ...base, standalone: true, promptAvailable: true }), 'none');
  assert.equal(installOffer({ ...base, standalone: true, iosSafari: true }), 'none');
});
