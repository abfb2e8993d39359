// Measures the search budgets on the benchmark site, side by side with Pagefind.
//
//   node tests/browser/measure-search.mjs [--items 1000] [--editions 5] [--no-pagefind]
//
// 1. generates target/bench/<items>x<editions>/ with `cargo run --release --example
//    bench` if it is missing, and uses target/release/minglu (built if missing);
// 2. builds the site into a temporary folder with the CLI, which reports how long
//    the search indexes took (the share of the full build);
// 3. sizes the indexes on disk;
// 4. in headless chromium (fresh profile, so a cold cache), opens search/?q=… and
//    sums every byte the server sent (page, CSS, JS, manifest, shards, records,
//    facets), then types further queries and sums what each one adds; once as a
//    plain static server and once as a host that gzips text (as static hosts do);
// 5. times a query once its shards are loaded (scoring only, and end to end);
// 6. runs Pagefind (npm `pagefind`, pinned in package.json) over the same site's
//    current item pages and measures it the same way.
//
// A benchmark, not a test: it prints figures and asserts nothing.

import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, launch, serve, REPO } from './helpers.mjs';

const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : def;
};
const ITEMS = Number(arg('--items', 1000));
const EDITIONS = Number(arg('--editions', 5));
const PAGEFIND = !process.argv.includes('--no-pagefind');
const COLD = '无犯罪记录证明';
const WARM = ['亲属关系证明', '婚姻状况证明', 'juzhu', 'gz 512', '社区矫正协助', '开个居住证明', 'ruxue zhengming'];

const kb = (n) => (n / 1024).toFixed(1);
function du(path) {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.size;
  return readdirSync(path).reduce((a, f) => a + du(join(path, f)), 0);
}
/// Sum of the decompressed sizes of the .gz files under `path` (what gzip saves).
function rawSize(path) {
  const s = statSync(path);
  if (s.isDirectory()) return readdirSync(path).reduce((a, f) => a + rawSize(join(path, f)), 0);
  return path.endsWith('.gz') ? gunzipSync(readFileSync(path)).length : s.size;
}
function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: REPO, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed`);
}

const bench = join(REPO, `target/bench/${ITEMS}x${EDITIONS}`);
if (!existsSync(join(bench, 'content'))) {
  run('cargo', ['run', '--release', '--example', 'bench', '--', '--items', String(ITEMS), '--editions', String(EDITIONS)]);
}
const bin = join(REPO, 'target/release/minglu');
if (!existsSync(bin)) run('cargo', ['build', '--release']);

console.log(`# search measurements: ${ITEMS} items × 3 registers × ${EDITIONS} editions`);
const site = build({ root: bench, bin });
const indexSecs = Number(/search index ([\d.]+) s/.exec(site.stderr)?.[1]);
const buildSecs = site.elapsedMs / 1000;
const pub = join(site.dir, 'search/index');
const results = {
  scale: `${ITEMS}x3x${EDITIONS}`,
  build_s: buildSecs,
  search_index_s: indexSecs,
  search_share: indexSecs / buildSecs,
  disk_public_index: du(pub),
  disk_public_index_uncompressed: rawSize(pub),
  disk_edition_indexes: du(join(site.dir, 'search/e')),
  shards: readdirSync(join(pub, 's')).length,
};
console.log(`build ${buildSecs.toFixed(2)} s, of which search indexes ${indexSecs.toFixed(2)} s (${(100 * results.search_share).toFixed(1)} %)`);
console.log(`index on disk: public ${kb(results.disk_public_index)} KB gzipped (${kb(results.disk_public_index_uncompressed)} KB without gzip; ${results.shards} shards), all frozen editions ${kb(results.disk_edition_indexes)} KB`);

