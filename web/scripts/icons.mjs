// Draws the app icons (a white leaf on green) as real PNG files with nothing but node:zlib, so the
// build needs no image tool. Shapes are sampled 4x4 per pixel for smooth edges.
import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

// RGBA8 pixels -> PNG file bytes (colour type 6, no interlace, filter 0 on every row).
export function encodePng(width, height, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8);
  const rows = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    rows[y * (width * 4 + 1)] = 0;
    rows.set(rgba.subarray(y * width * 4, (y + 1) * width * 4), y * (width * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const GREEN = [27, 94, 32];
const LEAF = [255, 255, 255];
const VEIN = [46, 125, 50];

// Which paint covers point (x, y) in [-1, 1]^2; null means transparent.
function paintAt(x, y, { maskable }) {
  // "any" icons are a rounded square; maskable ones are full-bleed and the platform cuts the shape.
  if (!maskable) {
    const r = 0.36;
    const qx = Math.max(Math.abs(x) - (1 - r), 0);
    const qy = Math.max(Math.abs(y) - (1 - r), 0);
    if (qx * qx + qy * qy > r * r) return null;
  }
  // Maskable icons keep the leaf inside the 80 % safe zone.
  const scale = maskable ? 0.62 : 0.8;
  const c = Math.SQRT1_2;
  const u = (x + y) * c / scale - 0.12;
  const v = (y - x) * c / scale;
  const halfLength = 0.95;
  const halfWidth = 0.42;
  const t = u / halfLength;
  const leafEdge = halfWidth * (1 - t * t) * (1 + 0.15 * t);
  const inLeaf = Math.abs(t) <= 1 && Math.abs(v) <= leafEdge;
  const stem = u < -halfLength + 0.02 && u > -halfLength - 0.28 && Math.abs(v) < 0.035;
  if (!inLeaf && !stem) return GREEN;
  if (stem) return LEAF;
  const midrib = Math.abs(v) < 0.03 && t < 0.88;
  return midrib ? VEIN : LEAF;
}

export function drawIcon(size, { maskable = false } = {}) {
  const rgba = new Uint8Array(size * size * 4);
  const samples = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const sum = [0, 0, 0, 0];
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = ((px + (sx + 0.5) / samples) / size) * 2 - 1;
          const y = ((py + (sy + 0.5) / samples) / size) * 2 - 1;
          const paint = paintAt(x, y, { maskable });
          if (!paint) continue;
          sum[0] += paint[0];
          sum[1] += paint[1];
          sum[2] += paint[2];
          sum[3] += 1;
        }
      }
      const o = (py * size + px) * 4;
      const covered = sum[3];
      if (covered) {
        rgba[o] = Math.round(sum[0] / covered);
        rgba[o + 1] = Math.round(sum[1] / covered);
        rgba[o + 2] = Math.round(sum[2] / covered);
      }
      rgba[o + 3] = Math.round((covered / (samples * samples)) * 255);
    }
  }
  return encodePng(size, size, rgba);
}

// name -> PNG bytes for every icon the manifest and index.html reference.
export function allIcons() {
  return {
    'icon-192.png': drawIcon(192),
    'icon-512.png': drawIcon(512),
    'maskable-192.png': drawIcon(192, { maskable: true }),
    'maskable-512.png': drawIcon(512, { maskable: true }),
    // iOS fills transparency with black, so the touch icon is the full-bleed variant.
    'apple-touch-icon.png': drawIcon(180, { maskable: true }),
    'favicon-32.png': drawIcon(32),
  };
}
