// Search in a real browser: the bundled example built by the real binary (with
// --drafts), served on 127.0.0.1, driven in Debian's chromium.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { build, launch, offHost, serve, REPO } from './helpers.mjs';

const questions = JSON.parse(readFileSync(`${REPO}/tests/fixtures/search/questions.json`, 'utf8'))
  .questions.filter((q) => q.browser);

let site, server, browser;
before(async () => {
  site = build({ args: ['--drafts'] });
  server = await serve(site.dir);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
  site?.cleanup();
});

const url = (path) => `${server.origin}/${path}`;

async function open(path) {
  const page = await browser.context.newPage();
  await page.goto(url(path));
  return page;
}

/// The hrefs of the result links, in order, once the status line says how many.
async function results(page) {
  await page.waitForFunction(() => /\d/.test(document.getElementById('search-status').textContent));
  return page.$$eval('#search-results a.result-link', (as) => as.map((a) => a.getAttribute('href')));
}

test('citizen questions: the answer comes first (search/?q=…)', async () => {
  assert.ok(questions.length >= 8);
  for (const { q, first } of questions) {
    const page = await open(`search/?q=${encodeURIComponent(q)}`);
    const hrefs = await results(page);
    assert.match(hrefs[0] || '', new RegExp(`/${first}/$`), `${q}: ${hrefs.slice(0, 5).join(' ')}`);
    await page.close();
  }
});

test('typing searches as you type, updates the URL, and the first result shows its badge and 去哪办', async () => {
  const page = await open('search/');
  await page.locator('#search-q').pressSequentially('zinv ruxue', { delay: 20 });
  await page.waitForFunction(() => document.querySelector('#search-results a.result-link'));
  const first = page.locator('#search-results li.result').first();
  assert.match(await first.locator('a.result-link').getAttribute('href'), /\/stamp\/GZ-012\/$/);
  assert.equal(await first.locator('.badge').first().textContent(), '不予出具');
  assert.match(await first.locator('.result-where').textContent(), /^去哪办：/);
  assert.ok(await first.locator('mark').count() === 0, 'pinyin matches mark no Chinese characters');
  assert.match(new URL(page.url()).search, /q=zinv\+ruxue/);
  // Keyboard: ArrowDown moves from the box to the first result, Escape goes back.
  await page.locator('#search-q').press('ArrowDown');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'result-link');
  await page.keyboard.press('ArrowDown');
  assert.match(await page.evaluate(() => document.activeElement.getAttribute('href')), /\//);
  await page.keyboard.press('Escape');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'search-q');
  await page.close();
});

test('an id however typed, and highlighted matches', async () => {
  const page = await open('search/?q=' + encodeURIComponent('gz 13'));
  assert.match((await results(page))[0], /\/stamp\/GZ-013\/$/);
  await page.close();
  const p2 = await open('search/?q=' + encodeURIComponent('无犯罪记录'));
  await results(p2);
  const marks = await p2.$$eval('#search-results li:first-child mark', (m) => m.map((x) => x.textContent).join(''));
  assert.equal(marks, '无犯罪记录');
  await p2.close();
});

test('no results: a useful empty state with did-you-mean and links', async () => {
  const page = await open('search/?q=jvzhu');
  assert.deepEqual(await results(page), []);
  const empty = page.locator('#search-results .search-empty');
  await empty.waitFor();
  const text = await empty.textContent();
  assert.match(text, /没有找到与“jvzhu”相关的事项/);
  const links = await empty.locator('a').evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute('href')]));
  assert.ok(links.some(([t]) => t.includes('居住')), `did-you-mean: ${JSON.stringify(links)}`);
  assert.ok(links.some(([, h]) => h.endsWith('purposes/')) && links.some(([, h]) => h.endsWith('departments/')));
  await page.close();
});

