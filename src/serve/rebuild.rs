//! The rebuild step: changed paths + the previous build → the next build, in memory.
//!
//! Part of `serve`; it sits above the whole pipeline and calls it through
//! [`crate::preview()`] (load → check → history → plan → render → search).
//! [`rebuild`] is the single place where serve turns file changes into output:
//!
//! - it relates the changed paths to the last good build's files
//!   ([`crate::preview::changes_since`]) and asks for an incremental build:
//!   only changed files are parsed again and only changed items tokenized
//!   ([`crate::Caches`]); when every change modified a file the last load
//!   read (none appeared or vanished), the load trusts the watcher and looks
//!   at those files alone rather than walking `content/`; and only
//!   the pages and search indexes the plan says the changes affect are
//!   rendered; every other file of the last good build stays as it is;
//! - a theme change, a folder appearing or vanishing, or a lost-events rescan
//!   renders everything, except frozen edition folders whose fingerprint held,
//!   which are carried over from the last good build;
//! - the changes since the last good build are remembered through failed
//!   rebuilds, so fixing an error is incremental too.
//!
//! The outcome is an [`Update`]: the new files and what becomes of the old
//! ones. [`super::state::State::install`] applies it in one step under the
//! build's write lock (a partial build in place, in proportion to the files it
//! made), so the server only ever sees complete builds, and it compares the
//! bytes of those files alone to decide which open pages reload.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::overlay::Problems;
use super::state::Update;
use super::store::{Collector, SpillDir};
use crate::diagnostic::Lang;
use crate::preview::changes_since;
use crate::{Caches, Preview, PreviewOptions, Rendered, Report};

/// What changed on disk since the last rebuild.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// Changed, created or deleted files and folders (absolute paths).
    pub paths: BTreeSet<PathBuf>,
    /// The watcher lost track (event queue overflow): assume anything changed.
    pub rescan: bool,
}

impl Changes {
    /// Whether there is nothing to rebuild for.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty() && !self.rescan
    }

    /// Adds another batch.
    pub fn merge(&mut self, other: Changes) {
        self.paths.extend(other.paths);
        self.rescan |= other.rescan;
    }
}

/// What every rebuild needs besides the changes.
#[derive(Clone, Debug)]
pub struct Context {
    /// The site root (holding `content/`).
    pub root: PathBuf,
    /// Today, the local base URL and whether `/draft/` is built.
    pub options: PreviewOptions,
    /// Whether terminal text may be coloured.
    pub color: bool,
    /// The language of diagnostics (the terminal's and the overlay's).
    pub lang: Lang,
    /// The private folder for frozen edition pages (`None`: keep them in memory).
    pub spill: Option<Arc<SpillDir>>,
}

/// What the rebuild thread keeps between rebuilds (nobody else reads it).
#[derive(Debug, Default)]
pub struct Memory {
    /// The last good build's model and fingerprints.
    preview: Option<Preview>,
    /// Parsed files of the last load and search terms of the last build.
    caches: Caches,
    /// Changed paths since the last good build.
    pending: BTreeSet<PathBuf>,
    /// The watcher lost track since the last good build.
    rescan: bool,
}

/// How much a rebuild rendered.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Work {
    /// Pages rendered.
    pub pages: usize,
    /// Pages planned.
    pub planned: usize,
    /// Search indexes built.
    pub indexes: usize,
    /// Only what the changes affect (not everything).
    pub incremental: bool,
    /// Where the time went, step by step.
    pub phases: String,
}

/// The result of one rebuild.
#[derive(Debug)]
pub enum Outcome {
    /// A complete new build.
    Built {
        /// The new build's files, to install over the last good build's.
        update: Update,
        /// Warnings.
        report: Report,
        /// What was rendered.
        work: Work,
        /// Time spent.
        elapsed: Duration,
    },
    /// Content, template or operational errors: the previous build stays.
    Failed {
        /// What is wrong.
        problems: Problems,
        /// Time spent.
        elapsed: Duration,
    },
}

/// Builds the site again after `changes`, starting from the last good build
/// (generation `generation`).
pub fn rebuild(
    generation: u64,
    changes: &Changes,
    context: &Context,
    memory: &mut Memory,
) -> Outcome {
    let start = Instant::now();
    memory.pending.extend(changes.paths.iter().cloned());
    memory.rescan |= changes.rescan;
    let plan_changes = match &memory.preview {
        Some(before) if !memory.rescan => {
            let rel: Vec<String> = memory
                .pending
                .iter()
                .filter_map(|p| p.strip_prefix(&context.root).ok())
                .map(|r| r.to_string_lossy().replace('\\', "/"))
                .collect();
            changes_since(&context.root, before, &rel)
        }
        _ => None,
    };
    // A full build (no list of changes) packs everything it renders.
    let collector = Collector::new(
        context.spill.as_deref(),
        generation + 1,
        plan_changes.is_none(),
    );
    let built = crate::preview(
        &context.root,
        &context.options,
        memory.preview.as_ref(),
        plan_changes.as_deref(),
        &mut memory.caches,
        &|path: &str, bytes: &[u8]| collector.put(path, bytes),
    );
    let problems = match built {
        Ok((report, Some(built))) => {
            memory.pending.clear();
            memory.rescan = false;
            memory.preview = Some(built.preview);
            let work = Work {
                pages: built.pages,
                planned: built.planned,
                indexes: built.indexes,
                incremental: matches!(built.rendered, Rendered::Partial { .. }),
                phases: built.phases,
            };
            return Outcome::Built {
                update: Update {
                    files: collector.into_files(),
                    rendered: built.rendered,
                },
                report,
                work,
                elapsed: start.elapsed(),
            };
        }
        Ok((report, None)) => Problems::from_report(&report, context.color, context.lang),
        Err(e) => Problems::from_error(&e, context.lang),
    };
    // Dropping the collector drops this generation's pack.
    drop(collector);
    Outcome::Failed {
        problems,
        elapsed: start.elapsed(),
    }
}
