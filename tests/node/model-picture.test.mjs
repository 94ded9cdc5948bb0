// The sizes web/js/model-picture.js hands the engine: the engine's centre crop must come out an exact
// multiple of the model input, and a JPEG's reduced decode must leave enough pixels for its resize.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DECODE_FACTOR, MIN_FACTOR, centerCropRegion, jpegScale, jpegSize, modelDecodeSize, scaledCropRegion } from '../../web/js/model-picture.js';

test('modelDecodeSize: the shorter side of a photo becomes DECODE_FACTOR x 128; small pictures stay as they are', () => {
  assert.deepEqual(modelDecodeSize(4032, 3024, 128, 128), { width: 683, height: 512 });
  assert.deepEqual(modelDecodeSize(3024, 4032, 128, 128), { width: 512, height: 683 });
  assert.deepEqual(modelDecodeSize(1008, 756, 128, 128), { width: 683, height: 512 });
  assert.equal(modelDecodeSize(683, 512, 128, 128), null);
  assert.equal(modelDecodeSize(320, 240, 128, 128), null);
  // A non-square input: the crop has the input's aspect ratio, and its constrained side is exact.
  assert.deepEqual(modelDecodeSize(4000, 3000, 160, 120), { width: 640, height: 480 });
  assert.equal(DECODE_FACTOR * 128, 512);
});

test('jpegSize reads the start-of-frame segment after other segments; anything else is null', () => {
  const jpeg = Uint8Array.from([
    0xff, 0xd8,
    0xff, 0xe0, 0x00, 0x04, 0x4a, 0x46, // APP0, 2 bytes of payload
    0xff, 0xc4, 0x00, 0x03, 0x00, // DHT, which sits inside the SOF marker range
    0xff, 0xff, 0xc2, 0x00, 0x11, 0x08, 0x0b, 0xd0, 0x0f, 0xc0, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0, // fill byte, then progressive SOF2: 3024 x 4032
  ]);
  assert.deepEqual(jpegSize(jpeg), { width: 4032, height: 3024 });
  assert.equal(jpegSize(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0, 0, 0, 0, 0])), null);
  assert.equal(jpegSize(jpeg.subarray(0, 12)), null);
});

test('jpegScale: the smallest DCT scale that leaves the crop MIN_FACTOR x the input, in either orientation', () => {
  assert.equal(MIN_FACTOR * 128, 384);
  assert.equal(jpegScale(4032, 3024, 128, 128), 4); // 1/8 would leave 378 pixels
  assert.equal(jpegScale(8000, 6000, 128, 128), 8);
  assert.equal(jpegScale(1600, 1200, 128, 128), 2);
  assert.equal(jpegScale(1000, 750, 128, 128), null);
  assert.equal(jpegScale(6000, 400, 128, 128), null);
});

test('centerCropRegion is the engine\'s centre crop; scaledCropRegion maps it into a smaller picture', () => {
  assert.deepEqual(centerCropRegion(4032, 3024, 128, 128), { x: 504, y: 0, width: 3024, height: 3024 });
  assert.deepEqual(centerCropRegion(3024, 4032, 128, 128), { x: 0, y: 504, width: 3024, height: 3024 });
  assert.deepEqual(centerCropRegion(11, 10, 10, 10), { x: 0, y: 0, width: 10, height: 10 }, 'odd leftovers round down');
  assert.deepEqual(centerCropRegion(4000, 3000, 160, 120), { x: 0, y: 0, width: 4000, height: 3000 });
  // A 4000x2252 photo decoded at 1/4 (1000x563): its crop starts 874 / 4 = 218.5 reduced pixels in, where
  // centring a 563 square in 1000 would start at 218.
  assert.deepEqual(scaledCropRegion(4000, 2252, 1 / 4, 1 / 4, 128, 128), { x: 218.5, y: 0, width: 563, height: 563 });
  assert.deepEqual(scaledCropRegion(4032, 3024, 683 / 4032, 512 / 3024, 128, 128), {
    x: (504 * 683) / 4032,
    y: 0,
    width: (3024 * 683) / 4032,
    height: 512,
  });
});
