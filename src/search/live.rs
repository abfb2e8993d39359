//! SEARCH (live): a site's index that a process building more than once
//! (`serve`) keeps between builds, and updates with the items that changed.
//!
//! A build compares its items with the kept ones: the items before the first
//! difference and after the last one keep their terms and postings; only the
//! items between are tokenized (or found in the memo), only the postings of
//! their tokens change (and, when the number of items changed, those of the
//! later ordinals, which move), and only the shards, record chunks, facets and
//! suggestions whose bytes change are compressed again. The files are exactly
//! those [`Index::from_terms`](super::Index::from_terms) and
//! [`Index::files_with`](super::Index::files_with) write for the same items.

mod suggest;

use std::sync::Arc;

use rayon::prelude::*;

use super::index::{self, Compact, Interner, Layout, Postings, TokenMap};
use super::{Doc, DocStatus, DocVerdict, tokenize};

/// One file of the index: its bytes and their gzip.
#[derive(Debug, Default)]
struct File {
    raw: Vec<u8>,
    gz: Vec<u8>,
}

impl File {
    /// Sets the file's bytes, compressing them only when they changed;
    /// returns whether it did.
    fn set(&mut self, raw: Vec<u8>, level: u32) -> bool {
        let changed = self.gz.is_empty() || raw != self.raw;
        if changed {
            self.gz = index::gzip_at(&raw, flate2::Compression::new(level));
            self.raw = raw;
        }
        changed
    }
}

/// A token's postings: all of them, and the ones its entry keeps.
#[derive(Debug)]
struct List {
    /// [`tokenize::hash`] of the token, which picks its shard.
    hash: u32,
    /// (ordinal, impact), in that order.
    full: Vec<(u32, u8)>,
    /// The kept postings, when [`index::truncate`] cuts `full`.
    cut: Option<Vec<(u32, u8)>>,
}

impl List {
    fn postings(&self) -> Postings<'_> {
        Postings {
            df: u32::try_from(self.full.len()).unwrap_or(u32::MAX),
            list: self.cut.as_deref().unwrap_or(&self.full),
        }
    }

    fn bytes(&self, name: &str) -> usize {
        index::entry_bytes(name, self.postings().list.len())
    }

    fn recut(&mut self) {
        self.cut = (self.full.len() > index::MAX_POSTINGS).then(|| {
            let mut list = self.full.clone();
            let kept = index::truncate(&mut list);
            list.truncate(kept);
            list
        });
    }
}

/// A shard: its tokens in name order and its file.
#[derive(Debug, Default)]
struct Shard {
    tokens: Vec<u32>,
    file: File,
    dirty: bool,
}

/// A site's index kept between builds (see the module documentation).
#[derive(Debug)]
pub struct Live {
    layout: Layout,
    /// The items, in ordinal order.
    docs: Vec<Doc>,
    /// Their terms.
    terms: Vec<Arc<Compact>>,
    /// The suggestions' table, kept in pieces.
    table: suggest::Table,
    /// Every token's postings, by token number.
    lists: TokenMap<u32, List>,
    /// The postings' size ([`index::entry_bytes`]), which sets the shard count.
    bytes: usize,
    shards: Vec<Shard>,
    records: Vec<File>,
    facets: File,
    suggestions: File,
}

/// What the last [`Live::update`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Work {
    /// Files whose bytes were made again (shards, record chunks, facets,
    /// suggestions).
    pub made: usize,
    /// Files of those that were compressed (their bytes changed).
    pub compressed: usize,
}

/// What an update changes: the first changed ordinal and the ends of the
/// changed items before and after it.
#[derive(Clone, Copy, Debug)]
struct Span {
    start: usize,
    old_end: usize,
    new_end: usize,
}

fn ord(n: usize) -> u32 {
    u32::try_from(n).expect("fewer than 4 billion items")
}

impl Live {
    /// An index of no items yet, cut with `layout`.
    pub fn new(layout: Layout) -> Live {
        Live {
            layout,
            docs: Vec::new(),
            terms: Vec::new(),
            table: suggest::Table::default(),
            lists: TokenMap::default(),
            bytes: 0,
            shards: Vec::new(),
            records: Vec::new(),
            facets: File::default(),
            suggestions: File::default(),
        }
    }

