#!/usr/bin/env node
// Writes x.br (Brotli, quality 11) and x.gz (gzip -9) beside every text file of dist/, once at
// build time, so the server (backend/web/static.py, or nginx's gzip_static/brotli_static) sends
// them as they are. A compressed file that is not smaller than the original is not kept.
import { readFileSync, readdirSync, statSync, unlinkSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const TEXT = /\.(js|mjs|css|html|json|webmanifest|svg|txt|map)$/;
const dist = new URL('../dist/', import.meta.url).pathname;

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name.startsWith('.') ? [] : walk(p);
    return [p];
  });
}

let raw = 0;
let br = 0;
let gz = 0;
for (const file of walk(dist).filter((f) => TEXT.test(f))) {
  const buf = readFileSync(file);
  const out = {
    '.br': brotliCompressSync(buf, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: buf.length,
      },
    }),
    '.gz': gzipSync(buf, { level: 9 }),
  };
  for (const [suffix, packed] of Object.entries(out)) {
    const target = file + suffix;
    if (packed.length < buf.length) writeFileSync(target, packed);
    else if (existsSync(target)) unlinkSync(target);
  }
  raw += buf.length;
  br += Math.min(out['.br'].length, buf.length);
  gz += Math.min(out['.gz'].length, buf.length);
}
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`precompressed dist/: ${kb(raw)} raw, ${kb(gz)} gzip, ${kb(br)} brotli`);