/// Bytes of the responses in served[from..], grouped by kind.
function bytes(served, from = 0) {
  const by = {};
  let total = 0;
  for (const { path, bytes: n } of served.slice(from)) {
    const kind = /\/s\/\d+\.gz$/.test(path) ? 'shards' : /\/r\/\d+\.gz$/.test(path) ? 'records'
      : /\/f\.gz$/.test(path) ? 'facets' : /manifest\.json$/.test(path) ? 'manifest'
      : /\.css$/.test(path) ? 'css' : /\.js$/.test(path) ? 'js' : /\/$|\.html$/.test(path) ? 'page' : 'other';
    by[kind] = (by[kind] || 0) + n;
    total += n;
  }
  return { total, by };
}
const fmt = ({ total, by }) => `${kb(total)} KB (${Object.entries(by).map(([k, v]) => `${k} ${kb(v)}`).join(', ')})`;

async function settle(page, server) {
  // Wait until no request has been served for 300 ms.
  let n = -1;
  while (n !== server.served.length) {
    n = server.served.length;
    await page.waitForTimeout(300);
  }
}

async function measureMinglu(gzip) {
  const server = await serve(site.dir, { gzip });
  const browser = await launch();
  try {
    const page = await browser.context.newPage();
    await page.goto(`${server.origin}/search/?q=${encodeURIComponent(COLD)}`);
    await page.waitForSelector('#search-results a.result-link');
    await settle(page, server);
    const cold = bytes(server.served);
    const warm = [];
    for (const q of WARM) {
      const from = server.served.length;
      const before = await page.textContent('#search-status');
      await page.fill('#search-q', q);
      await page.waitForFunction((b) => document.getElementById('search-status').textContent !== b || true, before);
      await page.waitForSelector('#search-results a.result-link');
      await settle(page, server);
      warm.push({ q, ...bytes(server.served, from), first: await page.getAttribute('#search-results a.result-link', 'href') });
    }
    // Query time once shards are loaded: scoring alone (the module's own functions),
    // and end to end (submit → results rendered) for a query whose files are cached.
    const timing = await page.evaluate(async (qs) => {
      const m = await import(document.querySelector('script[type=module]').src);
      const man = await (await fetch('index/manifest.json')).json();
      const out = [];
      for (const q of qs) {
        const qa = m.analyze(q);
        const keys = [...qa.tokens.map((t) => t.text), ...qa.exact];
        const maps = new Map();
        for (const k of keys) {
          const n = m.hash(k) & (man.s - 1);
          if (!maps.has(n)) {
            const r = await fetch(`index/s/${n}.gz`);
            const s = new Blob([await r.arrayBuffer()]).stream().pipeThrough(new DecompressionStream('gzip'));
            maps.set(n, m.parseShard(new Uint8Array(await new Response(s).arrayBuffer())));
          }
        }
        const get = (k) => maps.get(m.hash(k) & (man.s - 1)).get(k);
        const times = [];
        let hits = 0;
        for (let i = 0; i < 25; i++) {
          const t0 = performance.now();
          hits = m.score(man.n, m.analyze(q), get).length;
          times.push(performance.now() - t0);
        }
        times.sort((a, b) => a - b);
        out.push({ q, hits, median_ms: times[12], max_ms: times[24] });
      }
      return out;
    }, [COLD, ...WARM]);
    const e2e = [];
    for (const q of [COLD, WARM[0]]) {
      await page.fill('#search-q', q);
      await settle(page, server);
      const ms = await page.evaluate(() => new Promise((done) => {
        const status = document.getElementById('search-status');
        const t0 = performance.now();
        const obs = new MutationObserver(() => {
          if (/\d/.test(status.textContent)) { obs.disconnect(); done(performance.now() - t0); }
        });
        obs.observe(document.getElementById('search-results'), { childList: true, subtree: true });
        document.getElementById('search-form').requestSubmit();
      }));
      e2e.push({ q, ms });
    }
    return { cold, warm, timing, e2e, failures: browser.failures };
  } finally {
    await browser.close();
    await server.close();
  }
}

