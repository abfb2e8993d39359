//! SEARCH (index): field weights, postings, and the files the browser fetches.
//!
//! Body text contributes pairs of characters, words and ids, but not single
//! characters (which match nearly every item). Each (token, item) pair gets one
//! impact byte: the sum over fields of the field's weight times a saturated term
//! frequency, scaled by the item's status (withdrawn and upcoming items sink),
//! quantised to 1–255. Tokens that appear in very many items keep only their
//! [`MAX_POSTINGS`] highest-impact postings (their document frequency stays
//! exact, so the score's IDF does not change).
//!
//! Files, relative to the index folder:
//!
//! - `manifest.json`: format version, item count, shard count, record chunk size;
//! - `s/<n>.gz`: shard `n` (gzip) holds the tokens whose FNV-1a hash modulo the
//!   shard count is `n`: per token its UTF-8 length (1 byte), bytes, document
//!   frequency and posting count (LEB128), then per posting the ordinal's delta
//!   (LEB128) and the impact byte;
//! - `r/<n>.gz`: records of items `n·C … n·C+C-1` as a JSON array of arrays
//!   `[url, id, title, register, verdict, status, department, how, successor title,
//!   successor url, badge]`;
//! - `f.gz`: facet values of every item, `{"r":[…],"d":[…],"p":[…],"f":[[register,
//!   verdict, status, [departments], [purposes]], …]}`;
//! - `a.gz`: titles and aliases with their pinyin, for "did you mean".

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::json;

use super::tokenize::{self, normalize};
use super::{Doc, DocStatus, DocVerdict, pinyin};

/// Field weights: title and aliases ≫ purposes and category > summary, ways
/// instead and departments > body text.
pub const WEIGHT_TITLE: f64 = 10.0;
/// Aliases (别名/俗称).
pub const WEIGHT_ALIAS: f64 = 8.0;
/// The item id.
pub const WEIGHT_ID: f64 = 10.0;
/// 办理用途.
pub const WEIGHT_PURPOSE: f64 = 5.0;
/// Category.
pub const WEIGHT_CATEGORY: f64 = 4.0;
/// Summary.
pub const WEIGHT_SUMMARY: f64 = 2.0;
/// Ways instead.
pub const WEIGHT_WAYS: f64 = 2.0;
/// Departments.
pub const WEIGHT_DEPARTMENTS: f64 = 2.0;
/// Body text.
pub const WEIGHT_BODY: f64 = 1.0;

/// Postings kept per token (the highest impacts).
pub const MAX_POSTINGS: usize = 160;
/// Items per record file of the public and draft indexes.
pub const CHUNK: usize = 4;
/// Longest "how" text kept in a record, in characters.
pub const HOW_CHARS: usize = 56;
/// Index format version (in the manifest).
pub const VERSION: u32 = 1;

/// A token's postings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Postings<'a> {
    /// How many items contain it (before truncation).
    pub df: u32,
    /// (item ordinal, impact), ordered by ordinal.
    pub list: &'a [(u32, u8)],
}

/// Compresses a file's bytes at a gzip level (0–9) into a gzip file.
pub type Compress<'a> = dyn Fn(&[u8], u32) -> Vec<u8> + Sync + 'a;

/// A token of an index and where its postings are in [`Index::flat`].
#[derive(Debug)]
struct Entry {
    token: Arc<str>,
    df: u32,
    start: usize,
    end: usize,
}

/// A built index: the items in ordinal order and every token's postings.
#[derive(Debug)]
pub struct Index {
    /// Items; the position is the ordinal.
    pub docs: Vec<Doc>,
    /// Every token (or `=` exact key), ordered by token.
    entries: Vec<Entry>,
    /// The postings of all tokens, one token's after another's.
    flat: Vec<(u32, u8)>,
    /// How the files are cut.
    pub layout: Layout,
    /// The "did you mean" table (`a.gz` before compression).
    suggestions: String,
}

fn saturate(tf: u32) -> f64 {
    let tf = f64::from(tf);
    tf * 2.2 / (tf + 1.2)
}

fn status_factor(status: DocStatus) -> f64 {
    match status {
        DocStatus::Current => 1.0,
        DocStatus::Upcoming => 0.8,
        DocStatus::Withdrawn => 0.5,
    }
}

/// FNV-1a as a `Hasher`: fast for the short token strings the indexer counts.
#[derive(Default)]
pub struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// A hash map keyed by token, with [`Fnv`].
pub type TokenMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<Fnv>>;

/// The fields of an item, in the order of [`FIELD_WEIGHTS`].
const FIELDS: usize = 9;
/// Title, aliases, id, purposes, category, summary, ways, departments, body.
const FIELD_WEIGHTS: [f64; FIELDS] = [
    WEIGHT_TITLE,
    WEIGHT_ALIAS,
    WEIGHT_ID,
    WEIGHT_PURPOSE,
    WEIGHT_CATEGORY,
    WEIGHT_SUMMARY,
    WEIGHT_WAYS,
    WEIGHT_DEPARTMENTS,
    WEIGHT_BODY,
];

