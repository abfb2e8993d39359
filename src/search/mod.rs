//! SEARCH: the static search index written by `build` next to the rendered pages.
//!
//! ```text
//! model + publication ──collect──▶ [Doc] ──index──▶ Index ──write──▶ search/index/*
//!                                                      └──rank (the same algorithm as search.js)
//! ```
//!
//! - [`collect`] is the only code that reads the model: it turns what a site
//!   publishes into plain [`Doc`]s (the public site, `/draft/`, each frozen edition);
//! - [`tokenize`] is the tokenizer shared with `assets/search.js` (same vectors);
//! - [`mod@pinyin`] adds pinyin keys for titles and aliases;
//! - [`index`] weighs fields, builds postings and writes the sharded files;
//! - [`rank`] scores a query exactly as the browser client does.
//!
//! The index is built from the model, never from rendered HTML.

pub mod collect;
pub mod index;
pub mod pinyin;
pub mod rank;
pub mod tokenize;

pub use index::Index;

/// Where an item stands in the state the index describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocStatus {
    /// In the edition in force (or the working copy, for `/draft/`).
    Current,
    /// Only in an edition that takes effect later.
    Upcoming,
    /// Removed from the registers (已退出).
    Withdrawn,
}

/// The stamp verdict shown as a badge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocVerdict {
    /// Not a stamp item.
    None,
    /// 社区可出具.
    Issue,
    /// 社区不予出具.
    Refuse,
}

/// One way to get it instead of from the community.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Way {
    /// The department's display name, if any.
    pub department: Option<String>,
    /// What to do.
    pub how: String,
}

/// One searchable item: plain data, independent of the model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Doc {
    /// The item page, relative to the root of the searched site (`stamp/GZ-001/`).
    pub url: String,
    /// The register's key (`stamp`).
    pub register_key: String,
    /// The register's display title.
    pub register: String,
    /// The item id (`GZ-001`).
    pub id: String,
    /// 事项名称.
    pub title: String,
    /// 别名/俗称.
    pub aliases: Vec<String>,
    /// Category.
    pub category: String,
    /// 办理用途.
    pub purposes: Vec<String>,
    /// One line.
    pub summary: String,
    /// Verdict badge.
    pub verdict: DocVerdict,
    /// The badge of a work or creation item: its duty (`autonomy`, `assist`,
    /// `prohibited`) or participation (`voluntary`, `assigned`).
    pub badge: Option<String>,
    /// Current, upcoming or withdrawn.
    pub status: DocStatus,
    /// Ways instead (去哪办), in order.
    pub ways: Vec<Way>,
    /// Every department the item names, display names, deduplicated.
    pub departments: Vec<String>,
    /// Everything else worth finding (body, materials, content …).
    pub body: String,
    /// For a withdrawn item: what replaced it (title, url).
    pub successor: Option<(String, String)>,
}

/// What writing the indexes produced.
#[derive(Debug)]
pub struct Written {
    /// Files written.
    pub files: usize,
    /// Bytes written.
    pub bytes: usize,
}

/// What `doc_terms` reads of a doc: equal content gives equal terms, so an item
/// that several editions share is tokenized once.
#[derive(Hash, PartialEq, Eq)]
struct Content<'a> {
    title: &'a str,
    aliases: &'a [String],
    id: &'a str,
    purposes: &'a [String],
    category: &'a str,
    summary: &'a str,
    ways: &'a [Way],
    departments: &'a [String],
    body: &'a str,
}

impl<'a> Content<'a> {
    fn of(d: &'a Doc) -> Self {
        Content {
            title: &d.title,
            aliases: &d.aliases,
            id: &d.id,
            purposes: &d.purposes,
            category: &d.category,
            summary: &d.summary,
            ways: &d.ways,
            departments: &d.departments,
            body: &d.body,
        }
    }
}

/// The terms of items tokenized before: within one build, shared by every
/// index that shows the same content; kept by a process that builds more than
/// once (`serve`), so a rebuild tokenizes only items whose searchable content
/// changed. After a build, only the terms of items a site's index showed are
/// kept (none by a one-off build's memo).
#[derive(Debug)]
pub struct Memo {
    /// Whether to keep anything past one call (not for a one-off build).
    keep: bool,
    interner: index::Interner,
    /// Hash of an item's [`Content`] → (an item with that content, its terms, used).
    terms: std::collections::HashMap<u64, Vec<(Doc, index::Compact, bool)>>,
    /// The sites' index files compressed by the build before (a rebuild
    /// after one edit finds most shards and record chunks unchanged).
    packed_before: Packed,
    /// Those compressed by this build.
    packed: std::sync::Mutex<Packed>,
}

