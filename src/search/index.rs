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

use std::collections::{BTreeMap, HashMap};
use std::io::Write as _;

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
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Postings {
    /// How many items contain it (before truncation).
    pub df: u32,
    /// (item ordinal, impact), ordered by ordinal.
    pub list: Vec<(u32, u8)>,
}

/// A built index: the items in ordinal order and every token's postings.
#[derive(Debug)]
pub struct Index {
    /// Items; the position is the ordinal.
    pub docs: Vec<Doc>,
    /// Token (or `=` exact key) → postings.
    pub postings: BTreeMap<String, Postings>,
    /// How the files are cut.
    pub layout: Layout,
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

/// Term frequencies per field of one item.
#[derive(Default)]
struct Counts(TokenMap<String, [u32; FIELDS]>);

impl Counts {
    fn add(&mut self, field: usize, token: &str) {
        if let Some(tf) = self.0.get_mut(token) {
            tf[field] += 1;
        } else {
            let mut tf = [0; FIELDS];
            tf[field] = 1;
            self.0.insert(token.to_owned(), tf);
        }
    }

    fn text<'a>(&mut self, field: usize, parts: impl IntoIterator<Item = &'a str>) {
        for part in parts {
            tokenize::for_each_token(&normalize(part), |t| self.add(field, t));
        }
    }

    /// Like [`Counts::text`] without single Han characters: in long text they
    /// match almost every item and would only bloat the index.
    fn long_text(&mut self, field: usize, text: &str) {
        tokenize::for_each_token(&normalize(text), |t| {
            let mut chars = t.chars();
            let single_han =
                matches!((chars.next(), chars.next()), (Some(c), None) if tokenize::is_han(c));
            if !single_han {
                self.add(field, t);
            }
        });
    }
}

fn strs(v: &[String]) -> impl Iterator<Item = &str> {
    v.iter().map(String::as_str)
}

/// One item's tokens with their impacts before the status factor and
/// quantisation (sorted by token), and its exact keys.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Terms {
    /// (token, impact).
    pub tokens: Vec<(String, f64)>,
    /// `=` keys of the whole title, aliases, their pinyin and the id.
    pub exact: Vec<String>,
}

/// How an index's files are cut: items per record chunk, target bytes per shard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Items per record file.
    pub chunk: usize,
    /// About how many bytes of postings per shard.
    pub shard_bytes: usize,
}

/// For the public site and `/draft/`: small files, so a query downloads little.
pub const COMPACT: Layout = Layout {
    chunk: CHUNK,
    shard_bytes: 1024,
};
/// For frozen editions (searched rarely): few, larger files, so the many
/// editions of a big site add little to the build.
pub const ARCHIVE: Layout = Layout {
    chunk: 64,
    shard_bytes: 16 * 1024,
};

/// The impact of every token of one item, and its exact keys.
pub fn doc_terms(doc: &Doc) -> Terms {
    let mut c = Counts::default();
    c.text(0, [doc.title.as_str()]);
    for t in pinyin::pair_tokens(&doc.title) {
        c.add(0, &t);
    }
    c.text(1, strs(&doc.aliases));
    for t in doc.aliases.iter().flat_map(|a| pinyin::pair_tokens(a)) {
        c.add(1, &t);
    }
    c.text(2, [doc.id.as_str()]);
    c.text(3, strs(&doc.purposes));
    c.text(4, [doc.category.as_str()]);
    c.text(5, [doc.summary.as_str()]);
    for w in &doc.ways {
        c.text(
            6,
            w.department
                .iter()
                .map(String::as_str)
                .chain([w.how.as_str()]),
        );
    }
    c.text(7, strs(&doc.departments));
    c.long_text(8, &doc.body);
    let mut tokens: Vec<(String, f64)> =
        c.0.into_iter()
            .map(|(t, tf)| {
                let impact = tf
                    .iter()
                    .zip(FIELD_WEIGHTS)
                    .filter(|(n, _)| **n > 0)
                    .map(|(n, w)| w * saturate(*n))
                    .sum();
                (t, impact)
            })
            .collect();
    tokens.sort_by(|a, b| a.0.cmp(&b.0));
    let mut exact = Vec::new();
    for text in std::iter::once(&doc.title).chain(&doc.aliases) {
        exact.push(format!("={}", tokenize::compact(&normalize(text))));
        exact.extend(pinyin::exact_keys(text));
    }
    exact.push(format!("={}", tokenize::compact(&normalize(&doc.id))));
    exact.retain(|k| k.len() > 1);
    exact.sort();
    exact.dedup();
    Terms { tokens, exact }
}

