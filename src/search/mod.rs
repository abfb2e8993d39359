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
//! - [`live`] keeps a site's index between builds (`serve`) and updates it
//!   with the items that changed, to the same files;
//! - [`rank`] scores a query exactly as the browser client does.
//!
//! The index is built from the model, never from rendered HTML.

pub mod collect;
pub mod index;
pub mod live;
pub mod pinyin;
pub mod rank;
pub mod tokenize;

use std::sync::Arc;

pub use index::Index;
pub use live::Live;

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

/// What one build leaves for the next: the terms of items tokenized before
/// (within one build, shared by every index that shows the same content; kept
/// by a process that builds more than once, `serve`, so a rebuild tokenizes only
/// items whose searchable content changed), and the sites' indexes themselves,
/// which a rebuild updates with the items that changed ([`live`]). After a
/// build, only the terms that a site's index looked up are kept (none by a
/// one-off build's memo, which keeps no index either).
#[derive(Debug)]
pub struct Memo {
    /// Whether to keep anything past one call (not for a one-off build).
    keep: bool,
    interner: index::Interner,
    /// Hash of an item's [`Content`] → (an item with that content, its terms, used).
    terms: std::collections::HashMap<u64, Vec<(Doc, Arc<index::Compact>, bool)>>,
    /// The sites' indexes (public, `/draft/`) by folder.
    live: std::collections::HashMap<String, Live>,
    /// How many kept items the last write compared with the new ones.
    compared: usize,
}