    /// How many items the index holds.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// Whether the index holds no items.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// How many of the new `items` are the kept items (`same` says whether
    /// one is) at the start, and how many more at the end: only the items
    /// between need their docs and terms.
    pub fn unchanged<T: Sync>(
        &self,
        items: &[T],
        same: impl Fn(&T, &Doc) -> bool + Sync,
    ) -> (usize, usize) {
        self.unchanged_beyond(items, same, (0, 0))
    }

    /// [`Live::unchanged`], given that the first `known.0` and the last
    /// `known.1` of `items` are known to be the kept ones (when only some
    /// items can have changed): only the items between are compared.
    pub fn unchanged_beyond<T: Sync>(
        &self,
        items: &[T],
        same: impl Fn(&T, &Doc) -> bool + Sync,
        known: (usize, usize),
    ) -> (usize, usize) {
        // Comparing every item is most of a small update's work: in parallel.
        let old = &self.docs;
        let shorter = old.len().min(items.len());
        let start = known.0.min(shorter);
        let head = start
            + items[start..]
                .par_iter()
                .zip(&old[start..])
                .position_first(|(new, old)| !same(new, old))
                .unwrap_or(shorter - start);
        let room = shorter - head;
        let skip = known.1.min(room);
        let tail = skip
            + items[items.len() - room..items.len() - skip]
                .par_iter()
                .rev()
                .zip(old[old.len() - room..old.len() - skip].par_iter().rev())
                .position_first(|(new, old)| !same(new, old))
                .unwrap_or(room - skip);
        (head, tail)
    }

    /// Where `items` can differ from the kept items when only the edited
    /// items (`edited` says which, `key` is an item's register and id) can
    /// have changed: how many items at the start and at the end are the
    /// kept ones without comparing them (those before and after every edited
    /// item, in the old order and in the new). `None` when the number of
    /// items changed or an edited item was not kept.
    pub fn unchanged_around<T>(
        &self,
        items: &[T],
        edited: impl Fn(&T) -> bool,
        key: impl Fn(&T) -> (&str, &str),
    ) -> Option<(usize, usize)> {
        let n = items.len();
        if n != self.docs.len() {
            return None;
        }
        let (mut first, mut last) = (n, None);
        for (at, item) in items.iter().enumerate().filter(|(_, i)| edited(i)) {
            let (register, id) = key(item);
            let old = self
                .docs
                .iter()
                .position(|d| d.id == id && d.register_key == register)?;
            first = first.min(at).min(old);
            last = last.max(Some(at.max(old)));
        }
        Some(match last {
            Some(last) => (first, n - 1 - last),
            // No edited item in this index: every item is the kept one.
            None => (n, 0),
        })
    }

