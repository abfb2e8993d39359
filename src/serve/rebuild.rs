//! The rebuild step: changed paths + the previous build → the next build, in memory.
//!
//! Part of `serve`; it sits above the whole pipeline (load → check → render) and
//! calls it through [`crate::build_into`]. [`rebuild`] is the single place
//! where serve turns file changes into output, so that the plan stage's
//! incremental rebuild replaces its body without touching the server:
//!
//! - today it ignores `changes`: it loads and checks everything again and renders
//!   every page except the frozen edition folders whose fingerprint is unchanged
//!   (the mechanism `build` uses to carry them over), which it shares with
//!   `previous`; the server then compares bytes to decide which open pages reload;
//! - with the plan, it reloads only the changed content files into the previous
//!   model, re-checks, re-plans, and re-renders only the pages whose inputs
//!   intersect `changes` (a `rescan` or a theme change still means everything),
//!   sharing every other file with `previous` (`Arc` clones, as `carry_over`
//!   does now). The previous model and plan then belong in [`Snapshot`] next to
//!   `files` and `fingerprints`; `Changes::paths` are absolute, so relate them
//!   to the plan's inputs with `strip_prefix(&context.root)`.
//!
//! Nothing else in `serve` needs to change: the server only ever sees complete
//! snapshots, and it decides which open pages reload by comparing their bytes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::overlay::Problems;
use super::state::Snapshot;
use super::store::{Collector, SpillDir, Stored};
use crate::Report;
use crate::render::{RenderOptions, RenderStats};

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
    pub render: RenderOptions,
    /// Whether terminal text may be coloured.
    pub color: bool,
    /// The private folder for frozen edition pages (`None`: keep them in memory).
    pub spill: Option<Arc<SpillDir>>,
}

/// The result of one rebuild.
#[derive(Debug)]
pub enum Outcome {
    /// A complete new build.
    Built {
        /// The new build (its generation is the previous one's plus one).
        snapshot: Snapshot,
        /// Warnings.
        report: Report,
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

/// Builds the site again after `changes`, starting from `previous`.
pub fn rebuild(previous: &Snapshot, changes: &Changes, context: &Context) -> Outcome {
    // Everything is loaded, checked and rendered again until the plan stage lands
    // (see the module docs); `changes` will then select the pages to render. Only
    // frozen edition folders whose fingerprint is unchanged are carried over.
    let _ = changes;
    let start = Instant::now();
    let render = RenderOptions {
        previous: previous.fingerprints.clone(),
        ..context.render.clone()
    };
    let generation = previous.generation + 1;
    let collector = Collector::new(context.spill.as_deref(), generation);
    let built = crate::build_into(&context.root, &render, &|path: &str, bytes: &[u8]| {
        collector.put(path, bytes)
    });
    let problems = match built {
        Ok((report, Some(stats))) => {
            return Outcome::Built {
                snapshot: carry_over(previous, collector.into_files(), stats),
                report,
                elapsed: start.elapsed(),
            };
        }
        Ok((report, None)) => Problems::from_report(&report, context.color),
        Err(e) => Problems::from_error(&e),
    };
    // Dropping the collector drops this generation's pack.
    drop(collector);
    Outcome::Failed {
        problems,
        elapsed: start.elapsed(),
    }
}

/// The new build's files plus the edition folders it did not render again,
/// shared with `previous`.
fn carry_over(
    previous: &Snapshot,
    mut files: BTreeMap<String, Stored>,
    stats: RenderStats,
) -> Snapshot {
    for dir in &stats.reused {
        let prefix = format!("{dir}/");
        let kept = previous
            .files
            .range(prefix.clone()..)
            .take_while(|(path, _)| path.starts_with(&prefix));
        for (path, stored) in kept {
            files.insert(path.clone(), stored.clone());
        }
    }
    Snapshot {
        generation: previous.generation + 1,
        files,
        fingerprints: stats.fingerprints,
    }
}