/// Gzip level → uncompressed bytes → gzip file.
type Packed = std::collections::HashMap<u32, std::collections::HashMap<Vec<u8>, Vec<u8>>>;

impl Default for Memo {
    /// An empty memo that keeps what it is given.
    fn default() -> Self {
        Memo {
            keep: true,
            interner: index::Interner::default(),
            terms: std::collections::HashMap::new(),
            packed_before: Packed::new(),
            packed: std::sync::Mutex::new(Packed::new()),
        }
    }
}

impl Memo {
    /// A memo that keeps nothing (a one-off build needs no terms afterwards).
    fn off() -> Self {
        Memo {
            keep: false,
            ..Memo::default()
        }
    }

    /// The position of `content`'s terms in its bucket, if known (marked
    /// kept when a site's index uses it).
    fn find(&mut self, hash: u64, content: &Content<'_>, site: bool) -> Option<usize> {
        let bucket = self.terms.get_mut(&hash)?;
        let at = bucket
            .iter()
            .position(|(doc, _, _)| Content::of(doc) == *content)?;
        bucket[at].2 |= site;
        Some(at)
    }

    /// `bytes` gzipped at `level`. A memo that keeps things remembers the
    /// files of the sites' indexes (`site`): most are the same bytes next time.
    fn pack(&self, site: bool, bytes: &[u8], level: u32) -> Vec<u8> {
        let compress = || index::gzip_at(bytes, flate2::Compression::new(level));
        if !(self.keep && site) {
            return compress();
        }
        let known = self.packed_before.get(&level).and_then(|m| m.get(bytes));
        let gz = known.cloned().unwrap_or_else(compress);
        if let Ok(mut now) = self.packed.lock() {
            now.entry(level)
                .or_default()
                .insert(bytes.to_vec(), gz.clone());
        }
        gz
    }

    /// How many compressed files of the sites' indexes the last build left for
    /// the next one.
    pub fn packed_files(&self) -> usize {
        self.packed_before
            .values()
            .map(std::collections::HashMap::len)
            .sum()
    }

    /// Forgets the terms no site's index asked for since the last call
    /// (everything, for a memo that keeps nothing).
    fn sweep(&mut self) {
        if !self.keep {
            self.terms.clear();
            return;
        }
        let packed = self.packed.get_mut().map_or_else(
            |poisoned| std::mem::take(poisoned.into_inner()),
            std::mem::take,
        );
        self.packed_before = packed;
        self.terms.retain(|_, bucket| {
            bucket.retain(|(_, _, used)| *used);
            for entry in bucket.iter_mut() {
                entry.2 = false;
            }
            !bucket.is_empty()
        });
    }
}

fn content_hash(content: &Content<'_>) -> u64 {
    use std::hash::{Hash as _, Hasher as _};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    content.hash(&mut hasher);
    hasher.finish()
}