/// An impact scaled by the item's status, quantised to 1–255.
pub fn quantize(impact: f64, status: DocStatus) -> u8 {
    let v = (impact * status_factor(status) * 4.0)
        .round()
        .clamp(1.0, 255.0);
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a whole number in 1..=255 after the clamp"
    )]
    let q = v as u8;
    q
}

/// Token strings and their numbers, shared by every index of a build, so each
/// item's terms are kept as numbers (a fraction of the memory of strings).
#[derive(Debug, Default)]
pub struct Interner {
    ids: TokenMap<String, u32>,
    names: Vec<String>,
}

/// One item's terms with tokens as [`Interner`] numbers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Compact {
    /// (token number, impact before status and quantisation).
    pub tokens: Vec<(u32, f32)>,
    /// Exact keys' numbers.
    pub exact: Vec<u32>,
}

impl Interner {
    fn id(&mut self, token: String) -> u32 {
        if let Some(id) = self.ids.get(&token) {
            return *id;
        }
        let id = u32::try_from(self.names.len()).expect("fewer than 4 billion tokens");
        self.names.push(token.clone());
        self.ids.insert(token, id);
        id
    }

    /// Numbers the tokens of `terms`.
    pub fn compact(&mut self, terms: Terms) -> Compact {
        Compact {
            #[expect(
                clippy::cast_possible_truncation,
                reason = "impacts are small; f32 keeps far more precision than the quantisation"
            )]
            tokens: terms
                .tokens
                .into_iter()
                .map(|(t, v)| (self.id(t), v as f32))
                .collect(),
            exact: terms.exact.into_iter().map(|k| self.id(k)).collect(),
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
            .map(|t| interner.compact(t))
            .collect();
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
        let mut lists: Vec<Vec<(u32, u8)>> = vec![Vec::new(); interner.names.len()];
        for (ord, (doc, t)) in docs.iter().zip(terms).enumerate() {
            let ord = u32::try_from(ord).expect("fewer than 4 billion items");
            for &(token, impact) in &t.tokens {
                lists[token as usize].push((ord, quantize(f64::from(impact), doc.status)));
            }
            for &key in &t.exact {
                lists[key as usize].push((ord, 255));
            }
        }
        let postings = lists
            .into_iter()
            .enumerate()
            .filter(|(_, list)| !list.is_empty())
            .map(|(token, mut list)| {
                let df = u32::try_from(list.len()).unwrap_or(u32::MAX);
                if list.len() > MAX_POSTINGS {
                    list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                    list.truncate(MAX_POSTINGS);
                    list.sort_unstable();
                }
                (interner.names[token].clone(), Postings { df, list })
            })
            .collect();
        Index {
            docs,
            postings,
            layout,
        }
    }

    /// How many shards: about [`Layout::shard_bytes`] of postings each, a power of two.
    pub fn shard_count(&self) -> u32 {
        let bytes: usize = self
            .postings
            .iter()
            .map(|(t, p)| t.len() + 4 + p.list.len() * 2)
            .sum();
        u32::try_from(
            (bytes / self.layout.shard_bytes)
                .clamp(1, 4096)
                .next_power_of_two(),
        )
        .unwrap_or(4096)
    }

    /// Every file of the index, paths relative to its folder.
    pub fn files(&self) -> Vec<(String, Vec<u8>)> {
        let shards = self.shard_count();
        let mut out = vec![(
            "manifest.json".to_owned(),
            json!({"v": VERSION, "n": self.docs.len(), "s": shards, "c": self.layout.chunk})
                .to_string()
                .into_bytes(),
        )];
        out.extend(self.shards(shards));
        for (n, chunk) in self.docs.chunks(self.layout.chunk).enumerate() {
            let records: Vec<serde_json::Value> = chunk.iter().map(record).collect();
            out.push((
                format!("r/{n}.gz"),
                gzip(serde_json::Value::from(records).to_string().as_bytes()),
            ));
        }
        out.push(("f.gz".to_owned(), gzip(self.facets().as_bytes())));
        out.push(("a.gz".to_owned(), gzip(self.suggestions().as_bytes())));
        out
    }

    fn shards(&self, shards: u32) -> Vec<(String, Vec<u8>)> {
        let mut bins: Vec<Vec<u8>> = vec![Vec::new(); shards as usize];
        for (token, p) in &self.postings {
            let Ok(len) = u8::try_from(token.len()) else {
                continue;
            };
            let bin = &mut bins[(tokenize::hash(token) & (shards - 1)) as usize];
            bin.push(len);
            bin.extend_from_slice(token.as_bytes());
            leb128(bin, p.df);
            leb128(bin, u32::try_from(p.list.len()).unwrap_or(u32::MAX));
            let mut last = 0;
            for &(ord, impact) in &p.list {
                leb128(bin, ord - last);
                bin.push(impact);
                last = ord;
            }
        }
        // Empty shards are written too, so no lookup ever ends in a 404.
        bins.par_iter()
            .enumerate()
            .map(|(n, b)| (format!("s/{n}.gz"), gzip(b)))
            .collect()
    }

    fn facets(&self) -> String {
        let mut tables: [Vec<&str>; 3] = Default::default();
        let mut rows = Vec::with_capacity(self.docs.len());
        for doc in &self.docs {
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
            rows.push(json!([
                r,
                verdict_code(doc.verdict),
                status_code(doc.status),
                d,
                p
            ]));
        }
        json!({"r": tables[0], "d": tables[1], "p": tables[2], "f": rows}).to_string()
    }

    fn suggestions(&self) -> String {
        let mut seen = std::collections::BTreeSet::new();
        let mut out = Vec::new();
        for doc in &self.docs {
            for text in std::iter::once(&doc.title).chain(&doc.aliases) {
                if seen.insert(text.as_str()) {
                    let keys = pinyin::exact_keys(text);
                    let key = |i: usize| keys.get(i).map_or("", |k| &k[1..]).to_owned();
                    out.push(json!([text, key(0), key(1)]));
                }
            }
        }
        serde_json::Value::from(out).to_string()
    }
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

/// The record the client renders a result from, without fetching the page.
pub fn record(doc: &Doc) -> serde_json::Value {
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
    let (st, su) = doc.successor.clone().unwrap_or_default();
    json!([
        doc.url,
        doc.id,
        doc.title,
        doc.register,
        verdict_code(doc.verdict),
        status_code(doc.status),
        way.and_then(|w| w.department.clone()).unwrap_or_default(),
        how,
        st,
        su,
        doc.badge.as_deref().unwrap_or_default()
    ])
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

/// Gzip at the default level, with no timestamp (reproducible output).
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::GzBuilder::new().write(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).expect("writing to memory");
    e.finish().expect("writing to memory")
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
    fn field_weights_order_impacts() {
        let index = Index::build(vec![doc("GZ-012", "入学证明", &["学区房证明"])]);
        let get = |t: &str| index.postings.get(t).map(|p| p.list[0].1);
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
        let p = &index.postings["证明"];
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
        assert_eq!(raw[at + needle.len()], index.postings[token].list[0].1);
        assert!(files.iter().any(|f| f.0 == "r/0.gz"));
        assert!(files[0].1.starts_with(b"{\"c\":4,\"n\":2,\"s\":"));
    }
}