/// Term frequencies per field of one item; tokens borrowed from the item's
/// normalised text where they are slices of it.
#[derive(Default)]
struct Counts<'a>(TokenMap<Cow<'a, str>, [u32; FIELDS]>);

impl<'a> Counts<'a> {
    fn add(&mut self, field: usize, token: Cow<'a, str>) {
        if let Some(tf) = self.0.get_mut(token.as_ref()) {
            tf[field] += 1;
        } else {
            let mut tf = [0; FIELDS];
            tf[field] = 1;
            self.0.insert(token, tf);
        }
    }

    fn text(&mut self, field: usize, normalized: &'a str) {
        tokenize::for_each_token(normalized, |t| self.add(field, t));
    }

    /// Like [`Counts::text`] without single Han characters: in long text they
    /// match almost every item and would only bloat the index.
    fn long_text(&mut self, field: usize, normalized: &'a str) {
        tokenize::for_each_token(normalized, |t| {
            let mut chars = t.chars();
            let single_han =
                matches!((chars.next(), chars.next()), (Some(c), None) if tokenize::is_han(c));
            if !single_han {
                self.add(field, t);
            }
        });
    }
}

/// One item's tokens with their impacts before the status factor and
/// quantisation (in no particular order), and its exact keys.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Terms {
    /// Every token's text, one after another (one allocation for all of them).
    pub text: String,
    /// (where the token ends in `text`, impact); each starts where the one
    /// before ends.
    pub tokens: Vec<(u32, f64)>,
    /// `=` keys of the whole title, aliases, their pinyin and the id.
    pub exact: Vec<String>,
    /// The pinyin exact keys (full, initials) of the title and of each alias,
    /// in that order, for "did you mean".
    pub spell: Vec<Option<[String; 2]>>,
}

/// How an index's files are cut: items per record chunk, target bytes per shard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Items per record file.
    pub chunk: usize,
    /// About how many bytes of postings per shard.
    pub shard_bytes: usize,
    /// The gzip level of the shards, facets and suggestions (0–9).
    pub gzip: u32,
    /// The gzip level of the record chunks: many small files, which a fast
    /// level makes a few percent larger.
    pub gzip_records: u32,
}

/// For the public site and `/draft/`: small files, so a query downloads little
/// (record chunks compressed fast: they are most of the files, and a query
/// fetches few of them).
pub const COMPACT: Layout = Layout {
    chunk: CHUNK,
    shard_bytes: 1024,
    gzip: 4,
    gzip_records: 1,
};
/// For frozen editions (searched rarely): few, larger files compressed
/// fast, so the many editions of a big site add little to the build.
pub const ARCHIVE: Layout = Layout {
    chunk: 64,
    shard_bytes: 16 * 1024,
    gzip: 1,
    gzip_records: 1,
};

/// The impact of every token of one item, and its exact keys.
pub fn doc_terms(doc: &Doc) -> Terms {
    // Every field normalised first, so the counts can borrow their tokens.
    let mut texts: Vec<(usize, String)> = Vec::new();
    let mut field = |n: usize, text: &str| texts.push((n, normalize(text)));
    field(0, &doc.title);
    doc.aliases.iter().for_each(|a| field(1, a));
    field(2, &doc.id);
    doc.purposes.iter().for_each(|p| field(3, p));
    field(4, &doc.category);
    field(5, &doc.summary);
    for w in &doc.ways {
        w.department.iter().for_each(|d| field(6, d));
        field(6, &w.how);
    }
    doc.departments.iter().for_each(|d| field(7, d));
    field(8, &doc.body);
    let mut c = Counts::default();
    c.0.reserve(texts.iter().map(|(_, t)| t.len() / 2).sum());
    for (n, text) in &texts {
        if *n == 8 {
            c.long_text(*n, text);
        } else {
            c.text(*n, text);
        }
    }
    let mut spellings: Vec<pinyin::Spelling> = texts
        .iter()
        .filter(|(n, _)| *n <= 1)
        .map(|(_, t)| pinyin::spell(t))
        .collect();
    for (k, spelling) in spellings.iter_mut().enumerate() {
        for t in std::mem::take(&mut spelling.pairs) {
            c.add(usize::from(k > 0), Cow::Owned(t));
        }
    }
    let mut text = String::with_capacity(c.0.keys().map(|t| t.len()).sum());
    let tokens: Vec<(u32, f64)> =
        c.0.into_iter()
            .map(|(t, tf)| {
                let impact = tf
                    .iter()
                    .zip(FIELD_WEIGHTS)
                    .filter(|(n, _)| **n > 0)
                    .map(|(n, w)| w * saturate(*n))
                    .sum();
                text.push_str(&t);
                let end = u32::try_from(text.len()).expect("an item's text is under 4 GB");
                (end, impact)
            })
            .collect();
    let mut exact = Vec::new();
    for ((_, text), spelling) in texts.iter().filter(|(n, _)| *n <= 1).zip(&spellings) {
        exact.push(format!("={}", tokenize::compact(text)));
        exact.extend(spelling.exact.iter().flatten().cloned());
    }
    exact.push(format!("={}", tokenize::compact(&normalize(&doc.id))));
    exact.retain(|k| k.len() > 1);
    exact.sort();
    exact.dedup();
    let spell = spellings.into_iter().map(|s| s.exact).collect();
    Terms {
        text,
        tokens,
        exact,
        spell,
    }
}

