#!/usr/bin/env node
// What a phone receives for its first screen, measured on the wire: the built app is served by
// the real server (backend/web/static.py; or the one at --url, e.g. nginx), and every file of the
// first screen is fetched as Chromium asks for it (Accept-Encoding: gzip, deflate, br). The bytes
// counted are the status line, the headers and the body as sent (compressed). Exits 1 when a
// first screen is above the 60 KB budget, or when a file arrives uncompressed.
//
//   npm run size                      # starts ../.venv/bin/python -m backend.cli serve on a free port
//   npm run size -- --url https://host
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BUDGET = 60 * 1024;
const ACCEPT = 'gzip, deflate, br';
const pwa = new URL('..', import.meta.url).pathname;
const root = new URL('../..', import.meta.url).pathname;
const dist = join(pwa, 'dist');
const manifestPath = join(dist, '.vite', 'manifest.json');
if (!existsSync(manifestPath)) {
  console.error('dist/.vite/manifest.json not found: run `npm run build` first');
  process.exit(2);
}
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** One GET as a phone sends it; the raw (still compressed) bytes are counted, not decoded. */
function fetchRaw(base, path) {
  const url = new URL(path, base);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { 'Accept-Encoding': ACCEPT } }, (res) => {
      let body = 0;
      res.on('data', (chunk) => (body += chunk.length));
      res.on('end', () => {
        // "HTTP/1.1 200 OK\r\n" + "name: value\r\n"… + "\r\n"
        let head = `HTTP/1.1 ${res.statusCode} ${res.statusMessage}\r\n`.length + 2;
        for (let i = 0; i < res.rawHeaders.length; i += 2) head += res.rawHeaders[i].length + res.rawHeaders[i + 1].length + 4;
        resolve({ path, status: res.statusCode, encoding: res.headers['content-encoding'] ?? 'identity', head, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

async function startServer() {
  const port = await freePort();
  const tmp = mkdtempSync(join(tmpdir(), 'zhucun-size-'));
  const venv = join(root, '.venv', 'bin', 'python');
  const python = process.env.ZHUCUN_PYTHON ?? (existsSync(venv) ? venv : 'python3');
  const child = spawn(python, ['-m', 'backend.cli', 'serve', '--port', String(port)], {
    cwd: root,
    env: {
      ...process.env,
      ZHUCUN_DATABASE_URL: `sqlite:///${join(tmp, 'size.sqlite')}`,
      ZHUCUN_MEDIA_DIR: join(tmp, 'media'),
      ZHUCUN_PWA_DIR: dist,
      ZHUCUN_ENV: 'test',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (d) => (log += d));
  const base = `http://127.0.0.1:${port}/`;
  const stop = () => {
    child.kill();
    rmSync(tmp, { recursive: true, force: true });
  };
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) break;
    try {
      if ((await fetchRaw(base, '/')).status === 200) return { base, stop };
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  stop();
  console.error(`the server did not start:\n${log}`);
  process.exit(2);
}

/** A chunk and everything it imports statically, with their CSS (what runs before it shows). */
function closure(key, seen = new Set()) {
  if (seen.has(key)) return seen;
  seen.add(key);
  for (const dep of manifest[key]?.imports ?? []) closure(dep, seen);
  return seen;
}
const filesOf = (keys) => [...keys].flatMap((k) => [manifest[k].file, ...(manifest[k].css ?? [])]);

/** What index.html makes the browser fetch: scripts, module preloads, style sheets, the manifest. */
function referencedBy(html) {
  const refs = [];
  for (const m of html.matchAll(/<(script|link)\b[^>]*>/g)) {
    const tag = m[0];
    const rel = /rel="([^"]+)"/.exec(tag)?.[1] ?? '';
    const src = /(?:src|href)="([^"]+)"/.exec(tag)?.[1];
    if (!src || /icon/.test(rel)) continue;
    if (m[1] === 'script' || /stylesheet|modulepreload|manifest/.test(rel)) refs.push(src.replace(/^\//, ''));
  }
  return refs;
}

const urlArg = process.argv.indexOf('--url');
const server = urlArg > 0 ? { base: new URL('/', process.argv[urlArg + 1]).href, stop: () => {} } : await startServer();
let failed = false;
try {
  const eager = ['index.html', ...referencedBy(readFileSync(join(dist, 'index.html'), 'utf8'))];
  const entryKey = Object.keys(manifest).find((k) => manifest[k].isEntry);
  const entryKeys = closure(entryKey);
  const screens = [['first screen: today', 'src/presence/Today.tsx'], ['first screen: login', 'src/me/Login.tsx']];
  const kb = (n) => `${(n / 1024).toFixed(2)} KB`;
  const raw = (f) => readFileSync(join(dist, f)).length;
  console.log(`server: ${server.base}  (Accept-Encoding: ${ACCEPT})`);
  for (const [label, src] of screens) {
    if (!existsSync(join(pwa, src))) throw new Error(`size-report: no ${src} (renamed? update the screens here)`);
    // A screen that is not a chunk of its own comes with the entry (the cadre's 今日 does).
    const lazy = manifest[src] ? filesOf(closure(src, new Set(entryKeys))) : [];
    const files = [...new Set([...eager, ...lazy])];
    const got = [];
    for (const f of files) got.push(await fetchRaw(server.base, `/${f}`));
    console.log('');
    console.log(`${label}${manifest[src] ? '' : ' (in the entry chunk)'}`);
    console.log(`  ${'file'.padEnd(46)}${'raw'.padStart(10)}${'sent'.padStart(10)}  encoding`);
    for (const g of got) {
      const bad = g.status !== 200 || (g.encoding === 'identity' && raw(g.path.slice(1)) > 1024);
      failed ||= bad;
      console.log(
        `  ${g.path.slice(1).padEnd(46)}${kb(raw(g.path.slice(1))).padStart(10)}${kb(g.head + g.body).padStart(10)}  ${g.encoding}${g.status !== 200 ? `  HTTP ${g.status}` : bad ? '  NOT COMPRESSED' : ''}`,
      );
    }
    const total = got.reduce((a, g) => a + g.head + g.body, 0);
    const over = total > BUDGET;
    failed ||= over;
    console.log(`  transferred: ${kb(total)} of ${kb(BUDGET)} (headers ${kb(got.reduce((a, g) => a + g.head, 0))})${over ? '  OVER BUDGET' : ''}`);
  }
} finally {
  server.stop();
}
process.exit(failed ? 1 : 0);
