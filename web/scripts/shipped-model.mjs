// Which model file the app ships, for build.mjs. Pure (file contents are passed in), so node tests check it.
//
// The int8 file is a quarter of the f32 weights' bytes and answers as the f32 model does (model/README.md),
// so it ships whenever it belongs to the current model. `leafcheck-model quantize` notes in its metadata the
// checksum of the file it was quantized from, which is that file's last 4 bytes (model/FORMAT.md). An int8
// file left from an older model would ship answers the model card does not describe: refused.

export class StaleInt8Model extends Error {}

function quantizedFromCrc32(int8Bytes) {
  const match = /"quantized_from_crc32":"([0-9a-f]{8})"/.exec(Buffer.from(int8Bytes).toString('latin1'));
  return match ? match[1] : null;
}

function crc32Of(modelBytes) {
  return Buffer.from(modelBytes).readUInt32LE(modelBytes.length - 4).toString(16).padStart(8, '0');
}

// f16Bytes, int8Bytes: the contents of model/leafcheck.lcm and model/leafcheck-int8.lcm, or null where
// absent. Returns 'int8', 'f16' or null (neither: the build makes an untrained test model).
export function shippedModel({ f16Bytes, int8Bytes }) {
  if (!f16Bytes) return null;
  if (!int8Bytes) return 'f16';
  const expected = crc32Of(f16Bytes);
  const found = quantizedFromCrc32(int8Bytes);
  if (found !== expected) {
    throw new StaleInt8Model(
      `model/leafcheck-int8.lcm was not quantized from model/leafcheck.lcm (checksum ${found ?? 'not noted'}, expected ${expected}): ` +
        'run build/native-release/tools/leafcheck-model quantize --calibration ../shared/data model/leafcheck.lcm model/leafcheck-int8.lcm',
    );
  }
  return 'int8';
}