impl Default for Memo {
    /// An empty memo that keeps what it is given.
    fn default() -> Self {
        Memo {
            keep: true,
            interner: index::Interner::default(),
            terms: std::collections::HashMap::new(),
            live: std::collections::HashMap::new(),
            compared: 0,
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

    /// How many items the sites' indexes this memo keeps hold (0 for a memo
    /// that keeps nothing).
    pub fn kept_items(&self) -> usize {
        self.live.values().map(Live::len).sum()
    }

    /// How many kept items of the sites' indexes the last write compared
    /// with the items it was given (all of them but for the items it knew
    /// to be the same).
    pub fn compared(&self) -> usize {
        self.compared
    }

    /// Forgets the terms no site's index asked for since the last call
    /// (everything, for a memo that keeps nothing).
    fn sweep(&mut self) {
        if !self.keep {
            self.terms.clear();
            return;
        }
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

/// [`write()`], reusing and updating what `memo` holds from earlier builds: the
/// terms of items, and (for a memo that keeps them) the public and draft
/// indexes, which are updated with the items that changed rather than built.
/// The files are the same as [`write()`]'s (token numbers never reach them).
pub fn write_with(
    plan: &crate::plan::Plan<'_>,
    which: &[crate::plan::IndexId<'_>],
    sink: &crate::plan::Sink<'_>,
    memo: &mut Memo,
) -> Result<Written, crate::Error> {
    write_since(plan, which, sink, memo, None)
}

/// [`write_with`] after `changes` since the build that left `memo` its
/// indexes (`None`: anything may have changed). When every change modified
/// a working-copy item file, only those items' docs can differ from the
/// kept ones (nothing else a doc shows changed), so only the kept docs
/// between the first and the last of them are compared.
pub fn write_since(
    plan: &crate::plan::Plan<'_>,
    which: &[crate::plan::IndexId<'_>],
    sink: &crate::plan::Sink<'_>,
    memo: &mut Memo,
    changes: Option<&[crate::plan::Change]>,
) -> Result<Written, crate::Error> {
    let edited = changes.and_then(|c| edited_items(plan, c));
    memo.compared = 0;
    let mut total = Written { files: 0, bytes: 0 };
    for batch in which.chunks(BATCH) {
        let w = write_batch(plan, batch, sink, memo, edited.as_deref())?;
        total.files += w.files;
        total.bytes += w.bytes;
    }
    memo.sweep();
    Ok(total)
}

/// The files of the working-copy items `changes` modified, when that is
/// all they did.
fn edited_items(
    plan: &crate::plan::Plan<'_>,
    changes: &[crate::plan::Change],
) -> Option<Vec<crate::diagnostic::FileId>> {
    let site = plan.site;
    let mut out = Vec::with_capacity(changes.len());
    for change in changes {
        let crate::plan::Change::Modified(path) = change else {
            return None;
        };
        let item = site
            .registers
            .iter()
            .flat_map(|r| &r.working.items)
            .find(|i| site.files.path(i.file) == path)?;
        out.push(item.file);
    }
    Some(out)
}

/// Whether an index folder holds a frozen edition's index (searched rarely,
/// built once); the others are the sites' (public, `/draft/`).
fn archived(dir: &str) -> bool {
    dir.starts_with("search/e/")
}

/// One index of a batch: its folder and, for a site's index that the memo
/// keeps, the kept index with how many of the items it still has at the start
/// and at the end ([`Live::unchanged`]); `docs` are the other items (all of
/// them for an index built afresh).
struct Job {
    dir: String,
    docs: Vec<Doc>,
    live: Option<(Live, (usize, usize))>,
}

/// Collects, indexes and writes some of the indexes; the terms of contents
/// that an earlier batch (or build) tokenized come from `memo`, and the sites'
/// indexes it keeps are updated rather than built.
fn write_batch(
    plan: &crate::plan::Plan<'_>,
    batch: &[crate::plan::IndexId<'_>],
    sink: &crate::plan::Sink<'_>,
    memo: &mut Memo,
    edited: Option<&[crate::diagnostic::FileId]>,
) -> Result<Written, crate::Error> {
    use rayon::prelude::*;
    let lives: Vec<Option<Live>> = batch
        .iter()
        .map(|index| {
            let dir = index.folder();
            (memo.keep && !archived(&dir)).then(|| {
                memo.live
                    .remove(&dir)
                    .unwrap_or_else(|| Live::new(index::COMPACT))
            })
        })
        .collect();
    // Only the items a kept index does not have become docs.
    let compared = std::sync::atomic::AtomicUsize::new(0);
    let jobs: Vec<Job> = batch
        .par_iter()
        .zip(lives)
        .map(|(index, live)| {
            let sources = collect::sources(plan, index);
            let (docs, live) = if let Some(live) = live {
                let known = edited
                    .and_then(|files| {
                        let edited = |s: &collect::Source<'_>| files.contains(&s.file());
                        live.unchanged_around(&sources, edited, collect::Source::key)
                    })
                    .unwrap_or_default();
                let (head, tail) = live.unchanged_beyond(&sources, collect::Source::matches, known);
                let between = sources.len().saturating_sub(known.0 + known.1);
                compared.fetch_add(between, std::sync::atomic::Ordering::Relaxed);
                let changed = &sources[head..sources.len() - tail];
                let docs = changed.iter().map(collect::Source::doc).collect();
                (docs, Some((live, (head, tail))))
            } else {
                (sources.iter().map(collect::Source::doc).collect(), None)
            };
            let dir = index.folder();
            Job { dir, docs, live }
        })
        .collect();
    memo.compared += compared.into_inner();
    let (slots, terms) = distinct_terms(memo, &jobs);
    if jobs.iter().any(|job| job.live.is_none()) {
        memo.interner.rank();
    }
    let interner = &memo.interner;
    let done: Vec<_> = jobs
        .into_par_iter()
        .zip(slots)
        .map(|(job, slots)| {
            let mine: Vec<Arc<index::Compact>> =
                slots.iter().map(|s| Arc::clone(&terms[*s])).collect();
            write_job(job, mine, interner, sink)
        })
        .collect();
    let mut total = Ok(Written { files: 0, bytes: 0 });
    for (written, live) in done {
        if let Some((dir, live)) = live {
            memo.live.insert(dir, live);
        }
        match (&mut total, written) {
            (Ok(total), Ok(w)) => {
                total.files += w.files;
                total.bytes += w.bytes;
            }
            (Ok(_), Err(e)) => total = Err(e),
            (Err(_), _) => {}
        }
    }
    total
}

/// Builds (or updates) one index and hands its files to `sink`; gives back
/// the updated index to keep.
fn write_job(
    job: Job,
    terms: Vec<Arc<index::Compact>>,
    interner: &index::Interner,
    sink: &crate::plan::Sink<'_>,
) -> (Result<Written, crate::Error>, Option<(String, Live)>) {
    let Job { dir, docs, live } = job;
    let (files, live) = if let Some((mut live, same)) = live {
        live.update(docs, same, terms, interner);
        (live.files(), Some(live))
    } else {
        let layout = if archived(&dir) {
            index::ARCHIVE
        } else {
            index::COMPACT
        };
        let refs: Vec<&index::Compact> = terms.iter().map(AsRef::as_ref).collect();
        (
            Index::from_terms(docs, &refs, interner, layout).files(),
            None,
        )
    };
    let mut total = Written { files: 0, bytes: 0 };
    let written = files
        .into_iter()
        .try_for_each(|(path, bytes)| {
            sink(&format!("{dir}{path}"), &bytes)?;
            total.files += 1;
            total.bytes += bytes.len();
            Ok::<(), crate::Error>(())
        })
        .map(|()| total);
    (written, live.map(|live| (dir, live)))
}

/// The terms every job needs: each distinct content once (hashed once),
/// found in `memo` or tokenized; per job, the slot of each needed item's terms.
fn distinct_terms(memo: &mut Memo, jobs: &[Job]) -> (Vec<Vec<usize>>, Vec<Arc<index::Compact>>) {
    let mut unique: index::TokenMap<u64, Vec<usize>> = index::TokenMap::default();
    let mut first: Vec<(&Doc, u64)> = Vec::new();
    // Only the sites' indexes are built again and again (serve): a content
    // only frozen editions' indexes show is kept until this build is done
    // (later batches share it), not for the next build.
    let mut site: Vec<bool> = Vec::new();
    let slots: Vec<Vec<usize>> = jobs
        .iter()
        .map(|job| {
            let shown = !archived(&job.dir);
            job.docs
                .iter()
                .map(|d| {
                    let content = Content::of(d);
                    let hash = content_hash(&content);
                    let bucket = unique.entry(hash).or_default();
                    let known = bucket.iter().find(|&&s| Content::of(first[s].0) == content);
                    let slot = if let Some(&s) = known {
                        s
                    } else {
                        first.push((d, hash));
                        site.push(false);
                        bucket.push(first.len() - 1);
                        first.len() - 1
                    };
                    site[slot] |= shown;
                    slot
                })
                .collect()
        })
        .collect();
    let found = terms_of(memo, &first, &site);
    let terms = first
        .iter()
        .zip(&found)
        .map(|((_, hash), at)| Arc::clone(&memo.terms[hash][*at].1))
        .collect();
    (slots, terms)
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
            let compact = Arc::new(memo.interner.compact(&terms));
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