/// An impact scaled by the item's status, quantised to 1–255.
///
/// Rounds half away from zero like `f64::round`, without its library call: for
/// a positive `v`, `v + 0.5` truncated is `v.round()` but for `v` just under
/// ½, which the clamp to 1 makes equal again (a test compares them).
pub fn quantize(impact: f64, status: DocStatus) -> u8 {
    let v = (impact * status_factor(status) * 4.0 + 0.5).clamp(1.0, 255.0);
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "in 1.0..=255.0 after the clamp: truncating is rounding the value before the ½"
    )]
    let q = v as u8;
    q
}

/// Token strings and their numbers, shared by every index of a build, so each
/// item's terms are kept as numbers (a fraction of the memory of strings).
#[derive(Debug, Default)]
pub struct Interner {
    ids: TokenMap<Arc<str>, u32>,
    names: Vec<Arc<str>>,
    /// Each token's position in name order, for the tokens numbered when
    /// [`Interner::rank`] last ran (an index lists its tokens in name order).
    ranks: Vec<u32>,
    /// Token numbers in name order (the inverse of `ranks`).
    by_name: Vec<u32>,
}

/// One item's terms with tokens as [`Interner`] numbers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Compact {
    /// (token number, impact before status and quantisation).
    pub tokens: Vec<(u32, f32)>,
    /// Exact keys' numbers.
    pub exact: Vec<u32>,
    /// [`Terms::spell`] as numbers.
    pub spell: Vec<Option<[u32; 2]>>,
}

impl Terms {
    /// Each token with its impact.
    pub fn tokens(&self) -> impl Iterator<Item = (&str, f64)> + '_ {
        let mut start = 0;
        self.tokens.iter().map(move |&(end, impact)| {
            let token = &self.text[start as usize..end as usize];
            start = end;
            (token, impact)
        })
    }
}

impl Interner {
    fn id(&mut self, token: &str) -> u32 {
        if let Some(id) = self.ids.get(token) {
            return *id;
        }
        let id = u32::try_from(self.names.len()).expect("fewer than 4 billion tokens");
        let name: Arc<str> = token.into();
        self.names.push(Arc::clone(&name));
        self.ids.insert(name, id);
        id
    }

    /// The token numbered `id`.
    pub fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    /// Brings the name order up to date with the tokens numbered since the
    /// last call: the new ones are sorted and merged into the old order.
    pub fn rank(&mut self) {
        let known = self.ranks.len();
        if known == self.names.len() {
            return;
        }
        let to_u32 = |n: usize| u32::try_from(n).expect("fewer than 4 billion tokens");
        let mut new: Vec<u32> = (to_u32(known)..to_u32(self.names.len())).collect();
        new.sort_unstable_by(|a, b| self.names[*a as usize].cmp(&self.names[*b as usize]));
        let mut merged = Vec::with_capacity(self.names.len());
        let (mut old, mut new) = (self.by_name.iter().peekable(), new.iter().peekable());
        while let (Some(&&a), Some(&&b)) = (old.peek(), new.peek()) {
            if self.names[a as usize] <= self.names[b as usize] {
                merged.push(a);
                old.next();
            } else {
                merged.push(b);
                new.next();
            }
        }
        merged.extend(old.chain(new));
        self.ranks = vec![0; merged.len()];
        for (rank, &token) in merged.iter().enumerate() {
            self.ranks[token as usize] = to_u32(rank);
        }
        self.by_name = merged;
    }

    /// Numbers the tokens of `terms`.
    pub fn compact(&mut self, terms: &Terms) -> Compact {
        Compact {
            #[expect(
                clippy::cast_possible_truncation,
                reason = "impacts are small; f32 keeps far more precision than the quantisation"
            )]
            tokens: terms
                .tokens()
                .map(|(t, v)| (self.id(t), v as f32))
                .collect(),
            exact: terms.exact.iter().map(|k| self.id(k)).collect(),
            spell: terms
                .spell
                .iter()
                .map(|keys| {
                    keys.as_ref()
                        .map(|[full, initials]| [self.id(full), self.id(initials)])
                })
                .collect(),
        }
    }
}

