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

    /// SHA-256 of the content, every string framed by its length (so that no
    /// two contents give the same bytes): what identifies it across indexes
    /// without keeping the docs of every index alive at once.
    fn digest(&self) -> [u8; 32] {
        use sha2::Digest as _;
        let mut h = sha2::Sha256::new();
        let mut text = |s: &str| {
            h.update((s.len() as u64).to_le_bytes());
            h.update(s.as_bytes());
        };
        text(self.title);
        text(self.id);
        text(self.category);
        text(self.summary);
        text(self.body);
        for list in [self.aliases, self.purposes, self.departments] {
            text(&list.len().to_string());
            for s in list {
                text(s);
            }
        }
        text(&self.ways.len().to_string());
        for way in self.ways {
            text(way.department.as_deref().map_or("0", |_| "1"));
            text(way.department.as_deref().unwrap_or_default());
            text(&way.how);
        }
        h.finalize().into()
    }
}

/// How many indexes are collected and written at a time: their docs are alive
/// only while they are written, so memory does not grow with the number of
/// frozen editions.
const BATCH: usize = 4;

/// Builds and writes the planned search indexes `which` (a build passes
/// [`Plan::indexes`](crate::plan::Plan::indexes): the public one, `/draft/`'s when
/// planned, and one per frozen edition under `search/e/…` with the
/// [`index::ARCHIVE`] layout; a rebuild passes those a change affects).
pub fn write(
    plan: &crate::plan::Plan<'_>,
    which: &[crate::plan::IndexId<'_>],
    sink: &crate::plan::Sink<'_>,
) -> Result<Written, crate::Error> {
    let mut terms = Terms::default();
    let mut total = Written { files: 0, bytes: 0 };
    for batch in which.chunks(BATCH) {
        let w = write_batch(plan, batch, &mut terms, sink)?;
        total.files += w.files;
        total.bytes += w.bytes;
    }
    Ok(total)
}

/// The terms of every distinct doc content seen so far, numbered by one interner.
#[derive(Default)]
struct Terms {
    slots: std::collections::HashMap<[u8; 32], usize>,
    interner: index::Interner,
    compact: Vec<index::Compact>,
}

/// Collects, indexes and writes some of the indexes.
fn write_batch(
    plan: &crate::plan::Plan<'_>,
    batch: &[crate::plan::IndexId<'_>],
    terms: &mut Terms,
    sink: &crate::plan::Sink<'_>,
) -> Result<Written, crate::Error> {
    use rayon::prelude::*;
    let sets: Vec<(String, Vec<Doc>)> = batch
        .par_iter()
        .map(|index| (index.folder(), collect::docs(plan, index)))
        .collect();
    let digests: Vec<Vec<[u8; 32]>> = sets
        .par_iter()
        .map(|(_, docs)| docs.par_iter().map(|d| Content::of(d).digest()).collect())
        .collect();
    let mut fresh: Vec<&Doc> = Vec::new();
    let slots: Vec<Vec<usize>> = sets
        .iter()
        .zip(&digests)
        .map(|((_, docs), digests)| {
            docs.iter()
                .zip(digests)
                .map(|(d, digest)| {
                    let next = terms.compact.len() + fresh.len();
                    *terms.slots.entry(*digest).or_insert_with(|| {
                        fresh.push(d);
                        next
                    })
                })
                .collect()
        })
        .collect();
    // Tokenize in parallel a block at a time, numbering the tokens as we go, so
    // only one block's token strings are alive at once.
    for block in fresh.chunks(1024) {
        let raw: Vec<index::Terms> = block.par_iter().map(|d| index::doc_terms(d)).collect();
        let interner = &mut terms.interner;
        terms
            .compact
            .extend(raw.into_iter().map(|t| interner.compact(t)));
    }
    let terms = &*terms;
    let written: Vec<Result<Written, crate::Error>> = sets
        .into_par_iter()
        .zip(slots)
        .map(|((dir, docs), slots)| {
            let layout = if dir.starts_with("search/e/") {
                index::ARCHIVE
            } else {
                index::COMPACT
            };
            let mine: Vec<&index::Compact> = slots.iter().map(|s| &terms.compact[*s]).collect();
            let index = Index::from_terms(docs, &mine, &terms.interner, layout);
            let mut total = Written { files: 0, bytes: 0 };
            for (path, bytes) in index.files() {
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
