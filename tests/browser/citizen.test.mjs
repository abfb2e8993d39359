// What a citizen meets, in a real browser (issue 9): every page type of the
// bundled example, built by the real binary (with --drafts) and served on
// 127.0.0.1, in Debian's chromium at a phone (390×844) and a desktop (1280×800)
// viewport: axe-core finds no violation of any impact (best practices
// included), nothing scrolls sideways at 100 % or 200 % text, primary tap
// targets are at least 44×44 px and no other target is under 24×24 px, no
// request fails, and the refusal notice prints on one A4 (and one A5) page.
// Screenshots of key pages are kept in target/browser-artifacts/citizen/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, launch, offHost, serve, REPO } from './helpers.mjs';

const AXE = readFileSync(join(REPO, 'tests/browser/node_modules/axe-core/axe.min.js'), 'utf8');
const ARTIFACTS = join(REPO, 'target/browser-artifacts/citizen');

/// One page of each type (path from the site root).
const PAGES = {
  home: '',
  register: 'stamp/',
  'item-issue': 'stamp/GZ-001/',
  'item-refuse': 'stamp/GZ-013/',
  'item-flip': 'stamp/GZ-002/',
  'item-work': 'work/SX-001/',
  'item-creation': 'creation/CJ-009/',
  frozen: 'stamp/editions/2015/GZ-002/',
  'frozen-merged': 'stamp/editions/2015/GZ-009/',
  withdrawn: 'stamp/GZ-008/',
  editions: 'stamp/editions/',
  edition: 'stamp/editions/2020/',
  changes: 'changes/',
  departments: 'departments/',
  department: 'departments/police/',
  purposes: 'purposes/',
  purpose: 'purposes/ruxue/',
  about: 'about/',
  guide: 'guide/',
  notice: 'stamp/GZ-013/notice/',
  search: 'search/?q=%E5%B1%85%E4%BD%8F%E8%AF%81%E6%98%8E',
  'search-empty': 'search/?q=zzzzqqq',
  data: 'data/',
  'draft-register': 'draft/stamp/',
  'draft-item': 'draft/stamp/GZ-013/',
  'draft-changes-home': 'draft/',
};

/// Targets a citizen taps to move on: they must be at least 44×44 px.
const PRIMARY = [
  '.brand', '.text-size', '.nav a', '.breadcrumb a', '.items a', '.chips a', '.button',
  '.footer-links a', 'summary', 'a.tel', '.now-link', '.notice-back a',
  '.site-search input', '.site-search button', '.search-row input', '.search-row button',
  '.result-head a', '.facet button', '.search-more',
].join(', ');

const VIEWPORTS = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 800 } };

let site, server, phone, desktop;
before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  site = build({ args: ['--drafts'] });
  server = await serve(site.dir);
  phone = await launch({ viewport: VIEWPORTS.phone });
  desktop = await launch({ viewport: VIEWPORTS.desktop });
});
after(async () => {
  await phone?.close();
  await desktop?.close();
  await server?.close();
  site?.cleanup();
});

const url = (path) => `${server.origin}/${path}`;

async function open(browser, path) {
  const before = browser.failures.length;
  const page = await browser.context.newPage();
  const response = await page.goto(url(path), { waitUntil: 'load' });
  assert.equal(response.status(), 200, path);
  return { page, failures: () => browser.failures.slice(before) };
}

async function axeViolations(page) {
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    // Every rule axe ships that is not experimental: WCAG A/AA/AAA and best practices.
    const result = await window.axe.run(document);
    if (result.passes.length < 10) return [`axe ran only ${result.passes.length} passing rules`];
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')}`);
  });
}

/// Whether the page is wider than the viewport (sideways scrolling).
const overflow = (page) => page.evaluate(() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')]
    .filter((e) => e.getBoundingClientRect().right > width + 1)
    .filter((e) => !e.closest('[hidden], details:not([open])'))
    .slice(0, 3)
    .map((e) => `${e.tagName.toLowerCase()}.${e.className}`);
  return { scroll: document.documentElement.scrollWidth, width, wide };
});

/// Visible targets under a size: primary ones under 44, any non-inline one under 24.
const smallTargets = (page, primary) => page.evaluate((primary) => {
  const visible = (e) => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && !e.closest('details:not([open]) > :not(summary)');
  };
  const size = (e) => {
    const r = e.getBoundingClientRect();
    return `${e.tagName.toLowerCase()}${e.className ? '.' + e.className : ''} "${e.textContent.trim().slice(0, 12)}" ${Math.round(r.width)}×${Math.round(r.height)}`;
  };
  const out = [];
  if (![...document.querySelectorAll(primary)].some(visible)) out.push('no primary target found');
  for (const e of document.querySelectorAll(primary)) {
    if (!visible(e)) continue;
    const r = e.getBoundingClientRect();
    if (r.width < 44 - 0.5 || r.height < 44 - 0.5) out.push(`primary ${size(e)}`);
  }
  for (const e of document.querySelectorAll('a[href], button, summary, input, select')) {
    if (!visible(e) || getComputedStyle(e).display === 'inline') continue;
    const r = e.getBoundingClientRect();
    if (r.width < 24 - 0.5 || r.height < 24 - 0.5) out.push(`target ${size(e)}`);
  }
  return out;
}, primary);

