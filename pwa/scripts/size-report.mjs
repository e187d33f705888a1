#!/usr/bin/env node
// Size of the built app: every JS/CSS asset raw and gzipped, and the JavaScript each first
// screen loads: the entry chunk with its static imports (what index.html loads eagerly),
// plus the lazily loaded view a cadre lands on (today) or a logged-out user sees (login).
// Exits 1 when any of those is above the budget.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET = 60 * 1024;
const dist = new URL('../dist/', import.meta.url).pathname;
const manifestPath = join(dist, '.vite', 'manifest.json');
if (!existsSync(manifestPath)) {
  console.error('dist/.vite/manifest.json not found: run `npm run build` first');
  process.exit(2);
}
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));

const sizes = new Map();
function size(file) {
  if (!sizes.has(file)) {
    const buf = readFileSync(join(dist, file));
    sizes.set(file, { raw: buf.length, gzip: gzipSync(buf, { level: 9 }).length });
  }
  return sizes.get(file);
}

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? (name === '.vite' ? [] : walk(p)) : [relative(dist, p)];
  });
}

const kb = (n) => `${(n / 1024).toFixed(2)} KB`.padStart(10);

console.log('asset'.padEnd(44) + 'raw'.padStart(10) + 'gzip'.padStart(10));
for (const file of walk(dist).filter((f) => /\.(js|css)$/.test(f)).sort()) {
  const s = size(file);
  console.log(file.padEnd(44) + kb(s.raw) + kb(s.gzip));
}

/** A chunk and everything it imports statically (what the browser must fetch before running it). */
function closure(key, seen = new Set()) {
  if (seen.has(key)) return seen;
  seen.add(key);
  for (const dep of manifest[key]?.imports ?? []) closure(dep, seen);
  return seen;
}
const jsOf = (keys) => [...new Set([...keys].map((k) => manifest[k].file))].filter((f) => f.endsWith('.js'));

const entryKey = Object.keys(manifest).find((k) => manifest[k].isEntry);
const eager = closure(entryKey);
const screens = [['eager (index.html)', eager]];
for (const [label, src] of [
  ['first screen: today', 'src/views/Today.tsx'],
  ['first screen: login', 'src/views/Login.tsx'],
]) {
  if (manifest[src]) screens.push([label, closure(src, new Set(eager))]);
}

let failed = false;
console.log('');
for (const [label, keys] of screens) {
  const files = jsOf(keys);
  const total = files.reduce((a, f) => a + size(f).gzip, 0);
  const over = total > BUDGET;
  failed ||= over;
  console.log(`${label.padEnd(24)} ${kb(total).trim()} gzip JS of ${kb(BUDGET).trim()}${over ? '  OVER BUDGET' : ''}`);
  console.log(`  ${files.join(', ')}`);
}
process.exit(failed ? 1 : 0);
