// Which model file the build ships (web/scripts/shipped-model.mjs): the int8 twin only when it was
// quantized from the current model.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { StaleInt8Model, shippedModel } from '../../web/scripts/shipped-model.mjs';

// A stand-in model file: only its last 4 bytes (the checksum) matter here.
const modelEndingIn = (crc32) => {
  const bytes = Buffer.alloc(16);
  bytes.writeUInt32LE(crc32, 12);
  return bytes;
};
const int8From = (crc32Hex) => Buffer.from(`LCM1...{"weights":"int8","quantized_from_crc32":"${crc32Hex}"}...`, 'latin1');

test('the int8 file ships when it was quantized from the f16 file', () => {
  assert.equal(shippedModel({ f16Bytes: modelEndingIn(0x0cd8a581), int8Bytes: int8From('0cd8a581') }), 'int8');
  assert.equal(shippedModel({ f16Bytes: modelEndingIn(0x5), int8Bytes: int8From('00000005') }), 'int8');
});

test('an int8 file from another model stops the build with the command that remakes it', () => {
  assert.throws(
    () => shippedModel({ f16Bytes: modelEndingIn(0x12345678), int8Bytes: int8From('0cd8a581') }),
    (error) => error instanceof StaleInt8Model && /checksum 0cd8a581, expected 12345678/.test(error.message) && /leafcheck-model quantize/.test(error.message),
  );
  assert.throws(() => shippedModel({ f16Bytes: modelEndingIn(1), int8Bytes: Buffer.from('{"weights":"int8"}') }), /checksum not noted/);
});

test('without an int8 file the f16 file ships; without either, nothing (the build makes an untrained model)', () => {
  assert.equal(shippedModel({ f16Bytes: modelEndingIn(1), int8Bytes: null }), 'f16');
  assert.equal(shippedModel({ f16Bytes: null, int8Bytes: null }), null);
});

test('the committed int8 model is the twin of the committed model', () => {
  const model = (name) => readFileSync(new URL(`../../model/${name}`, import.meta.url));
  assert.equal(shippedModel({ f16Bytes: model('leafcheck.lcm'), int8Bytes: model('leafcheck-int8.lcm') }), 'int8');
});
