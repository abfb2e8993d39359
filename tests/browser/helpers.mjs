// Shared helpers for the real-browser tests: build a site with the real minglu
// binary into a temporary folder, serve it on 127.0.0.1 (an ephemeral port) with
// a tiny static server, and drive Debian's chromium through playwright-core,
// recording every request so tests can assert that nothing left the host and
// nothing failed.

import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

export const REPO = resolve(new URL('../..', import.meta.url).pathname);
/// The date the tests build at (2025-11-24, after every bundled edition took effect).
export const EPOCH = '1764000000';
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/// The minglu binary: $MINGLU_BIN, else target/debug/minglu (built if missing).
export function binary() {
  if (process.env.MINGLU_BIN) return process.env.MINGLU_BIN;
  const bin = join(REPO, 'target/debug/minglu');
  if (!existsSync(bin)) {
    const r = spawnSync('cargo', ['build', '--quiet'], { cwd: REPO, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('cargo build failed');
  }
  return bin;
}

/// Builds the site at `root` into a fresh temporary folder and returns {dir,
/// elapsedMs, stderr, cleanup}. By default it builds a copy of the bundled
/// example's `content/` alone: the repository's `themes/default/` would override
/// the theme compiled into the binary file by file with its uncompacted sources,
/// and the tests are to see what a real site serves.
export function build({ root, args = [], bin = binary(), env = {} } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'minglu-site-'));
  const out = join(dir, 'public');
  if (root === undefined) {
    root = join(dir, 'site');
    cpSync(join(REPO, 'content'), join(root, 'content'), { recursive: true });
  }
  const start = performance.now();
  const r = spawnSync(bin, ['build', '--root', root, '--output', out, ...args], {
    env: { ...process.env, SOURCE_DATE_EPOCH: EPOCH, NO_COLOR: '1', ...env },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const elapsedMs = performance.now() - start;
  if (r.status !== 0) throw new Error(`minglu build failed (${r.status}):\n${r.stderr}`);
  return { dir: out, elapsedMs, stderr: r.stderr, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json', '.xml': 'application/xml', '.atom': 'application/atom+xml',
  '.txt': 'text/plain; charset=utf-8', '.svg': 'image/svg+xml', '.gz': 'application/gzip',
  '.csv': 'text/csv; charset=utf-8', '.pf_meta': 'application/octet-stream',
};
const TEXT = /^(text\/|application\/(json|xml|atom|javascript))/;

/// Serves `dir` on 127.0.0.1 at an ephemeral port. With `gzip`, text responses are
/// compressed when the client accepts it (as static hosts do). `served` lists every
/// response: {path, status, bytes} where bytes is the body as sent.
export async function serve(dir, { gzip = false } = {}) {
  const root = resolve(dir);
  const served = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    let file = normalize(join(root, path));
    const send = (status, body, type, headers = {}) => {
      res.writeHead(status, { 'content-type': type, 'content-length': body.length, ...headers });
      res.end(body);
      served.push({ path, status, bytes: body.length });
    };
    if (file !== root && !file.startsWith(root + sep)) return send(403, Buffer.from('forbidden'), 'text/plain');
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) return send(404, Buffer.from('not found'), 'text/plain');
    const type = TYPES[extname(file)] || 'application/octet-stream';
    let body = readFileSync(file);
    const headers = { 'cache-control': 'no-cache' };
    if (gzip && TEXT.test(type) && /\bgzip\b/.test(req.headers['accept-encoding'] || '')) {
      body = gzipSync(body, { level: 9 });
      headers['content-encoding'] = 'gzip';
    }
    send(200, body, type, headers);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return { origin, served, close: () => new Promise((ok) => server.close(ok)) };
}

export const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/// Launches chromium with a fresh profile at a 390×844 viewport (override with
/// `options`). Returns {context, requests, failures, close}: `requests` lists every
/// request's URL, `failures` every failed request or HTTP error response.
export async function launch(options = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'minglu-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 390, height: 844 },
    ...options,
  });
  const requests = [];
  const failures = [];
  context.on('request', (r) => requests.push(r.url()));
  context.on('requestfailed', (r) => failures.push(`${r.url()}: ${r.failure()?.errorText}`));
  context.on('response', (r) => { if (r.status() >= 400) failures.push(`${r.url()}: HTTP ${r.status()}`); });
  return {
    context,
    requests,
    failures,
    close: async () => { await context.close(); rmSync(profile, { recursive: true, force: true }); },
  };
}

/// The requests that went anywhere but `origin` (data: and blob: URLs are local).
export const offHost = (requests, origin) =>
  requests.filter((u) => !u.startsWith(origin + '/') && !/^(data|blob|about):/.test(u));
