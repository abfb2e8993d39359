// minglu search client. No framework, nothing from another host.
// The tokenizer, query analysis and scoring mirror src/search/tokenize.rs and
// src/search/rank.rs exactly; tests/fixtures/search/tokenizer.json holds the
// vectors both run. Index format: see src/search/index.rs.

const FILLER = ['可不可以', '怎么办理', '在哪里开', '在哪里办', '怎么办', '怎么开', '怎么弄', '在哪开',
  '在哪办', '在哪里', '在哪儿', '能不能', '去哪里', '到哪里', '哪里', '哪儿', '在哪', '去哪', '到哪',
  '怎么', '怎样', '如何', '可以', '需要', '社区', '开个', '开一', '办个', '办理', '请问', '什么', '一个',
  '一下', '我要', '我想', '吗', '呢', '吧', '啊', '呀', '的', '了', '我', '想', '要', '开', '办', '个',
  '用', '给'].map((f) => Array.from(f));
export const FILLER_WEIGHT = 0.1;
export const COVERED_UNIGRAM_WEIGHT = 0.3;
export const ID_WEIGHT = 3;
export const EXACT_BONUS = 10000;

export const normalize = (s) => s.normalize('NFKC').toLowerCase();

export function isHan(c) {
  const n = c.codePointAt(0);
  return n === 0x3007 || (n >= 0x3400 && n <= 0x4dbf) || (n >= 0x4e00 && n <= 0x9fff) ||
    (n >= 0xf900 && n <= 0xfaff) || (n >= 0x20000 && n <= 0x3134f);
}
const isLower = (c) => c >= 'a' && c <= 'z';
const isDigit = (c) => c >= '0' && c <= '9';

// Tokens of normalised text: {text, kind: u|b|w|i, start, end} (character positions).
export function tokenizeNormalized(text) {
  const ch = Array.from(text);
  const out = [];
  const tok = (a, b, kind) => out.push({ text: ch.slice(a, b).join(''), kind, start: a, end: b });
  let i = 0;
  while (i < ch.length) {
    const c = ch[i];
    if (isHan(c)) {
      const s = i;
      while (i < ch.length && isHan(ch[i])) i++;
      for (let j = s; j < i; j++) {
        tok(j, j + 1, 'u');
        if (j + 1 < i) tok(j, j + 2, 'b');
      }
    } else if (isLower(c)) {
      const s = i;
      while (i < ch.length && isLower(ch[i])) i++;
      let ds = -1;
      if (isDigit(ch[i] || '')) ds = i;
      else if ('-_. '.includes(ch[i] || 'x') && isDigit(ch[i + 1] || '')) ds = i + 1;
      if (ds < 0 || i - s > 4) {
        tok(s, i, 'w');
        continue;
      }
      let de = ds;
      while (de < ch.length && isDigit(ch[de])) de++;
      const num = ch.slice(ds, de).join('').replace(/^0+/, '').padStart(3, '0');
      out.push({ text: ch.slice(s, i).join('') + num, kind: 'i', start: s, end: de });
      i = de;
    } else if (isDigit(c)) {
      const s = i;
      while (i < ch.length && isDigit(ch[i])) i++;
      tok(s, i, 'w');
    } else i++;
  }
  return out;
}

export const tokenize = (text) => tokenizeNormalized(normalize(text));
export const tokenTexts = (text) => tokenize(text).map((t) => t.text);

function compact(text, skip = []) {
  const ch = Array.from(text);
  let out = '';
  for (const t of tokenizeNormalized(text)) {
    if (t.kind === 'u' && !skip[t.start]) out += ch[t.start];
    else if (t.kind === 'w' || t.kind === 'i') out += t.text;
  }
  return out;
}