/// Builds and writes the planned search indexes `which` (a build passes
/// [`Plan::indexes`](crate::plan::Plan::indexes): the public one, `/draft/`'s when
/// planned, and one per frozen edition under `search/e/…` with the
/// [`index::ARCHIVE`] layout; a rebuild passes those a change affects).
pub fn write(
    plan: &crate::plan::Plan<'_>,
    which: &[crate::plan::IndexId<'_>],
    sink: &crate::plan::Sink<'_>,
) -> Result<Written, crate::Error> {
    write_with(plan, which, sink, &mut Memo::off())
}

/// How many indexes are collected and written at a time: their docs are alive
/// only while they are written, so memory does not grow with the number of
/// frozen editions (the memo keeps one doc per distinct content).
const BATCH: usize = 4;

/// [`write()`], reusing and updating the terms `memo` holds from earlier builds.
/// The files are the same as [`write()`]'s (token numbers never reach them).
pub fn write_with(
    plan: &crate::plan::Plan<'_>,
    which: &[crate::plan::IndexId<'_>],
    sink: &crate::plan::Sink<'_>,
    memo: &mut Memo,
) -> Result<Written, crate::Error> {
    let mut total = Written { files: 0, bytes: 0 };
    for batch in which.chunks(BATCH) {
        let w = write_batch(plan, batch, sink, memo)?;
        total.files += w.files;
        total.bytes += w.bytes;
    }
    memo.sweep();
    Ok(total)
}

/// Collects, indexes and writes some of the indexes; the terms of contents
/// that an earlier batch (or build) tokenized come from `memo`.
fn write_batch(
    plan: &crate::plan::Plan<'_>,
    batch: &[crate::plan::IndexId<'_>],
    sink: &crate::plan::Sink<'_>,
    memo: &mut Memo,
) -> Result<Written, crate::Error> {
    use rayon::prelude::*;
    let sets: Vec<(String, Vec<Doc>)> = batch
        .par_iter()
        .map(|index| (index.folder(), collect::docs(plan, index)))
        .collect();
    // Every distinct content once, hashed once: its slot in `first`.
    let mut unique: index::TokenMap<u64, Vec<usize>> = index::TokenMap::default();
    let mut first: Vec<(&Doc, u64)> = Vec::new();
    let slots: Vec<Vec<usize>> = sets
        .iter()
        .map(|(_, docs)| {
            docs.iter()
                .map(|d| {
                    let content = Content::of(d);
                    let hash = content_hash(&content);
                    let bucket = unique.entry(hash).or_default();
                    if let Some(&s) = bucket.iter().find(|&&s| Content::of(first[s].0) == content) {
                        s
                    } else {
                        first.push((d, hash));
                        bucket.push(first.len() - 1);
                        first.len() - 1
                    }
                })
                .collect()
        })
        .collect();
    // Only the sites' indexes are built again and again (serve): a content
    // only frozen editions' indexes show is kept until this build is done
    // (later batches share it), not for the next build.
    let mut site = vec![false; first.len()];
    for ((dir, _), slots) in sets.iter().zip(&slots) {
        if !dir.starts_with("search/e/") {
            for &s in slots {
                site[s] = true;
            }
        }
    }
    let found = terms_of(memo, &first, &site);
    memo.interner.rank();
    let terms: Vec<&index::Compact> = first
        .iter()
        .zip(&found)
        .map(|((_, hash), at)| &memo.terms[hash][*at].1)
        .collect();
    let memo: &Memo = memo;
    let written: Vec<Result<Written, crate::Error>> = sets
        .into_par_iter()
        .zip(slots)
        .map(|((dir, docs), slots)| {
            let layout = if dir.starts_with("search/e/") {
                index::ARCHIVE
            } else {
                index::COMPACT
            };
            let mine: Vec<&index::Compact> = slots.iter().map(|s| terms[*s]).collect();
            let index = Index::from_terms(docs, &mine, &memo.interner, layout);
            let site = !dir.starts_with("search/e/");
            let gz = |bytes: &[u8], level: u32| memo.pack(site, bytes, level);
            let mut total = Written { files: 0, bytes: 0 };
            for (path, bytes) in index.files_with(&gz) {
                sink(&format!("{dir}{path}"), &bytes)?;
                total.files += 1;
                total.bytes += bytes.len();
            }
            Ok(total)
        })
        .collect();
    let mut total = Written { files: 0, bytes: 0 };
    for w in written {
        let w = w?;
        total.files += w.files;
        total.bytes += w.bytes;
    }
    Ok(total)
}

/// The position of the terms of each of `first` (distinct contents with
/// their hashes) in its `memo` bucket: found there, or tokenized and added
/// (marked kept for later builds when `site` says a site's index shows it).
fn terms_of(memo: &mut Memo, first: &[(&Doc, u64)], site: &[bool]) -> Vec<usize> {
    use rayon::prelude::*;
    let mut found: Vec<Option<usize>> = first
        .iter()
        .zip(site)
        .map(|((d, hash), &site)| memo.find(*hash, &Content::of(d), site))
        .collect();
    // Tokenize what is new in parallel a block at a time, numbering the tokens
    // as we go, so only one block's token strings are alive at once.
    let new: Vec<usize> = (0..first.len()).filter(|&i| found[i].is_none()).collect();
    for block in new.chunks(1024) {
        let raw: Vec<index::Terms> = block
            .par_iter()
            .map(|&i| index::doc_terms(first[i].0))
            .collect();
        for (&i, terms) in block.iter().zip(raw) {
            let compact = memo.interner.compact(terms);
            let bucket = memo.terms.entry(first[i].1).or_default();
            bucket.push((first[i].0.clone(), compact, site[i]));
            found[i] = Some(bucket.len() - 1);
        }
    }
    found
        .into_iter()
        .map(|at| at.expect("every content is found or tokenized"))
        .collect()
}