impl Index {
    /// Indexes `docs` (their order is the ordinal order) with the compact layout.
    pub fn build(docs: Vec<Doc>) -> Index {
        let mut interner = Interner::default();
        let terms: Vec<Compact> = docs
            .par_iter()
            .map(doc_terms)
            .collect::<Vec<_>>()
            .into_iter()
            .map(|t| interner.compact(&t))
            .collect();
        interner.rank();
        let refs: Vec<&Compact> = terms.iter().collect();
        Index::from_terms(docs, &refs, &interner, COMPACT)
    }

    /// Indexes `docs` whose terms are already known (`terms[i]` belongs to `docs[i]`).
    pub fn from_terms(
        docs: Vec<Doc>,
        terms: &[&Compact],
        interner: &Interner,
        layout: Layout,
    ) -> Index {
        assert_eq!(
            interner.ranks.len(),
            interner.names.len(),
            "Interner::rank runs before an index is built"
        );
        // A counting sort by the token's rank, so the lists come out in name
        // order, each in ordinal order, in one allocation.
        let ranks = &interner.ranks;
        let mut next = vec![0_usize; ranks.len() + 1];
        for t in terms {
            for &(token, _) in &t.tokens {
                next[ranks[token as usize] as usize + 1] += 1;
            }
            for &key in &t.exact {
                next[ranks[key as usize] as usize + 1] += 1;
            }
        }
        for r in 1..next.len() {
            next[r] += next[r - 1];
        }
        let mut flat = vec![(0, 0); next[ranks.len()]];
        let mut put = |rank: u32, posting: (u32, u8)| {
            flat[next[rank as usize]] = posting;
            next[rank as usize] += 1;
        };
        for (ord, (doc, t)) in docs.iter().zip(terms).enumerate() {
            let ord = u32::try_from(ord).expect("fewer than 4 billion items");
            for &(token, impact) in &t.tokens {
                let impact = quantize(f64::from(impact), doc.status);
                put(ranks[token as usize], (ord, impact));
            }
            for &key in &t.exact {
                put(ranks[key as usize], (ord, 255));
            }
        }
        // Each rank's list now ends where the next one's starts: `next` has
        // moved one list along.
        let mut entries = Vec::new();
        let mut start = 0;
        for (rank, &end) in next[..ranks.len()].iter().enumerate() {
            let all = end;
            if start == all {
                continue;
            }
            let end = start + truncate(&mut flat[start..all]);
            entries.push(Entry {
                token: Arc::clone(&interner.names[interner.by_name[rank] as usize]),
                df: u32::try_from(all - start).unwrap_or(u32::MAX),
                start,
                end,
            });
            start = all;
        }
        let spelled: Vec<Vec<String>> = docs
            .iter()
            .zip(terms)
            .map(|(doc, t)| suggestion_entries(doc, t, interner))
            .collect();
        let suggestions = suggestions(spelled.iter().map(Vec::as_slice));
        Index {
            docs,
            entries,
            flat,
            layout,
            suggestions,
        }
    }

    /// The postings of `token` (or `=` exact key), if any item has it.
    pub fn postings(&self, token: &str) -> Option<Postings<'_>> {
        self.entries
            .binary_search_by(|e| (*e.token).cmp(token))
            .ok()
            .map(|at| self.entry(&self.entries[at]))
    }

    fn entry(&self, e: &Entry) -> Postings<'_> {
        Postings {
            df: e.df,
            list: &self.flat[e.start..e.end],
        }
    }

    /// How many shards: about [`Layout::shard_bytes`] of postings each, a power of two.
    pub fn shard_count(&self) -> u32 {
        let bytes: usize = self
            .entries
            .iter()
            .map(|e| entry_bytes(&e.token, e.end - e.start))
            .sum();
        shard_count(bytes, self.layout)
    }

    /// Every file of the index, paths relative to its folder.
    pub fn files(&self) -> Vec<(String, Vec<u8>)> {
        self.files_with(&|bytes, level| gzip_at(bytes, flate2::Compression::new(level)))
    }

    /// [`Index::files`], compressing each file's bytes at a level with `gz`
    /// (which may remember what it compressed before).
    pub fn files_with(&self, gz: &Compress<'_>) -> Vec<(String, Vec<u8>)> {
        let shards = self.shard_count();
        let mut out = vec![(
            "manifest.json".to_owned(),
            manifest(self.docs.len(), shards, self.layout),
        )];
        out.extend(self.shards(shards, gz));
        let records: Vec<(String, Vec<u8>)> = self
            .docs
            .par_chunks(self.layout.chunk)
            .enumerate()
            .map(|(n, chunk)| {
                let json = record_chunk(chunk);
                (
                    format!("r/{n}.gz"),
                    gz(json.as_bytes(), self.layout.gzip_records),
                )
            })
            .collect();
        out.extend(records);
        out.push((
            "f.gz".to_owned(),
            gz(facets(&self.docs).as_bytes(), self.layout.gzip),
        ));
        out.push((
            "a.gz".to_owned(),
            gz(self.suggestions.as_bytes(), self.layout.gzip),
        ));
        out
    }

    fn shards(&self, shards: u32, gz: &Compress<'_>) -> Vec<(String, Vec<u8>)> {
        let mut bins: Vec<Vec<u8>> = vec![Vec::new(); shards as usize];
        for e in &self.entries {
            let bin = &mut bins[(tokenize::hash(&e.token) & (shards - 1)) as usize];
            encode_entry(bin, &e.token, self.entry(e));
        }
        // Empty shards are written too, so no lookup ever ends in a 404.
        bins.par_iter()
            .enumerate()
            .map(|(n, b)| (format!("s/{n}.gz"), gz(b, self.layout.gzip)))
            .collect()
    }
}