function fillerMask(ch) {
  const mask = ch.map(() => false);
  let i = 0;
  while (i < ch.length) {
    const f = FILLER.find((f) => i + f.length <= ch.length && f.every((c, k) => ch[i + k] === c));
    if (f) {
      for (let k = 0; k < f.length; k++) mask[i + k] = true;
      i += f.length;
    } else i++;
  }
  return mask;
}

// A query's tokens with weights ({text, kind, weight}) and its exact keys.
export function analyze(query) {
  const text = normalize(query);
  const mask = fillerMask(Array.from(text));
  const toks = tokenizeNormalized(text);
  const tokens = [];
  for (const t of toks) {
    const covered = t.kind === 'u' && toks.some((b) => b.kind === 'b' && b.start <= t.start && t.end <= b.end);
    let weight = t.kind === 'u' && covered ? COVERED_UNIGRAM_WEIGHT : t.kind === 'i' ? ID_WEIGHT : 1;
    let filler = 0;
    for (let p = t.start; p < t.end; p++) if (mask[p]) filler++;
    if (t.kind !== 'i' && filler === t.end - t.start) weight *= FILLER_WEIGHT;
    else if (filler > 0) weight *= 0.5;
    const seen = tokens.find((q) => q.text === t.text);
    if (seen) seen.weight = Math.max(seen.weight, weight);
    else tokens.push({ text: t.text, kind: t.kind, weight });
  }
  const exact = [];
  for (const key of [compact(text), compact(text, mask)]) {
    if (key && !exact.includes('=' + key)) exact.push('=' + key);
  }
  return { tokens, exact };
}

// FNV-1a, 32 bits, of the UTF-8 bytes: which shard holds a token.
export function hash(token) {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(token)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

// Ranks items: `get(token)` gives {df, list: [[ordinal, impact]…]} or undefined.
export function score(n, q, get) {
  const total = q.tokens.reduce((a, t) => a + t.weight, 0);
  const acc = new Map();
  const entry = (o) => acc.get(o) || acc.set(o, [0, 0, false]).get(o);
  for (const t of q.tokens) {
    const p = get(t.text);
    if (!p) continue;
    const idf = Math.log(1 + (n - p.df + 0.5) / (p.df + 0.5));
    for (const [o, imp] of p.list) {
      const e = entry(o);
      e[0] += t.weight * idf * imp;
      e[1] += t.weight;
    }
  }
  for (const k of q.exact) for (const [o] of get(k)?.list || []) entry(o)[2] = true;
  const hits = [];
  for (const [ord, [s, m, x]] of acc) {
    hits.push({ ord, score: s * (0.5 + (total > 0 ? m / total : 0)) + (x ? EXACT_BONUS : 0) });
  }
  return hits.sort((a, b) => b.score - a.score || a.ord - b.ord);
}

export function parseShard(buf) {
  const m = new Map();
  const dec = new TextDecoder();
  let p = 0;
  const num = () => {
    let n = 0, s = 0, b;
    do { b = buf[p++]; n += (b & 0x7f) * 2 ** s; s += 7; } while (b & 0x80);
    return n;
  };
  while (p < buf.length) {
    const len = buf[p++];
    const t = dec.decode(buf.subarray(p, p + len));
    p += len;
    const df = num(), n = num(), list = new Array(n);
    let ord = 0;
    for (let k = 0; k < n; k++) { ord += num(); list[k] = [ord, buf[p++]]; }
    m.set(t, { df, list });
  }
  return m;
}

// --- The page -------------------------------------------------------------

async function fetchBytes(url) {
  const r = await fetch(url);
  if (r.status === 404) return null;
  if (!r.ok) throw new Error(url + ': ' + r.status);
  let buf = new Uint8Array(await r.arrayBuffer());
  // A host may already have removed the gzip layer (Content-Encoding): check the magic.
  if (buf[0] === 0x1f && buf[1] === 0x8b) {
    const s = new Blob([buf]).stream().pipeThrough(new DecompressionStream('gzip'));
    buf = new Uint8Array(await new Response(s).arrayBuffer());
  }
  return buf;
}
const fetchJson = async (url) => {
  const b = await fetchBytes(url);
  return b && JSON.parse(new TextDecoder().decode(b));
};

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v != null) e.setAttribute(k, v);
  for (const k of kids) if (k != null && k !== '') e.append(k);
  return e;
}

