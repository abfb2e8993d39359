// The default theme's stylesheets and scripts are compacted as the theme loads
// (src/render/compact/): what a real site serves must mean exactly what the
// sources in themes/default/static/assets/ say. In chromium, each compacted
// stylesheet parses to the same rules as its source (the CSSOM's own
// serialisation, so whitespace cannot hide a change and a declaration the
// compactor broke would be dropped on one side only); the compacted search
// client passes the shared tokenizer vectors like its source; and the search
// page loads only the shared stylesheet.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, launch, serve, REPO } from './helpers.mjs';

const SOURCES = join(REPO, 'themes/default/static/assets');
const vectors = JSON.parse(readFileSync(join(REPO, 'tests/fixtures/search/tokenizer.json'), 'utf8'));

let site, browser;
before(async () => {
  site = build();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  site?.cleanup();
});

/// Every rule of `css` as chromium serialises it (grouping rules with their children).
async function rules(css) {
  const page = await browser.context.newPage();
  try {
    return await page.evaluate((text) => {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(text);
      return [...sheet.cssRules].map((r) => r.cssText);
    }, css);
  } finally {
    await page.close();
  }
}

for (const name of ['style.css', 'pages.css']) {
  test(`compacted ${name} parses to the same rules as its source`, async () => {
    const source = readFileSync(join(SOURCES, name), 'utf8');
    const built = readFileSync(join(site.dir, 'assets', name), 'utf8');
    assert.ok(built.length < source.length * 0.9, `${name}: ${source.length} → ${built.length} bytes`);
    const want = await rules(source);
    const got = await rules(built);
    assert.ok(want.length > 40, `${name} has ${want.length} rules`);
    assert.deepEqual(got, want);
  });
}

test('the compacted search client passes the tokenizer vectors', async () => {
  const built = readFileSync(join(site.dir, 'assets/search.js'));
  const source = readFileSync(join(SOURCES, 'search.js'));
  assert.ok(built.length < source.length * 0.9, `search.js: ${source.length} → ${built.length} bytes`);
  const m = await import('data:text/javascript;base64,' + built.toString('base64'));
  for (const { input, tokens } of vectors.tokenize) {
    assert.deepEqual(m.tokenTexts(input), tokens, `tokenize ${JSON.stringify(input)}`);
  }
  for (const { input, tokens, exact } of vectors.analyze) {
    const q = m.analyze(input);
    assert.deepEqual(q.tokens.map((t) => [t.text, t.weight]), tokens, `analyze ${input}`);
    assert.deepEqual(q.exact, exact, `exact keys of ${input}`);
  }
  for (const { input, hash } of vectors.hash) assert.equal(m.hash(input), hash, input);
});

test('the search page loads the shared stylesheet only; other pages load both', async () => {
  const server = await serve(site.dir);
  const page = await browser.context.newPage();
  try {
    const sheets = async (path) => {
      await page.goto(`${server.origin}/${path}`);
      return page.evaluate(() => [...document.styleSheets].map((s) => new URL(s.href).pathname));
    };
    assert.deepEqual(await sheets('search/?q=juzhu'), ['/assets/style.css']);
    for (const path of ['', 'stamp/GZ-001/', 'stamp/GZ-013/notice/', 'changes/']) {
      assert.deepEqual(await sheets(path), ['/assets/style.css', '/assets/pages.css'], path);
    }
  } finally {
    await page.close();
    await server.close();
  }
});