    /// Becomes the index whose items are the kept ones with those between
    /// `head` and `tail` (what [`Live::unchanged`] said) replaced by `changed`,
    /// whose terms are `terms`.
    pub fn update(
        &mut self,
        changed: Vec<Doc>,
        (head, tail): (usize, usize),
        terms: Vec<Arc<Compact>>,
        interner: &Interner,
    ) -> Work {
        let span = Span {
            start: head,
            old_end: self.docs.len() - tail,
            new_end: head + changed.len(),
        };
        assert_eq!(terms.len(), changed.len(), "the changed items' terms");
        let moved = span.old_end != span.new_end;
        let differ = |key: fn(&Doc) -> Key<'_>| {
            moved
                || self.docs[span.start..span.old_end]
                    .iter()
                    .zip(&changed)
                    .any(|(a, b)| key(a) != key(b))
        };
        let facets = self.facets.gz.is_empty() || differ(facet_key);
        let suggestions = self.suggestions.gz.is_empty() || differ(suggestion_key);
        let tokens = self.update_postings(&changed, span, &terms, interner);
        let entries: Vec<Vec<String>> = changed
            .iter()
            .zip(&terms)
            .map(|(doc, t)| index::suggestion_entries(doc, t, interner))
            .collect();
        self.table.update(span.start, span.old_end, entries);
        self.terms.splice(span.start..span.old_end, terms);
        self.docs.splice(span.start..span.old_end, changed);
        let mut work = self.update_shards(&tokens, interner);
        work.add(self.update_records(span));
        if facets {
            let raw = index::facets(&self.docs).into_bytes();
            work.add(Work::one(self.facets.set(raw, self.layout.gzip)));
        }
        if suggestions {
            let raw = self.table.bytes();
            work.add(Work::one(self.suggestions.set(raw, self.layout.gzip)));
        }
        work
    }

    /// Every file of the index, paths relative to its folder (as
    /// [`Index::files_with`](super::Index::files_with) names them).
    pub fn files(&self) -> Vec<(String, Vec<u8>)> {
        let shards = u32::try_from(self.shards.len()).expect("at most 4096 shards");
        let mut out = Vec::with_capacity(self.shards.len() + self.records.len() + 3);
        out.push((
            "manifest.json".to_owned(),
            index::manifest(self.docs.len(), shards, self.layout),
        ));
        for (n, shard) in self.shards.iter().enumerate() {
            out.push((format!("s/{n}.gz"), shard.file.gz.clone()));
        }
        for (n, chunk) in self.records.iter().enumerate() {
            out.push((format!("r/{n}.gz"), chunk.gz.clone()));
        }
        out.push(("f.gz".to_owned(), self.facets.gz.clone()));
        out.push(("a.gz".to_owned(), self.suggestions.gz.clone()));
        out
    }

    /// Moves the postings of the items after the span, replaces those of the
    /// items in it by those of `changed`; returns the tokens whose entries changed.
    fn update_postings(
        &mut self,
        changed: &[Doc],
        span: Span,
        terms: &[Arc<Compact>],
        interner: &Interner,
    ) -> Changes {
        let mut added: TokenMap<u32, Vec<(u32, u8)>> = TokenMap::default();
        for (n, (doc, t)) in changed.iter().zip(terms).enumerate() {
            let at = ord(span.start + n);
            for &(token, impact) in &t.tokens {
                let posting = (at, index::quantize(f64::from(impact), doc.status));
                added.entry(token).or_default().push(posting);
            }
            for &key in &t.exact {
                added.entry(key).or_default().push((at, 255));
            }
        }
        let mut touched: Vec<u32> = added.keys().copied().collect();
        for t in &self.terms[span.start..span.old_end] {
            touched.extend(t.tokens.iter().map(|&(token, _)| token));
            touched.extend(&t.exact);
        }
        if span.old_end != span.new_end {
            let moving = self.lists.iter().filter(|(_, l)| {
                l.full
                    .last()
                    .is_some_and(|&(at, _)| at as usize >= span.old_end)
            });
            touched.extend(moving.map(|(&token, _)| token));
        }
        touched.sort_unstable();
        touched.dedup();
        let mut moves = Changes::default();
        for token in touched {
            let postings = added.remove(&token).unwrap_or_default();
            self.replace(token, span, postings, interner, &mut moves);
        }
        moves
    }

    /// Replaces one token's postings of the span by `postings` (and moves its
    /// later ones).
    fn replace(
        &mut self,
        token: u32,
        span: Span,
        mut postings: Vec<(u32, u8)>,
        interner: &Interner,
        changes: &mut Changes,
    ) {
        let name = interner.name(token);
        let list = self.lists.entry(token).or_insert_with(|| {
            changes.added.push(token);
            List {
                hash: tokenize::hash(name),
                full: Vec::new(),
                cut: None,
            }
        });
        let (start, old_end, new_end) = (ord(span.start), ord(span.old_end), ord(span.new_end));
        let from = list.full.partition_point(|&(at, _)| at < start);
        let to = list.full.partition_point(|&(at, _)| at < old_end);
        postings.sort_unstable();
        if old_end == new_end && !list.full.is_empty() && list.full[from..to] == postings[..] {
            // An edit that leaves this token's postings as they were (words
            // of the body when the title changed).
            return;
        }
        if !list.full.is_empty() {
            self.bytes -= list.bytes(name);
        }
        for posting in &mut list.full[to..] {
            posting.0 = posting.0 - old_end + new_end;
        }
        list.full.splice(from..to, postings);
        changes.touched.push(list.hash);
        if list.full.is_empty() {
            self.lists.remove(&token);
            changes.removed.push(token);
        } else {
            list.recut();
            self.bytes += list.bytes(name);
        }
    }

    /// Brings the shards' token lists up to date and writes the changed shards.
    fn update_shards(&mut self, changes: &Changes, interner: &Interner) -> Work {
        let count = index::shard_count(self.bytes, self.layout) as usize;
        let by_name = |a: &u32, b: &u32| interner.name(*a).cmp(interner.name(*b));
        if count == self.shards.len() {
            let mask = count - 1;
            for &token in &changes.removed {
                let shard = &mut self.shards[tokenize::hash(interner.name(token)) as usize & mask];
                shard.tokens.retain(|&t| t != token);
            }
            for &token in changes.added.iter().filter(|t| self.lists.contains_key(t)) {
                let tokens = &mut self.shards[self.lists[&token].hash as usize & mask].tokens;
                let at = tokens
                    .binary_search_by(|t| by_name(t, &token))
                    .unwrap_or_else(|at| at);
                tokens.insert(at, token);
            }
            for &hash in &changes.touched {
                self.shards[hash as usize & mask].dirty = true;
            }
        } else {
            // A new shard count moves almost every token: deal them again.
            let mut bins = vec![Vec::new(); count];
            for (&token, list) in &self.lists {
                bins[list.hash as usize & (count - 1)].push(token);
            }
            self.shards.resize_with(count, Shard::default);
            for (shard, mut tokens) in self.shards.iter_mut().zip(bins) {
                tokens.sort_unstable_by(by_name);
                shard.tokens = tokens;
                shard.dirty = true;
            }
        }
        let (lists, level) = (&self.lists, self.layout.gzip);
        self.shards
            .par_iter_mut()
            .filter(|shard| shard.dirty)
            .map(|shard| {
                let mut raw = Vec::new();
                for &token in &shard.tokens {
                    index::encode_entry(&mut raw, interner.name(token), lists[&token].postings());
                }
                shard.dirty = false;
                Work::one(shard.file.set(raw, level))
            })
            .reduce(Work::default, Work::plus)
    }

    /// Writes the record chunks that hold items of the span (and, when the
    /// number of items changed, every later one).
    fn update_records(&mut self, span: Span) -> Work {
        let size = self.layout.chunk;
        let chunks = self.docs.len().div_ceil(size);
        let from = span.start / size;
        let to = if span.old_end != span.new_end {
            chunks
        } else if span.start == span.new_end {
            from
        } else {
            span.new_end.div_ceil(size)
        };
        self.records.resize_with(chunks, File::default);
        let (docs, level) = (&self.docs, self.layout.gzip_records);
        self.records[from.min(chunks)..to.max(from).min(chunks)]
            .par_iter_mut()
            .enumerate()
            .map(|(n, file)| {
                let first = (from + n) * size;
                let chunk = &docs[first..(first + size).min(docs.len())];
                Work::one(file.set(index::record_chunk(chunk).into_bytes(), level))
            })
            .reduce(Work::default, Work::plus)
    }
}