// The title as text nodes and <mark>s around the query's content tokens.
function highlight(title, q) {
  const low = Array.from(normalize(title));
  const ch = Array.from(title);
  if (low.length !== ch.length) return [title];
  const on = ch.map(() => false);
  for (const t of q.tokens) {
    if (t.weight < COVERED_UNIGRAM_WEIGHT) continue;
    const tc = Array.from(t.text);
    for (let i = 0; i + tc.length <= low.length; i++) {
      if (tc.every((c, k) => low[i + k] === c)) for (let k = 0; k < tc.length; k++) on[i + k] = true;
    }
  }
  const out = [];
  let i = 0;
  while (i < ch.length) {
    let j = i;
    while (j < ch.length && on[j] === on[i]) j++;
    const s = ch.slice(i, j).join('');
    out.push(on[i] ? el('mark', null, s) : s);
    i = j;
  }
  return out;
}

function levenshtein(a, b) {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

// Up to three titles or aliases close to the query: shared character pairs for
// Chinese, edit distance to the pinyin for Latin letters.
function suggest(list, query) {
  const key = compact(normalize(query));
  if (!key) return [];
  const pairs = (s) => { const c = Array.from(s); return new Set(c.map((x, i) => x + (c[i + 1] || ''))); };
  const qp = pairs(key);
  const scored = [];
  for (const [text, full, initials] of list) {
    let d;
    if (/^[a-z0-9]+$/.test(key)) {
      d = Math.min(levenshtein(key, full.slice(0, key.length)), initials === key ? 0 : 99);
      if (d > 1 + Math.floor(key.length / 5)) continue;
    } else {
      const tp = pairs(compact(normalize(text)));
      let shared = 0;
      for (const p of qp) if (tp.has(p)) shared++;
      if (!shared) continue;
      d = 1 - (2 * shared) / (qp.size + tp.size);
    }
    scored.push([d, text.length, text]);
  }
  scored.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return scored.slice(0, 3).map((s) => s[2]);
}

const GROUPS = ['r', 'v', 'd', 'p'];
const PAGE = 10;

function init() {
  const $ = (id) => document.getElementById(id);
  const cfgEl = $('search-config');
  if (!cfgEl) return;
  const cfg = JSON.parse(cfgEl.textContent);
  const T = cfg.t;
  const form = $('search-form'), input = $('search-q'), out = $('search-results');
  const status = $('search-status'), facetsEl = $('search-facets'), filterBox = facetsEl.parentElement;
  const params = new URLSearchParams(location.search);
  const within = params.get('in') || '';
  const base = /^[A-Za-z0-9_-]+\/[A-Za-z0-9_-][A-Za-z0-9_.-]*$/.test(within) && !within.includes('..')
    ? 'e/' + within + '/' : cfg.index;
  const filters = {};
  for (const g of GROUPS) if (params.get(g)) filters[g] = params.get(g);
  const cache = new Map();
  const once = (k, f) => cache.get(k) || cache.set(k, f().catch((e) => { cache.delete(k); throw e; })).get(k);
  const manifest = () => once('m', () => fetchJson(base + 'manifest.json'));
  const shard = (n) => once('s' + n, async () => { const b = await fetchBytes(`${base}s/${n}.gz`); return b ? parseShard(b) : new Map(); });
  const chunk = (n) => once('r' + n, () => fetchJson(`${base}r/${n}.gz`));
  const facetData = () => once('f', () => fetchJson(base + 'f.gz'));
  // Facet values load only when the filters are opened or one is in the URL.
  let seq = 0, last = null, shown = PAGE, fac = null;
  const active = () => GROUPS.some((g) => filters[g] != null);

  function setUrl(q) {
    const p = new URLSearchParams();
    if (q) p.set('q', q);
    if (within) p.set('in', within);
    for (const g of GROUPS) if (filters[g] != null) p.set(g, filters[g]);
    const s = p.toString();
    history.replaceState(null, '', s ? '?' + s : location.pathname);
  }

  // The facet values of an item: {r: [...], v: [...], d: [...], p: [...]} as label strings.
  function values(f, ord) {
    const [r, v, s, d, p] = f.f[ord];
    const verdict = s === 2 ? T.withdrawn : v === 1 ? T.issue : v === 2 ? T.refuse : null;
    return { r: [f.r[r]], v: verdict ? [verdict] : [], d: d.map((i) => f.d[i]), p: p.map((i) => f.p[i]) };
  }

  async function run(q) {
    const my = ++seq;
    setUrl(q.trim());
    if (!q.trim()) {
      last = null;
      out.replaceChildren(el('p', { class: 'muted' }, T.hint));
      facetsEl.replaceChildren();
      filterBox.hidden = true;
      status.textContent = '';
      return;
    }
    status.textContent = T.loading;
    try {
      const m = await manifest();
      const qa = analyze(q);
      const keys = [...qa.tokens.map((t) => t.text), ...qa.exact];
      const wanted = [...new Set(keys.map((k) => hash(k) & (m.s - 1)))];
      const facets = active() || filterBox.open ? facetData() : null;
      const maps = await Promise.all(wanted.map(shard));
      const get = (k) => maps[wanted.indexOf(hash(k) & (m.s - 1))].get(k);
      const hits = score(m.n, qa, get);
      if (facets) fac = await facets;
      if (my !== seq) return;
      last = { q, qa, m, hits };
      shown = PAGE;
      await render();
    } catch (e) {
      if (my === seq) status.textContent = T.error;
    }
  }

  const vals = (h) => h.vals || (h.vals = values(fac, h.ord));
  const passes = (h, skip) => !fac || GROUPS.every((g) => g === skip || filters[g] == null || vals(h)[g].includes(filters[g]));

  async function render() {
    const { q, qa, m, hits } = last;
    const my = seq;
    const kept = hits.filter((h) => passes(h));
    const page = kept.slice(0, shown);
    const chunks = await Promise.all([...new Set(page.map((h) => Math.floor(h.ord / m.c)))].map(async (c) => [c, await chunk(c)]));
    if (my !== seq) return;
    const recs = new Map(chunks);
    if (fac) renderFacets(hits);
    else filterBox.hidden = !hits.length;
    status.textContent = T.count.replace('{n}', kept.length);
    if (!kept.length) return renderEmpty(q);
    const ol = el('ol', { class: 'results' });
    for (const h of page) ol.append(result(recs.get(Math.floor(h.ord / m.c))[h.ord % m.c], qa));
    const nodes = [ol];
    if (kept.length > shown) {
      const more = el('button', { type: 'button', class: 'search-more' }, T.more);
      more.addEventListener('click', () => { shown += PAGE; render(); });
      nodes.push(more);
    }
    out.replaceChildren(...nodes);
  }

  function result(rec, qa) {
    const [url, id, title, reg, v, s, dept, how, succTitle, succUrl, badge] = rec;
    const badges = [];
    if (s === 2) badges.push(el('span', { class: 'badge badge-withdrawn' }, T.withdrawn));
    else if (v) badges.push(el('span', { class: 'badge badge-' + (v === 1 ? 'issue' : 'refuse') }, v === 1 ? T.issue : T.refuse));
    else if (T['badge_' + badge]) badges.push(el('span', { class: 'badge badge-' + badge }, T['badge_' + badge]));
    if (s === 1) badges.push(el('span', { class: 'badge badge-upcoming' }, T.upcoming));
    const li = el('li', { class: 'result' },
      el('p', { class: 'result-head' }, ...badges, ' ', el('a', { href: cfg.root + url, class: 'result-link' }, ...highlight(title, qa))));
    if (s === 2) {
      if (succUrl) li.append(el('p', { class: 'result-where' }, T.replaced_by, el('a', { href: cfg.root + succUrl }, succTitle)));
    } else if (v === 2 && (dept || how)) {
      li.append(el('p', { class: 'result-where' }, el('strong', null, T.where), dept ? el('strong', null, dept + ' ') : '', how));
    } else if (v === 1) {
      li.append(el('p', { class: 'result-where' }, el('strong', null, T.where), T.community));
    }
    li.append(el('p', { class: 'result-meta muted' }, reg + ' · ' + id));
    return li;
  }

  function renderFacets(hits) {
    const groups = [];
    for (const g of GROUPS) {
      const counts = new Map();
      for (const h of hits) if (passes(h, g)) for (const v of new Set(vals(h)[g])) counts.set(v, (counts.get(v) || 0) + 1);
      if (!counts.size) continue;
      const top = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 8);
      if (filters[g] != null && !counts.has(filters[g])) top.push([filters[g], 0]);
      const fs = el('fieldset', { class: 'facet' }, el('legend', null, T['facet_' + g]));
      for (const [val, n] of top) {
        const on = filters[g] === val;
        const b = el('button', { type: 'button', 'aria-pressed': String(on), 'data-v': val }, `${val} (${n})`);
        b.addEventListener('click', () => {
          if (on) delete filters[g]; else filters[g] = val;
          setUrl(last.q.trim());
          shown = PAGE;
          render().then(() => [...facetsEl.querySelectorAll(`[data-g="${g}"] button`)].find((x) => x.dataset.v === val)?.focus());
        });
        fs.append(b);
      }
      fs.dataset.g = g;
      groups.push(fs);
    }
    facetsEl.replaceChildren(...groups);
    filterBox.hidden = !groups.length;
    if (active()) filterBox.open = true;
  }

  async function renderEmpty(q) {
    const my = seq;
    const p = [el('p', null, T.none.replace('{q}', q))];
    const list = await once('a', () => fetchJson(base + 'a.gz')).catch(() => []);
    if (my !== seq) return;
    const s = suggest(list || [], q);
    if (s.length) {
      const links = s.flatMap((t, i) => [i ? T.sep : '', el('a', { href: '?q=' + encodeURIComponent(t) }, t)]);
      p.push(el('p', null, T.did_you_mean, ...links));
    }
    p.push(el('p', null, T.browse, el('a', { href: cfg.root + 'purposes/' }, T.purposes), T.sep,
      el('a', { href: cfg.root + 'departments/' }, T.departments)));
    out.replaceChildren(el('div', { class: 'search-empty' }, ...p));
  }

  filterBox.addEventListener('toggle', async () => {
    if (!filterBox.open || fac || !last) return;
    try {
      fac = await facetData();
      await render();
    } catch (e) {
      status.textContent = T.error;
    }
  });
  let timer;
  input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => run(input.value), 120); });
  form.addEventListener('submit', (e) => { e.preventDefault(); clearTimeout(timer); run(input.value); });
  const links = () => [...out.querySelectorAll('a.result-link')];
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' && links().length) { e.preventDefault(); links()[0].focus(); }
  });
  out.addEventListener('keydown', (e) => {
    const all = links(), i = all.indexOf(document.activeElement);
    if (i < 0) return;
    if (e.key === 'ArrowDown' && i + 1 < all.length) { e.preventDefault(); all[i + 1].focus(); }
    if (e.key === 'ArrowUp') { e.preventDefault(); (i ? all[i - 1] : input).focus(); }
    if (e.key === 'Escape') input.focus();
  });
  input.value = params.get('q') || '';
  run(input.value);
}

if (typeof document !== 'undefined') init();
