// How a scan's pictures are kept in IndexedDB: as bytes ({bytes: ArrayBuffer, type: MIME type}), never
// as Blobs. WebKit (every iPhone browser) refuses Blob values in IndexedDB in private sessions and at
// times on iOS ("UnknownError: Error preparing Blob/File data to be stored in object store"), so a
// record holding a Blob could not be saved there at all. The rest of the app keeps working with Blobs:
// records are encoded just before writing and decoded just after reading.
//
// Records saved before this change hold Blobs; decoding leaves those as they are, so they still read
// (a browser that stored them can read them back) and are rewritten as bytes when next updated.

// The record fields that hold pictures (see history-store.js for the whole record).
export const PICTURE_FIELDS = ['photo', 'thumbnail'];

function isStoredPicture(value) {
  return value !== null && typeof value === 'object' && value.bytes instanceof ArrayBuffer && typeof value.type === 'string';
}

// A copy of the record with every Blob picture replaced by its bytes; the record itself is not changed
// (the page keeps showing it). Async because a Blob's bytes can only be read asynchronously, so this
// must run before the IndexedDB transaction opens: one left waiting on it would commit early.
export async function encodeRecord(record) {
  const stored = { ...record };
  await Promise.all(
    PICTURE_FIELDS.map(async (field) => {
      const value = record[field];
      if (value instanceof Blob) stored[field] = { bytes: await value.arrayBuffer(), type: value.type };
    }),
  );
  return stored;
}

// A copy of the stored record with Blobs for its pictures again, whether stored as bytes or, in old
// records, as Blobs.
export function decodeRecord(stored) {
  if (!stored) return stored;
  const record = { ...stored };
  for (const field of PICTURE_FIELDS) {
    const value = stored[field];
    if (isStoredPicture(value)) record[field] = new Blob([value.bytes], { type: value.type });
  }
  return record;
}