for (const gzip of [false, true]) {
  const r = await measureMinglu(gzip);
  const label = gzip ? 'host gzips text' : 'plain static server';
  results[gzip ? 'minglu_gzip' : 'minglu_plain'] = r;
  console.log(`\n## minglu, ${label}`);
  console.log(`cold first query "${COLD}": ${fmt(r.cold)}`);
  for (const w of r.warm) console.log(`  further query "${w.q}": ${fmt(w)} → ${w.first}`);
  if (!gzip) {
    for (const t of r.timing) console.log(`  scoring "${t.q}" (${t.hits} hits): median ${t.median_ms.toFixed(2)} ms, max ${t.max_ms.toFixed(2)} ms`);
    for (const t of r.e2e) console.log(`  submit → results rendered, files cached, "${t.q}": ${t.ms.toFixed(1)} ms`);
  }
  if (r.failures.length) console.log('  failed requests:', r.failures);
}

if (PAGEFIND) {
  // Pagefind over the same build's current item pages.
  const pf = mkdtempSync(join(tmpdir(), 'minglu-pagefind-'));
  let pages = 0;
  for (const key of readdirSync(site.dir)) {
    const dir = join(site.dir, key);
    if (!statSync(dir).isDirectory()) continue;
    for (const id of readdirSync(dir)) {
      if (/^[A-Z]+-\d+$/.test(id) && existsSync(join(dir, id, 'index.html'))) {
        mkdirSync(join(pf, key, id), { recursive: true });
        cpSync(join(dir, id, 'index.html'), join(pf, key, id, 'index.html'));
        pages++;
      }
    }
  }
  const t0 = performance.now();
  const r = spawnSync(join(REPO, 'tests/browser/node_modules/.bin/pagefind'), ['--site', pf, '--quiet'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error('pagefind failed: ' + r.stderr + r.stdout);
  const pfSecs = (performance.now() - t0) / 1000;
  const pfDir = join(pf, 'pagefind');
  const data = readdirSync(pfDir).reduce((a, f) => a + (/\.(js|css)$/.test(f) || f.startsWith('wasm.') ? 0 : du(join(pfDir, f))), 0);
  writeFileSync(join(pf, 'search.html'), '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>pagefind</title><script type="module">window.pf = await import("/pagefind/pagefind.js"); await window.pf.init(); window.ready = true;</script>');
  results.pagefind = { pages, index_s: pfSecs, disk_total: du(pfDir), disk_data: data };
  console.log(`\n## Pagefind ${'1.6.0'} over the ${pages} current item pages`);
  console.log(`indexing ${pfSecs.toFixed(2)} s; on disk ${kb(du(pfDir))} KB in all, ${kb(data)} KB of index data (without its JS, CSS and wasm)`);
  for (const gzip of [false, true]) {
    const server = await serve(pf, { gzip });
    const browser = await launch();
    try {
      const page = await browser.context.newPage();
      const query = async (q) => {
        const from = server.served.length;
        const urls = await page.evaluate(async (q) => {
          const r = await window.pf.search(q);
          const top = await Promise.all(r.results.slice(0, 10).map((x) => x.data()));
          return top.map((d) => d.url);
        }, q);
        await settle(page, server);
        return { q, ...bytes(server.served, from), first: urls[0] };
      };
      await page.goto(`${server.origin}/search.html`);
      await page.waitForFunction(() => window.ready);
      const pageBytes = bytes(server.served);
      const cold = await query(COLD);
      cold.total += pageBytes.total;
      console.log(`${gzip ? 'host gzips text' : 'plain static server'}: cold first query "${COLD}": ${kb(cold.total)} KB (with its loader page)`);
      const warm = [];
      for (const q of WARM) {
        const w = await query(q);
        warm.push(w);
        console.log(`  further query "${q}": ${kb(w.total)} KB → ${w.first}`);
      }
      results.pagefind[gzip ? 'gzip' : 'plain'] = { cold: cold.total, warm: warm.map((w) => ({ q: w.q, total: w.total, first: w.first })) };
    } finally {
      await browser.close();
      await server.close();
    }
  }
  rmSync(pf, { recursive: true, force: true });
}

const out = join(REPO, `target/measure-search-${ITEMS}x${EDITIONS}.json`);
writeFileSync(out, JSON.stringify(results, null, 1));
console.log(`\nfigures written to ${out}`);
site.cleanup();
