// A minimal GIF89a encoder for test pictures (Chromium's canvas cannot write GIF): the colours are
// quantised to 5 levels per channel (125 of a 128-entry palette) and the LZW stream is left uncompressed
// (8-bit codes, a clear code every 100 pixels, so the code width never grows), which any decoder reads.
const LEVELS = 5;
const MIN_CODE_SIZE = 7;
const CLEAR = 1 << MIN_CODE_SIZE;
const END = CLEAR + 1;

function u16(value) {
  return [value & 0xff, value >> 8];
}

export function encodeGif(width, height, rgba) {
  const palette = new Uint8Array(128 * 3);
  for (let i = 0; i < LEVELS ** 3; i++) {
    const levels = [Math.floor(i / 25), Math.floor(i / 5) % 5, i % 5];
    palette.set(levels.map((level) => Math.round((level * 255) / (LEVELS - 1))), i * 3);
  }
  const codes = [];
  for (let p = 0; p < width * height; p++) {
    if (p % 100 === 0) codes.push(CLEAR);
    const [r, g, b] = [0, 1, 2].map((c) => Math.round((rgba[p * 4 + c] * (LEVELS - 1)) / 255));
    codes.push(r * 25 + g * 5 + b);
  }
  codes.push(END);
  const blocks = [];
  for (let i = 0; i < codes.length; i += 255) {
    const chunk = codes.slice(i, i + 255);
    blocks.push(chunk.length, ...chunk);
  }
  return Buffer.from([
    ...Buffer.from('GIF89a'), ...u16(width), ...u16(height), 0xf6, 0, 0, ...palette,
    0x2c, 0, 0, 0, 0, ...u16(width), ...u16(height), 0, MIN_CODE_SIZE, ...blocks, 0, 0x3b,
  ]);
}