/// A token's size in the postings, for the shard count.
pub(crate) fn entry_bytes(token: &str, kept: usize) -> usize {
    token.len() + 4 + kept * 2
}

/// How many shards an index with `bytes` of postings ([`entry_bytes`]) has.
pub(crate) fn shard_count(bytes: usize, layout: Layout) -> u32 {
    u32::try_from(
        (bytes / layout.shard_bytes)
            .clamp(1, 4096)
            .next_power_of_two(),
    )
    .unwrap_or(4096)
}

/// Cuts a token's postings (in ordinal order) to its [`MAX_POSTINGS`] highest
/// impacts (ties: the lower ordinal), kept at the front in ordinal order;
/// returns how many are kept.
pub(crate) fn truncate(list: &mut [(u32, u8)]) -> usize {
    if list.len() <= MAX_POSTINGS {
        return list.len();
    }
    if list.is_sorted_by_key(|p| p.0) {
        return truncate_sorted(list);
    }
    list.select_nth_unstable_by(MAX_POSTINGS - 1, |a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    list[..MAX_POSTINGS].sort_unstable();
    MAX_POSTINGS
}

/// [`truncate`] of a list longer than [`MAX_POSTINGS`] in ordinal order,
/// without sorting: a count of each impact gives the lowest impact kept,
/// then one pass keeps every higher one and the first (lowest-ordinal) ones
/// of that impact.
fn truncate_sorted(list: &mut [(u32, u8)]) -> usize {
    let mut count = [0_usize; 256];
    for p in &*list {
        count[usize::from(p.1)] += 1;
    }
    let (mut lowest, mut above) = (255_u8, 0);
    while above + count[usize::from(lowest)] < MAX_POSTINGS {
        above += count[usize::from(lowest)];
        lowest -= 1;
    }
    let mut ties = MAX_POSTINGS - above;
    let mut kept = 0;
    for at in 0..list.len() {
        let p = list[at];
        if p.1 > lowest || (p.1 == lowest && ties > 0) {
            if p.1 == lowest {
                ties -= 1;
            }
            list[kept] = p;
            kept += 1;
        }
    }
    kept
}

/// Appends one token's entry to a shard's bytes (nothing for a token longer
/// than 255 bytes, which no query can have).
pub(crate) fn encode_entry(bin: &mut Vec<u8>, token: &str, p: Postings<'_>) {
    let Ok(len) = u8::try_from(token.len()) else {
        return;
    };
    bin.push(len);
    bin.extend_from_slice(token.as_bytes());
    leb128(bin, p.df);
    leb128(bin, u32::try_from(p.list.len()).unwrap_or(u32::MAX));
    let mut last = 0;
    for &(ord, impact) in p.list {
        leb128(bin, ord - last);
        bin.push(impact);
        last = ord;
    }
}

/// `manifest.json` of an index of `n` items in `shards` shards.
pub(crate) fn manifest(n: usize, shards: u32, layout: Layout) -> Vec<u8> {
    json!({"v": VERSION, "n": n, "s": shards, "c": layout.chunk})
        .to_string()
        .into_bytes()
}

/// One record file (`r/<n>.gz` before compression): the records of `chunk`.
pub(crate) fn record_chunk(chunk: &[Doc]) -> String {
    let records: Vec<Record<'_>> = chunk.iter().map(record).collect();
    serde_json::to_string(&records).expect("records serialise")
}

/// The facets file (`f.gz` before compression) of items in ordinal order:
/// the JSON object with its keys in order, written directly (no
/// `serde_json::Value` per item).
pub(crate) fn facets(docs: &[Doc]) -> String {
    use std::fmt::Write as _;
    let mut tables: [Vec<&str>; 3] = Default::default();
    let mut rows = String::with_capacity(docs.len() * 16);
    let list = |out: &mut String, values: &[usize]| {
        out.push('[');
        for (n, v) in values.iter().enumerate() {
            if n > 0 {
                out.push(',');
            }
            write!(out, "{v}").expect("writing to a string");
        }
        out.push(']');
    };
    let mut ids = Vec::new();
    for (n, doc) in docs.iter().enumerate() {
        let r = intern(&mut tables[0], &doc.register);
        let (verdict, status) = (verdict_code(doc.verdict), status_code(doc.status));
        if n > 0 {
            rows.push(',');
        }
        write!(rows, "[{r},{verdict},{status},").expect("writing to a string");
        ids.clear();
        ids.extend(doc.departments.iter().map(|x| intern(&mut tables[1], x)));
        list(&mut rows, &ids);
        rows.push(',');
        ids.clear();
        ids.extend(doc.purposes.iter().map(|x| intern(&mut tables[2], x)));
        list(&mut rows, &ids);
        rows.push(']');
    }
    let table = |t: &[&str]| serde_json::to_string(t).expect("strings serialise");
    format!(
        "{{\"d\":{},\"f\":[{rows}],\"p\":{},\"r\":{}}}",
        table(&tables[1]),
        table(&tables[2]),
        table(&tables[0])
    )
}

/// One item's entries of the "did you mean" table: its title and aliases
/// with their pinyin keys (without the `=`), each `[text, full, initials]` as
/// JSON.
pub(crate) fn suggestion_entries(doc: &Doc, terms: &Compact, interner: &Interner) -> Vec<String> {
    std::iter::once(&doc.title)
        .chain(&doc.aliases)
        .zip(&terms.spell)
        .map(|(text, keys)| {
            let key = |k: usize| keys.map_or("", |ks| &interner.names[ks[k] as usize][1..]);
            serde_json::to_string(&(text, key(0), key(1))).expect("strings serialise")
        })
        .collect()
}

/// The "did you mean" table (`a.gz` before compression) from the items'
/// [`suggestion_entries`] in ordinal order: `[[text, full, initials], …]`,
/// each text once (an entry follows from its text, so equal texts have equal
/// entries).
pub(crate) fn suggestions<'a>(entries: impl Iterator<Item = &'a [String]>) -> String {
    let mut seen: std::collections::HashSet<&str, std::hash::BuildHasherDefault<Fnv>> =
        std::collections::HashSet::default();
    let mut out = String::from("[");
    for entry in entries.flatten() {
        if seen.insert(entry) {
            if out.len() > 1 {
                out.push(',');
            }
            out.push_str(entry);
        }
    }
    out.push(']');
    out
}