impl Work {
    /// One file made, compressed or not.
    fn one(compressed: bool) -> Work {
        Work {
            made: 1,
            compressed: usize::from(compressed),
        }
    }

    fn plus(self, other: Work) -> Work {
        Work {
            made: self.made + other.made,
            compressed: self.compressed + other.compressed,
        }
    }

    fn add(&mut self, other: Work) {
        *self = self.plus(other);
    }
}

/// The tokens an update added, removed and touched (touched by shard hash).
#[derive(Debug, Default)]
struct Changes {
    added: Vec<u32>,
    removed: Vec<u32>,
    touched: Vec<u32>,
}

/// What one file of the index reads of an item, for comparing items.
#[derive(PartialEq)]
enum Key<'a> {
    Facet(&'a str, DocVerdict, DocStatus, &'a [String], &'a [String]),
    Suggestion(&'a str, &'a [String]),
}

/// What the facets read of an item.
fn facet_key(doc: &Doc) -> Key<'_> {
    Key::Facet(
        &doc.register,
        doc.verdict,
        doc.status,
        &doc.departments,
        &doc.purposes,
    )
}

/// What the suggestions read of an item (their pinyin follows from the text).
fn suggestion_key(doc: &Doc) -> Key<'_> {
    Key::Suggestion(&doc.title, &doc.aliases)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::Index;
    use crate::search::index::tests::doc;

    const WORDS: [&str; 8] = [
        "居住", "亲属", "关系", "入学", "证明", "户籍", "死亡", "婚姻",
    ];

    /// A small deterministic generator, so every run tries the same edits.
    struct Lcg(u64);

    impl Lcg {
        fn below(&mut self, n: usize) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            usize::try_from(self.0 >> 33).expect("31 bits") % n
        }

        fn item(&mut self, n: usize) -> Doc {
            let title: String = (0..2 + self.below(3))
                .map(|_| WORDS[self.below(WORDS.len())])
                .collect();
            let alias = WORDS[self.below(WORDS.len())];
            let mut d = doc(&format!("GZ-{n:04}"), &title, &[alias]);
            d.body = "社区".repeat(1 + self.below(6));
            d
        }
    }

    /// Updates `live` to `docs` and checks its files against a fresh build.
    fn update_and_compare(
        live: &mut Live,
        interner: &mut Interner,
        docs: &[Doc],
        what: &str,
    ) -> Work {
        let (head, tail) = live.unchanged(docs, |a, b| a == b);
        let changed = docs[head..docs.len() - tail].to_vec();
        let terms = changed
            .iter()
            .map(|d| Arc::new(interner.compact(&index::doc_terms(d))))
            .collect();
        let work = live.update(changed, (head, tail), terms, interner);
        let fresh = Index::build(docs.to_vec()).files();
        let kept = live.files();
        let names = |files: &[(String, Vec<u8>)]| -> Vec<String> {
            files.iter().map(|(p, _)| p.clone()).collect()
        };
        assert_eq!(names(&kept), names(&fresh), "{what}: file names");
        for ((path, a), (_, b)) in kept.iter().zip(&fresh) {
            assert!(a == b, "{what}: {path} differs from a fresh build");
        }
        work
    }

    #[test]
    fn every_update_writes_the_files_of_a_fresh_build() {
        let mut rng = Lcg(8);
        let mut interner = Interner::default();
        let mut live = Live::new(index::COMPACT);
        let mut next = 0;
        let mut docs: Vec<Doc> = Vec::new();
        update_and_compare(&mut live, &mut interner, &docs, "no items");
        for _ in 0..(index::MAX_POSTINGS + 40) {
            next += 1;
            docs.push(rng.item(next));
        }
        update_and_compare(&mut live, &mut interner, &docs, "first build");
        update_and_compare(&mut live, &mut interner, &docs, "nothing changed");
        for step in 0..60 {
            let at = rng.below(docs.len());
            let what = match rng.below(6) {
                0 => {
                    docs[at].title.push_str(WORDS[rng.below(WORDS.len())]);
                    "title"
                }
                1 => {
                    next += 1;
                    docs.insert(at, rng.item(next));
                    "added"
                }
                2 => {
                    docs.remove(at);
                    "removed"
                }
                3 => {
                    docs[at].aliases = vec![WORDS[rng.below(WORDS.len())].to_owned()];
                    "alias"
                }
                4 => {
                    docs[at].status = DocStatus::Withdrawn;
                    "withdrawn"
                }
                _ => {
                    let n = 1 + rng.below(40);
                    for _ in 0..n {
                        next += 1;
                        let item = rng.item(next);
                        docs.insert(rng.below(docs.len() + 1), item);
                    }
                    "many added"
                }
            };
            update_and_compare(&mut live, &mut interner, &docs, &format!("{step} {what}"));
        }
        docs.drain(10..);
        update_and_compare(&mut live, &mut interner, &docs, "most removed");
        docs.clear();
        update_and_compare(&mut live, &mut interner, &docs, "all removed");
    }

    #[test]
    fn an_edit_makes_only_the_files_it_changes() {
        let mut rng = Lcg(3);
        let mut interner = Interner::default();
        let mut live = Live::new(index::COMPACT);
        let mut docs: Vec<Doc> = (1..=400).map(|n| rng.item(n)).collect();
        let first = update_and_compare(&mut live, &mut interner, &docs, "first build");
        let files = live.files().len() - 1;
        assert_eq!(
            first,
            Work {
                made: files,
                compressed: files
            }
        );
        let same = update_and_compare(&mut live, &mut interner, &docs, "again");
        assert_eq!(same, Work::default());
        let before = live.files();
        docs[200].title = "独生子女证明".into();
        let work = update_and_compare(&mut live, &mut interner, &docs, "title");
        let changed = before
            .iter()
            .zip(live.files())
            .filter(|(a, b)| **a != *b)
            .count();
        // The manifest is not compressed; the record chunk, the suggestions
        // and the shards of the old and new title's tokens are.
        assert_eq!(work.compressed, changed);
        assert!(changed >= 3, "{changed} files changed");
        assert!(work.made <= changed + 1, "{work:?}, {changed} changed");
        docs.remove(0);
        let work = update_and_compare(&mut live, &mut interner, &docs, "removed");
        assert!(work.made > files / 2, "{work:?}: the later items move");
    }
}
