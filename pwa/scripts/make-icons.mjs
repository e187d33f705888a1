#!/usr/bin/env node
// Draw the app icons (驻 in white on the theme red) with no dependencies: the glyph is a few
// strokes, rasterised with 4×4 supersampling, and written as PNG with node:zlib.
import { mkdirSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const OUT = new URL('../public/icons/', import.meta.url);
const BG = [0xb3, 0x26, 0x1e];
const FG = [0xff, 0xff, 0xff];

// 驻 = 马 + 主, in a unit box; each stroke a polyline.
const STROKES = [
  [[0.1, 0.18], [0.33, 0.18], [0.31, 0.37]],
  [[0.15, 0.18], [0.13, 0.5], [0.4, 0.5], [0.37, 0.85], [0.28, 0.79]],
  [[0.06, 0.71], [0.3, 0.63]],
  [[0.68, 0.07], [0.74, 0.16]],
  [[0.52, 0.27], [0.9, 0.27]],
  [[0.55, 0.53], [0.87, 0.53]],
  [[0.71, 0.27], [0.71, 0.84]],
  [[0.48, 0.85], [0.94, 0.85]],
];
const HALF_WIDTH = 0.038;

const segments = STROKES.flatMap((s) => s.slice(1).map((p, i) => [s[i], p]));

function distToSegment(x, y, [[ax, ay], [bx, by]]) {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 ? Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / len2)) : 0;
  return Math.hypot(x - (ax + t * dx), y - (ay + t * dy));
}

/** RGBA pixels of a size×size icon with the glyph filling `glyph` of the side, centred. */
function draw(size, glyph, radius = 0) {
  const px = Buffer.alloc(size * size * 4);
  const off = (1 - glyph) / 2;
  const S = 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let ink = 0;
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const u = ((x + (sx + 0.5) / S) / size - off) / glyph;
          const v = ((y + (sy + 0.5) / S) / size - off) / glyph;
          if (segments.some((seg) => distToSegment(u, v, seg) <= HALF_WIDTH)) ink++;
        }
      }
      const a = ink / (S * S);
      const i = (y * size + x) * 4;
      for (let c = 0; c < 3; c++) px[i + c] = Math.round(BG[c] * (1 - a) + FG[c] * a);
      px[i + 3] = radius ? cornerAlpha(x, y, size, radius * size) : 255;
    }
  }
  return px;
}

function cornerAlpha(x, y, size, r) {
  const cx = Math.min(Math.max(x + 0.5, r), size - r);
  const cy = Math.min(Math.max(y + 0.5, r), size - r);
  const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
  return Math.round(255 * Math.max(0, Math.min(1, r - d + 0.5)));
}

const CRC = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
function png(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

mkdirSync(OUT, { recursive: true });
const icons = [
  ['icon-192.png', 192, 0.74, 0.18],
  ['icon-512.png', 512, 0.74, 0.18],
  // Maskable: full bleed, glyph inside the central safe circle (80 %).
  ['maskable-512.png', 512, 0.56, 0],
  ['apple-touch-icon.png', 180, 0.7, 0],
];
for (const [name, size, glyph, radius] of icons) {
  writeFileSync(new URL(name, OUT), png(size, draw(size, glyph, radius)));
  console.log(`wrote public/icons/${name}`);
}