fn intern<'a>(table: &mut Vec<&'a str>, value: &'a str) -> usize {
    if let Some(i) = table.iter().position(|v| *v == value) {
        i
    } else {
        table.push(value);
        table.len() - 1
    }
}

fn verdict_code(v: DocVerdict) -> u8 {
    match v {
        DocVerdict::None => 0,
        DocVerdict::Issue => 1,
        DocVerdict::Refuse => 2,
    }
}

fn status_code(s: DocStatus) -> u8 {
    match s {
        DocStatus::Current => 0,
        DocStatus::Upcoming => 1,
        DocStatus::Withdrawn => 2,
    }
}

/// A result record as the client reads it (serialised as a JSON array).
type Record<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    u8,
    u8,
    &'a str,
    String,
    &'a str,
    &'a str,
    &'a str,
);

/// The record the client renders a result from, without fetching the page.
fn record(doc: &Doc) -> Record<'_> {
    let way = doc
        .ways
        .iter()
        .find(|w| w.department.is_some())
        .or(doc.ways.first());
    let how: String = way.map_or(String::new(), |w| {
        let mut s: String = w.how.chars().take(HOW_CHARS).collect();
        if w.how.chars().count() > HOW_CHARS {
            s.push('…');
        }
        s
    });
    let (st, su) = doc
        .successor
        .as_ref()
        .map_or(("", ""), |(t, u)| (t.as_str(), u.as_str()));
    (
        &doc.url,
        &doc.id,
        &doc.title,
        &doc.register,
        verdict_code(doc.verdict),
        status_code(doc.status),
        way.and_then(|w| w.department.as_deref())
            .unwrap_or_default(),
        how,
        st,
        su,
        doc.badge.as_deref().unwrap_or_default(),
    )
}

