// Reads a Leafcheck model file (.lcm, model/FORMAT.md) for the JavaScript yardsticks, which build
// the network from its weights, in node and in the browser (browser-bench.mjs): no node imports.
// Trusting reader: the files come from make-random-model or training, and compare.mjs checks every
// engine's logits against leafcheck::Network's, which validates fully.
const MAGIC = 'LEAFCHK\0';
export const LayerKind = Object.freeze({ Conv3x3: 1, MaxPool2x2: 2, GlobalAvgPool: 3, Linear: 4, Relu: 5 });

// bytes: a Uint8Array of the file; path only names it in errors.
export function parseLcm(bytes, path = 'model') {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const u8 = () => view.getUint8(at++);
  const u16 = () => { const v = view.getUint16(at, true); at += 2; return v; };
  const u32 = () => { const v = view.getUint32(at, true); at += 4; return v; };
  const f32s = (n) => {
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++, at += 4) values[i] = view.getFloat32(at, true);
    return values;
  };
  const text = (n) => { const s = new TextDecoder().decode(bytes.subarray(at, at + n)); at += n; return s; };
  const tensor = () => {
    const dtype = u8();
    if (dtype !== 1) throw new Error(`${path}: only f32 tensors are supported, found dtype ${dtype}`);
    const shape = Array.from({ length: u8() }, u32);
    return { shape, data: f32s(shape.reduce((a, b) => a * b, 1)) };
  };

  if (text(8) !== MAGIC) throw new Error(`${path} is not a Leafcheck model file`);
  const version = u32();
  if (version !== 1) throw new Error(`${path}: format version ${version}; this reader knows version 1`);
  u32(); // flags, 0 in version 1
  const model = { inputHeight: u32(), inputWidth: u32(), inputChannels: u32() };
  model.mean = f32s(model.inputChannels);
  model.stddev = f32s(model.inputChannels);
  model.labels = Array.from({ length: u32() }, () => text(u16()));
  model.metadata = text(u32());
  model.layers = Array.from({ length: u32() }, () => {
    const kind = u8();
    const fusedRelu = u8() === 1;
    const hasWeights = kind === LayerKind.Conv3x3 || kind === LayerKind.Linear;
    return hasWeights ? { kind, fusedRelu, weight: tensor(), bias: tensor() } : { kind, fusedRelu };
  });
  if (at + 4 !== bytes.length) throw new Error(`${path}: ${bytes.length - at - 4} unexpected bytes before the checksum`);
  return model;
}
