// The shared tokenizer vectors against the browser client's tokenizer
// (the Rust side runs the same file in tests/it/search.rs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tokenTexts, analyze, hash } from '../../themes/default/static/assets/search.js';

const vectors = JSON.parse(
  readFileSync(new URL('../fixtures/search/tokenizer.json', import.meta.url), 'utf8'),
);

test('tokenize vectors', () => {
  assert.ok(vectors.tokenize.length >= 20);
  for (const { input, tokens } of vectors.tokenize) {
    assert.deepEqual(tokenTexts(input), tokens, `tokenize ${JSON.stringify(input)}`);
  }
});

test('analyze vectors (weights and exact keys)', () => {
  for (const { input, tokens, exact } of vectors.analyze) {
    const q = analyze(input);
    assert.deepEqual(q.tokens.map((t) => [t.text, t.weight]), tokens, `analyze ${input}`);
    assert.deepEqual(q.exact, exact, `exact keys of ${input}`);
  }
});

test('hash vectors', () => {
  for (const { input, hash: h } of vectors.hash) assert.equal(hash(input), h, input);
});