fn leb128(out: &mut Vec<u8>, mut n: u32) {
    loop {
        let byte = u8::try_from(n & 0x7f).expect("masked to 7 bits");
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// The gzip header minglu writes: no name, no timestamp, unknown OS, and the
/// extra flags byte (XFL, byte 8) of RFC 1952: 2 for the slowest level, 4 for
/// the fastest (the bytes `flate2::GzBuilder` writes).
fn gzip_header(level: flate2::Compression) -> [u8; 10] {
    let xfl = match level.level() {
        9.. => 2,
        ..=1 => 4,
        _ => 0,
    };
    [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, xfl, 0xff]
}

/// Gzip at `level`, with no timestamp (reproducible output). Each thread
/// keeps one compressor per level and resets it between files: a fresh
/// compressor allocates and clears hundreds of kilobytes, more than
/// compressing a kilobyte-sized shard costs.
pub fn gzip_at(bytes: &[u8], level: flate2::Compression) -> Vec<u8> {
    use std::cell::RefCell;
    thread_local! {
        static COMPRESSORS: RefCell<Vec<(u32, flate2::Compress)>> = const { RefCell::new(Vec::new()) };
    }
    let mut out = Vec::with_capacity(bytes.len() / 2 + 64);
    out.extend_from_slice(&gzip_header(level));
    COMPRESSORS.with_borrow_mut(|compressors| {
        let at = if let Some(at) = compressors.iter().position(|(l, _)| *l == level.level()) {
            compressors[at].1.reset();
            at
        } else {
            compressors.push((level.level(), flate2::Compress::new(level, false)));
            compressors.len() - 1
        };
        let deflate = &mut compressors[at].1;
        loop {
            let read = usize::try_from(deflate.total_in()).expect("in memory");
            let status = deflate
                .compress_vec(&bytes[read..], &mut out, flate2::FlushCompress::Finish)
                .expect("deflating to memory");
            if status == flate2::Status::StreamEnd {
                break;
            }
            out.reserve(out.capacity().max(256));
        }
    });
    let mut crc = flate2::Crc::new();
    crc.update(bytes);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    // ISIZE is the length modulo 2^32 (RFC 1952).
    #[expect(
        clippy::cast_possible_truncation,
        reason = "the gzip trailer keeps the length modulo 2^32"
    )]
    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::search::Way;

    pub(crate) fn doc(id: &str, title: &str, aliases: &[&str]) -> Doc {
        Doc {
            url: format!("stamp/{id}/"),
            register_key: "stamp".into(),
            register: "盖章事项".into(),
            id: id.into(),
            title: title.into(),
            aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
            category: "住所居住".into(),
            purposes: vec!["入学".into()],
            summary: String::new(),
            verdict: DocVerdict::Refuse,
            badge: None,
            status: DocStatus::Current,
            ways: vec![Way {
                department: Some("教育局".into()),
                how: "到教育局".into(),
            }],
            departments: vec!["教育局".into()],
            body: "社区".repeat(3),
            successor: None,
        }
    }

    #[test]
    fn gzip_matches_a_fresh_encoder_and_reuse_changes_nothing() {
        let long = "居住证明 juzhu".repeat(300);
        let sevens = vec![7_u8; 70_000];
        let texts: [&[u8]; 4] = [b"", long.as_bytes(), b"x", &sevens];
        for level in [flate2::Compression::default(), flate2::Compression::fast()] {
            for text in texts {
                let mut e = flate2::GzBuilder::new().write(Vec::new(), level);
                std::io::Write::write_all(&mut e, text).expect("memory");
                let fresh = e.finish().expect("memory");
                assert_eq!(
                    gzip_at(text, level),
                    fresh,
                    "{} bytes at {level:?}",
                    text.len()
                );
            }
        }
    }

    /// The facets as a `serde_json::Value`, the way the file was first
    /// written: the direct writer must give the same bytes.
    fn facets_by_value(docs: &[Doc]) -> String {
        let mut tables: [Vec<&str>; 3] = Default::default();
        let rows: Vec<serde_json::Value> = docs
            .iter()
            .map(|doc| {
                let r = intern(&mut tables[0], &doc.register);
                let d: Vec<usize> = doc
                    .departments
                    .iter()
                    .map(|x| intern(&mut tables[1], x))
                    .collect();
                let p: Vec<usize> = doc
                    .purposes
                    .iter()
                    .map(|x| intern(&mut tables[2], x))
                    .collect();
                json!([r, verdict_code(doc.verdict), status_code(doc.status), d, p])
            })
            .collect();
        json!({"r": tables[0], "d": tables[1], "p": tables[2], "f": rows}).to_string()
    }

    #[test]
    fn truncating_an_ordered_list_keeps_what_selecting_keeps() {
        let select = |mut list: Vec<(u32, u8)>| {
            list.select_nth_unstable_by(MAX_POSTINGS - 1, |a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            list.truncate(MAX_POSTINGS);
            list.sort_unstable();
            list
        };
        // A small generator of impacts: few distinct values, so many ties.
        let mut seed = 12_345_u32;
        let mut next = |spread: u32| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            u8::try_from((seed >> 16) % spread).expect("under 256") + 1
        };
        for (len, spread) in [
            (161, 2),
            (161, 255),
            (300, 1),
            (300, 3),
            (2000, 40),
            (5000, 255),
        ] {
            let list: Vec<(u32, u8)> = (0..len).map(|n| (n * 3, next(spread))).collect();
            let mut cut = list.clone();
            let kept = truncate(&mut cut);
            assert_eq!(
                cut[..kept],
                select(list)[..],
                "{len} postings, {spread} impacts"
            );
        }
    }

    #[test]
    fn quantize_rounds_like_f64_round() {
        let by_round = |impact: f64, status| {
            let v = (impact * status_factor(status) * 4.0)
                .round()
                .clamp(1.0, 255.0);
            format!("{v}")
        };
        let mut impacts: Vec<f64> = (0..200_000).map(|n| f64::from(n) / 2048.0).collect();
        // Halves and the neighbours of halves (and of ½ itself).
        for n in 0..600 {
            let half = f64::from(n) / 8.0 + 0.125 / 4.0;
            impacts.extend([half, half.next_down(), half.next_up()]);
        }
        impacts.extend([0.124_999_999_999_999_99, 70.0, 1e9, 0.0]);
        for impact in impacts {
            for status in [
                DocStatus::Current,
                DocStatus::Upcoming,
                DocStatus::Withdrawn,
            ] {
                let q = quantize(impact, status);
                assert_eq!(
                    format!("{q}"),
                    by_round(impact, status),
                    "{impact} {status:?}"
                );
            }
        }
    }

    #[test]
    fn facets_are_the_json_of_their_values() {
        let mut docs = [
            doc("GZ-001", "居住证明", &[]),
            doc("GZ-002", "亲属关系证明", &["亲属"]),
            doc("GZ-003", "无犯罪记录", &[]),
        ];
        docs[1].departments = vec!["公安局".into(), "教育局".into(), "\"引号\"\\局".into()];
        docs[1].purposes.clear();
        docs[2].register = "工作事项".into();
        docs[2].status = DocStatus::Withdrawn;
        docs[2].verdict = DocVerdict::Issue;
        docs[2].departments.clear();
        docs[2].purposes = vec!["就业".into(), "入学".into()];
        for n in 0..=docs.len() {
            assert_eq!(facets(&docs[..n]), facets_by_value(&docs[..n]), "{n} items");
        }
    }

    #[test]
    fn field_weights_order_impacts() {
        let index = Index::build(vec![doc("GZ-012", "入学证明", &["学区房证明"])]);
        let get = |t: &str| index.postings(t).map(|p| p.list[0].1);
        let exact = doc_terms(&index.docs[0]).exact;
        // Title beats alias beats purpose beats body.
        assert_eq!(get("入学"), Some(60)); // title 10 + purpose 5, ×4
        assert_eq!(get("学区"), Some(32));
        assert_eq!(get("社区"), Some(6)); // body only: tf 3 saturates to 1.57
        assert_eq!(get("gz012"), Some(40));
        assert_eq!(get("ruxue"), Some(40));
        assert!(exact.contains(&"=入学证明".to_owned()), "{exact:?}");
        assert!(exact.contains(&"=xqfzm".to_owned()), "{exact:?}");
        assert!(exact.contains(&"=gz012".to_owned()), "{exact:?}");
    }

    #[test]
    fn common_tokens_are_truncated_but_keep_their_df() {
        let docs: Vec<Doc> = (0..MAX_POSTINGS + 10)
            .map(|i| doc(&format!("GZ-{i:03}"), "证明", &[]))
            .collect();
        let index = Index::build(docs);
        let p = index.postings("证明").expect("证明 is indexed");
        assert_eq!(p.df as usize, MAX_POSTINGS + 10);
        assert_eq!(p.list.len(), MAX_POSTINGS);
        assert!(p.list.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn shards_round_trip() {
        let index = Index::build(vec![
            doc("GZ-001", "居住证明", &[]),
            doc("GZ-002", "亲属关系证明", &[]),
        ]);
        let files = index.files();
        let shards = index.shard_count();
        let token = "亲属";
        let name = format!("s/{}.gz", tokenize::hash(token) & (shards - 1));
        let (_, gz) = files.iter().find(|f| f.0 == name).expect("shard written");
        let mut raw = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut raw)
            .expect("gzip");
        let needle = [&[6u8][..], token.as_bytes(), &[1, 1, 1]].concat();
        let at = raw
            .windows(needle.len())
            .position(|w| w == needle)
            .expect("token in its shard");
        assert_eq!(
            raw[at + needle.len()],
            index.postings(token).expect("indexed").list[0].1
        );
        assert!(files.iter().any(|f| f.0 == "r/0.gz"));
        assert!(files[0].1.starts_with(b"{\"c\":4,\"n\":2,\"s\":"));
    }
}