test('facets with counts filter the results and go into the URL', async () => {
  const page = await open('search/?q=' + encodeURIComponent('证明'));
  const all = await results(page);
  assert.equal(await page.locator('#search-facets button').count(), 0, 'facet values load on opening');
  await page.click('#search-filter summary');
  await page.locator('#search-facets button').first().waitFor();
  const legends = await page.$$eval('#search-facets legend', (l) => l.map((x) => x.textContent));
  assert.deepEqual(legends.slice(0, 2), ['名录', '社区能否出具']);
  assert.ok(legends.includes('部门') && legends.includes('用途'), legends.join());
  const refuse = page.locator('#search-facets button', { hasText: /^不予出具 \(\d+\)$/ });
  const count = Number((await refuse.textContent()).match(/\((\d+)\)/)[1]);
  assert.ok(count > 5 && count < all.length + 100);
  await refuse.click();
  await page.waitForFunction(() => document.querySelector('#search-facets [aria-pressed="true"]'));
  const badges = await page.$$eval('#search-results li.result .badge:first-child', (b) => b.map((x) => x.textContent));
  assert.ok(badges.length > 0 && badges.every((b) => b === '不予出具'), badges.join());
  assert.match(await page.textContent('#search-status'), new RegExp(`找到 ${count} 项`));
  assert.match(decodeURIComponent(new URL(page.url()).search), /v=不予出具/);
  await page.close();
});

test('withdrawn items are marked with their successor; working-copy items stay off the public site', async () => {
  const page = await open('search/?q=' + encodeURIComponent('居民家庭收入及财产情况证明'));
  await results(page);
  const first = page.locator('#search-results li.result').first();
  assert.equal(await first.locator('.badge').first().textContent(), '已退出');
  assert.match(await first.locator('.result-where a').getAttribute('href'), /\/stamp\/GZ-027\/$/);
  await page.close();
  // GZ-034 (健康证明) is only in the working copy: not public, but in /draft/.
  const pub = await open('search/?q=' + encodeURIComponent('健康证明'));
  assert.ok((await results(pub)).every((h) => !h.includes('GZ-034')));
  await pub.close();
  const draft = await open('draft/search/?q=' + encodeURIComponent('健康证明'));
  assert.match((await results(draft))[0], /\/stamp\/GZ-034\/$/);
  await draft.close();
});

test('work and creation items show their own badge', async () => {
  for (const [q, badge] of [['换届选举', '依法履职'], ['文明城市', '下达任务']]) {
    const page = await open('search/?q=' + encodeURIComponent(q));
    await results(page);
    assert.equal(await page.locator('#search-results li.result .badge').first().textContent(), badge, q);
    await page.close();
  }
});

test('the header box on every page GETs search/', async () => {
  const page = await open('stamp/GZ-001/');
  await page.fill('header input[name="q"]', '良民证');
  await page.press('header input[name="q"]', 'Enter');
  await page.waitForURL(/\/search\/\?q=/);
  assert.match((await results(page))[0], /\/stamp\/GZ-014\/$/);
  await page.close();
});

test('an edition page searches inside that edition', async () => {
  const page = await open('stamp/editions/2015/');
  const box = page.locator('main form[role="search"] input[name="q"]');
  await box.fill('暂住证明');
  await box.press('Enter');
  await page.waitForURL(/in=stamp/);
  assert.match((await results(page))[0], /\/stamp\/editions\/2015\/GZ-008\/$/);
  await page.close();
});

test('without JavaScript the page says so and links to the lists', async () => {
  const noJs = await launch({ javaScriptEnabled: false });
  try {
    const page = await noJs.context.newPage();
    await page.goto(url('search/?q=x'));
    const text = await page.textContent('main');
    assert.match(text, /搜索需要浏览器启用 JavaScript/);
    const hrefs = await page.$$eval('main a', (as) => as.map((a) => a.getAttribute('href')));
    for (const want of ['../stamp/', '../purposes/', '../departments/']) assert.ok(hrefs.includes(want), hrefs.join(' '));
  } finally {
    await noJs.close();
  }
});

test('no request left the host and none failed', () => {
  assert.ok(browser.requests.length > 20);
  assert.deepEqual(offHost(browser.requests, server.origin), []);
  assert.deepEqual(browser.failures, []);
});