for (const [name, viewport] of Object.entries(VIEWPORTS)) {
  test(`every page type at ${viewport.width}×${viewport.height}: axe, overflow, tap targets, requests`, async () => {
    const browser = name === 'phone' ? phone : desktop;
    const problems = [];
    for (const [type, path] of Object.entries(PAGES)) {
      const { page, failures } = await open(browser, path);
      const where = `${type} (/${path}) at ${name}`;
      for (const v of await axeViolations(page)) problems.push(`${where}: axe ${v}`);
      const normal = await overflow(page);
      if (normal.scroll > normal.width) problems.push(`${where}: ${normal.scroll} px wide at 100 % text: ${normal.wide}`);
      for (const t of await smallTargets(page, PRIMARY)) problems.push(`${where}: ${t}`);
      await page.evaluate(() => { document.documentElement.style.fontSize = '200%'; });
      const large = await overflow(page);
      if (large.scroll > large.width) problems.push(`${where}: ${large.scroll} px wide at 200 % text: ${large.wide}`);
      for (const f of failures()) problems.push(`${where}: failed request ${f}`);
      if (name === 'phone' && ['item-refuse', 'frozen', 'withdrawn', 'notice', 'changes', 'purpose'].includes(type)) {
        await page.evaluate(() => { document.documentElement.style.fontSize = ''; });
        await page.screenshot({ path: join(ARTIFACTS, `${type}-390.png`), fullPage: true });
      }
      await page.close();
    }
    assert.deepEqual(offHost(browser.requests, server.origin), [], 'every request stays on the host');
    assert.deepEqual(problems, []);
  });
}

test('every refusal notice prints on one A4 page and on one A5 page', async () => {
  const notices = readdirSync(join(site.dir, 'stamp'))
    .filter((id) => existsSync(join(site.dir, 'stamp', id, 'notice', 'index.html')));
  assert.ok(notices.length >= 20, `${notices.length} notices`);
  const counts = [];
  for (const id of notices) {
    const { page } = await open(phone, `stamp/${id}/notice/`);
    for (const format of ['A4', 'A5']) {
      const pdf = await page.pdf({ format, printBackground: false });
      const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
      counts.push(`${id} ${format}: ${pages}`);
      assert.ok(pages >= 1, 'the PDF has pages');
    }
    await page.close();
  }
  assert.deepEqual(counts.filter((c) => !c.endsWith(': 1')), [], 'one page each');
  const { page } = await open(phone, PAGES.notice);
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('.notice-back').isVisible(), false, 'no navigation in print');
  await page.screenshot({ path: join(ARTIFACTS, 'notice-print.png'), fullPage: true });
  await page.close();
});

test('the answer comes before the history, which is folded', async () => {
  const { page } = await open(phone, PAGES['item-refuse']);
  const top = (sel) => page.locator(sel).first().evaluate((e) => e.getBoundingClientRect().top + scrollY);
  const ways = await top('.ways');
  assert.ok(ways < 844, `the ways instead start on the first screen (${ways} px)`);
  assert.ok(await top('.currency') < await top('.timeline'));
  assert.equal(await page.locator('.timeline details[open]').count(), 0, 'history starts folded');
  const rowHeight = await page.locator('.timeline > li').first().evaluate((e) => e.getBoundingClientRect().height);
  assert.ok(rowHeight < 120, `a folded entry is one line or two (${rowHeight} px)`);
  await page.locator('.timeline summary').first().click();
  assert.equal(await page.locator('.timeline details[open] table.diff').count(), 1, 'details open on demand');
  await page.close();
});

test('the 大字版 switch enlarges text and persists; without script it stays hidden', async () => {
  const { page } = await open(phone, PAGES['item-refuse']);
  const size = () => page.evaluate(() => parseFloat(getComputedStyle(document.querySelector('.verdict')).fontSize));
  const normal = await size();
  const button = page.locator('.text-size');
  assert.equal(await button.getAttribute('aria-pressed'), 'false');
  await button.click();
  assert.equal(await button.getAttribute('aria-pressed'), 'true');
  assert.ok(await size() > normal * 1.2, 'text grows');
  await page.goto(url(PAGES.changes));
  assert.equal(await page.evaluate(() => document.documentElement.classList.contains('large-text')), true, 'persists across pages');
  await page.locator('.text-size').click();
  await page.close();

  const noScript = await launch({ viewport: VIEWPORTS.phone, javaScriptEnabled: false });
  try {
    const p = await noScript.context.newPage();
    await p.goto(url(PAGES['item-refuse']));
    assert.equal(await p.locator('.text-size').isVisible(), false, 'no dead button without script');
    assert.deepEqual(await smallTargets(p, PRIMARY), []);
    assert.deepEqual(noScript.failures, []);
  } finally {
    await noScript.close();
  }
});

test('the 404 page is styled and its links work when the site is served at /', async () => {
  const { page } = await open(phone, '');
  const response = await page.goto(url('404.html'));
  assert.equal(response.status(), 200);
  // The example's base_url has a path (/minglu/); here it is served at /.
  const background = await page.evaluate(() => getComputedStyle(document.querySelector('.site-header')).backgroundColor);
  assert.equal(background, 'rgb(18, 57, 94)', 'styled');
  const href = await page.locator('main a').first().getAttribute('href');
  assert.equal(href, '/');
  const stamp = await page.locator('main a').nth(1).getAttribute('href');
  const r = await page.goto(new URL(stamp, url('404.html')).href);
  assert.equal(r.status(), 200, `${stamp} resolves`);
  await page.close();
  assert.deepEqual(phone.failures.filter((f) => !/\/nowhere\//.test(f)), []);
});
