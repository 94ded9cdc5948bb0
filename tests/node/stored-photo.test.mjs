// How scan records are kept in IndexedDB (web/js/stored-photo.js): pictures as bytes plus MIME type,
// never Blobs, because iPhone browsers refuse Blob values in IndexedDB; old records with Blobs still read.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PICTURE_FIELDS, decodeRecord, encodeRecord } from '../../web/js/stored-photo.js';

const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);
const THUMB = new Uint8Array([0xff, 0xd8, 9, 8, 7, 0xff, 0xd9]);

function scan(overrides = {}) {
  return {
    createdAt: 1_700_000_000_000,
    photo: new Blob([JPEG], { type: 'image/jpeg' }),
    thumbnail: new Blob([THUMB], { type: 'image/jpeg' }),
    top: [{ label: 'Tomato___Late_blight', probability: 0.91 }],
    unsure: false,
    reason: null,
    location: { latitude: -22.9, longitude: -47.06, accuracy: 12 },
    note: 'north field',
    model: { name: 'leafcheck', version: '2', trained: true },
    ...overrides,
  };
}

// Every Blob anywhere in a value: what IndexedDB would be asked to store.
function blobsIn(value, path = 'record') {
  if (value instanceof Blob) return [path];
  if (value === null || typeof value !== 'object' || value instanceof ArrayBuffer) return [];
  return Object.entries(value).flatMap(([key, inner]) => blobsIn(inner, `${path}.${key}`));
}

async function bytesOf(blob) {
  return new Uint8Array(await blob.arrayBuffer());
}

test('the record pictures are the photo and the thumbnail', () => {
  assert.deepEqual(PICTURE_FIELDS, ['photo', 'thumbnail']);
});

test('an encoded record holds no Blob: each picture is an ArrayBuffer of its bytes and its MIME type', async () => {
  const stored = await encodeRecord(scan());
  assert.deepEqual(blobsIn(stored), []);
  for (const [field, bytes] of [['photo', JPEG], ['thumbnail', THUMB]]) {
    assert.ok(stored[field].bytes instanceof ArrayBuffer, `${field}.bytes is an ArrayBuffer`);
    assert.deepEqual(new Uint8Array(stored[field].bytes), bytes);
    assert.equal(stored[field].type, 'image/jpeg');
  }
  // IndexedDB stores values by structured clone: the encoded record must survive one unchanged.
  assert.deepEqual(new Uint8Array(structuredClone(stored).photo.bytes), JPEG);
});

test('encoding keeps every other field and does not change the record the page still shows', async () => {
  const record = scan();
  const { photo, thumbnail } = record;
  const stored = await encodeRecord(record);
  const { photo: _p, thumbnail: _t, ...rest } = stored;
  const { photo: _p2, thumbnail: _t2, ...expected } = scan();
  assert.deepEqual(rest, expected);
  assert.equal(record.photo, photo);
  assert.equal(record.thumbnail, thumbnail);
});

test('a missing thumbnail stays missing; a gallery File (a Blob) is stored as bytes with its type', async () => {
  const file = new File([JPEG], 'leaf.png', { type: 'image/png' });
  const stored = await encodeRecord(scan({ photo: file, thumbnail: null }));
  assert.equal(stored.thumbnail, null);
  assert.deepEqual({ bytes: new Uint8Array(stored.photo.bytes), type: stored.photo.type }, { bytes: JPEG, type: 'image/png' });
  assert.equal(decodeRecord(stored).thumbnail, null);
});

test('decoding gives Blobs back with the same bytes and type', async () => {
  const record = decodeRecord(structuredClone(await encodeRecord(scan())));
  assert.ok(record.photo instanceof Blob);
  assert.ok(record.thumbnail instanceof Blob);
  assert.equal(record.photo.type, 'image/jpeg');
  assert.deepEqual(await bytesOf(record.photo), JPEG);
  assert.deepEqual(await bytesOf(record.thumbnail), THUMB);
  assert.equal(record.note, 'north field');
});

test('an old record that holds Blobs reads as it is, and is stored as bytes when written again', async () => {
  const old = { id: 7, ...scan() };
  const record = decodeRecord(old);
  assert.equal(record.photo, old.photo);
  assert.equal(record.thumbnail, old.thumbnail);
  assert.equal(record.id, 7);
  const rewritten = await encodeRecord({ ...record, note: 'changed' });
  assert.deepEqual(blobsIn(rewritten), []);
  assert.equal(rewritten.id, 7);
  assert.deepEqual(new Uint8Array(rewritten.photo.bytes), JPEG);
});

test('nothing stored (a missing record) decodes to nothing', () => {
  assert.equal(decodeRecord(undefined), undefined);
});
