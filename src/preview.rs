//! The build `serve` runs: load → check → history → plan → render → search,
//! into a sink, and incremental after a change.
//!
//! Same layer as `lib.rs` (it calls the whole pipeline). [`preview`] keeps what
//! it needs for the next rebuild in a [`Preview`]: the plan's [`Footprint`]
//! (each page's inputs; not the model), the reuse fingerprints, and the program
//! and theme fingerprint. Given the changed files, it loads again (re-parsing
//! only the files whose size, times or inode changed, through [`Caches`];
//! when the changes only modified files, looking again at those files alone
//! instead of walking `content/`, and taking the working-copy items of
//! unchanged files from the last load's model), checks (reusing what the
//! checks found in frozen editions that are still the same, and in
//! working-copy items the load took unchanged), computes the history again
//! (reusing frozen editions' diffs, and each register's pending diff, brought
//! up to date item by item, through [`history::Memo`]) and plans everything
//! again, then renders only the pages [`Plan::rebuild_since`] names (which
//! keeps the inputs, mentions and carried-over output files of the pages
//! the change cannot concern from the footprint before) and builds only the
//! search indexes [`Plan::indexes_between`] names (tokenizing only items whose searchable
//! content changed, and comparing with the kept items only those that edits
//! of working-copy items alone can have changed); the caller keeps every other file of its
//! previous build. A theme change, a folder appearing or vanishing, or no list
//! of changes at all (the watcher lost track) renders everything, as `build`
//! does (frozen edition folders whose fingerprint matched are still carried over).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use jiff::civil::Date;

use crate::plan::{Change, Footprint, IndexId, PageId, Plan, PlanOptions, PlannedPage};
use crate::render::{RenderFailure, Theme};
use crate::{Report, Result, content, history, model, render};

/// What every preview build needs besides the content.
#[derive(Clone, Debug)]
pub struct PreviewOptions {
    /// The date that decides which edition is in force.
    pub today: Date,
    /// The local address the site is served at (its base URL while serving).
    pub base_url: Option<String>,
    /// Also build `/draft/` from the working copies.
    pub drafts: bool,
}

/// What `serve` keeps of its last good build, so the next one can be incremental.
#[derive(Debug)]
pub struct Preview {
    /// The files the build read (to tell a changed file from a new one).
    files: crate::diagnostic::Files,
    program: String,
    fingerprints: BTreeMap<String, String>,
    /// What the next rebuild needs to know of this build's plan.
    footprint: Footprint,
}

/// Which files a [`preview`] gave its sink, and what the caller must do with
/// its previous build's files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rendered {
    /// Everything except these frozen edition folders (`stamp/editions/2015`),
    /// which are unchanged: keep them from the previous build, drop the rest.
    Full {
        /// Folders to carry over.
        reused: Vec<String>,
    },
    /// Only what the change affects: keep the previous build, minus `removed`
    /// files and every file under the `cleared` folders, plus the new files.
    Partial {
        /// Output files the new plan no longer has.
        removed: Vec<String>,
        /// Search index folders rebuilt or gone (ending in `/`).
        cleared: Vec<String>,
    },
}

/// A successful preview build.
#[derive(Debug)]
pub struct PreviewBuilt {
    /// Keep for the next rebuild.
    pub preview: Preview,
    /// What was written.
    pub rendered: Rendered,
    /// HTML and other pages rendered.
    pub pages: usize,
    /// Pages the plan has (rendered, carried over or kept).
    pub planned: usize,
    /// Search indexes built.
    pub indexes: usize,
    /// Where the time went ("load 240 ms, check 30 ms, …").
    pub phases: String,
}

/// Wall time of each step of one build.
#[derive(Debug)]
struct Phases {
    laps: Vec<(&'static str, std::time::Duration)>,
    since: std::time::Instant,
}

impl Phases {
    fn start() -> Phases {
        Phases {
            laps: Vec::new(),
            since: std::time::Instant::now(),
        }
    }

    /// Ends the step `name`.
    fn lap(&mut self, name: &'static str) {
        self.laps.push((name, self.since.elapsed()));
        self.since = std::time::Instant::now();
    }

    fn summary(&self) -> String {
        let laps: Vec<String> = self
            .laps
            .iter()
            .map(|(name, d)| format!("{name} {:.0} ms", d.as_secs_f64() * 1000.0))
            .collect();
        laps.join(", ")
    }
}

/// What one build leaves for the next to reuse (the caller keeps it between
/// builds; `Caches::default()` is empty and any content gives correct output).
#[derive(Debug, Default)]
pub struct Caches {
    /// Parsed files, by their stamps.
    pub content: content::Cache,
    /// Search terms by item content, and the sites' indexes as last written
    /// (a rebuild updates them with the items that changed).
    pub search: crate::search::Memo,
    /// Frozen editions' diffs, by edition, and each register's pending diff.
    pub history: history::Memo,
    /// What the checks found in frozen editions, by edition.
    pub check: crate::check::Memo,
    /// Rendered pieces of pages (item list rows), by what they show.
    pub render: render::Memo,
}

/// Builds the site into `sink`. With `previous` (the last good build) and the
/// `changes` since it, renders only what they affect; `changes: None` means
/// "anything may have changed". With content or template errors nothing is
/// built (files already given to `sink` must be dropped) and the report says why.
pub fn preview(
    root: &Path,
    options: &PreviewOptions,
    previous: Option<&Preview>,
    changes: Option<&[Change]>,
    caches: &mut Caches,
    sink: &render::Sink<'_>,
) -> Result<(Report, Option<PreviewBuilt>)> {
    let mut phases = Phases::start();
    let modified = changes.and_then(modified_content);
    let (site, mut diagnostics) =
        content::load_cached(root, &mut caches.content, modified.as_deref())?;
    phases.lap("load");
    let unchanged = caches.content.unchanged();
    crate::check::check_loaded(
        &site,
        options.today,
        &mut diagnostics,
        &mut caches.check,
        unchanged,
    );
    phases.lap("check");
    let theme = Theme::load(root, &site.config.theme)?;
    let program = format!("{} {}", crate::program_fingerprint(), theme.fingerprint());
    let outcome = if diagnostics.has_errors() {
        render::environment(&theme)
            .map(|_| None)
            .map_err(RenderFailure::Templates)
    } else {
        let before = (previous, changes);
        let steps = (&mut phases, &mut caches.search, &mut caches.history);
        let site_theme = (&*site, &theme, &caches.render);
        render_site(site_theme, options, &program, before, steps, sink).map(Some)
    };
    let mut files = site.files.clone();
    let built = match outcome {
        Ok(built) => built,
        Err(RenderFailure::Write(e)) => return Err(e),
        Err(RenderFailure::Templates(errors)) => {
            for e in errors {
                diagnostics.push(crate::template_diagnostic(&e, &theme, &mut files));
            }
            None
        }
    };
    diagnostics.sort(&files);
    let report = Report {
        root: root.to_path_buf(),
        files,
        diagnostics,
    };
    let built = built.filter(|_| !report.diagnostics.has_errors());
    let built = built.map(
        |(rendered, fingerprints, footprint, [pages, planned, indexes])| PreviewBuilt {
            preview: Preview {
                files: site.files.clone(),
                program,
                fingerprints,
                footprint,
            },
            rendered,
            pages,
            planned,
            indexes,
            phases: phases.summary(),
        },
    );
    // The cache holds the model too: this only lets go of it, so that the
    // next load can take the working-copy items out of it rather than copy
    // them (a model freed aside might still be held when the next edit
    // comes).
    drop(site);
    Ok((report, built))
}

/// Drops `value` on a thread of its own: freeing a model (every item's
/// strings) or a footprint (every page's path and inputs) takes milliseconds
/// a rebuild need not wait for. Dropped here when no thread can start.
fn drop_aside<T: Send + 'static>(value: T) {
    // A failed spawn hands the closure back only to drop it: the value is
    // then dropped on this thread, as it would have been.
    let _ = std::thread::Builder::new()
        .name("minglu-drop".to_owned())
        .spawn(move || drop(value));
}

impl Drop for Preview {
    /// The footprint (tens of thousands of paths at large sites) is freed
    /// aside: `serve` replaces its last build with the new one before
    /// publishing it.
    fn drop(&mut self) {
        drop_aside(std::mem::take(&mut self.footprint));
    }
}

/// The files under `content/` that `changes` modified, when they only
/// modified files (none appeared or vanished): what the load may look at
/// instead of walking `content/` again.
fn modified_content(changes: &[Change]) -> Option<Vec<&str>> {
    changes
        .iter()
        .filter(|c| c.path().starts_with("content/"))
        .map(|c| match c {
            Change::Modified(path) => Some(path.as_str()),
            Change::Added(_) | Change::Removed(_) => None,
        })
        .collect()
}

/// What [`render_site`] did: the files, the new reuse fingerprints, the plan's
/// footprint, and the pages rendered, pages planned and indexes built.
type SiteRendered = (Rendered, BTreeMap<String, String>, Footprint, [usize; 3]);

fn render_site(
    (site, theme, kept): (&model::Site, &Theme, &render::Memo),
    options: &PreviewOptions,
    program: &str,
    (previous, changes): (Option<&Preview>, Option<&[Change]>),
    (phases, memo, history_memo): (&mut Phases, &mut crate::search::Memo, &mut history::Memo),
    sink: &render::Sink<'_>,
) -> Result<SiteRendered, RenderFailure> {
    let incremental = match (previous, changes) {
        (Some(before), Some(changes))
            if before.program == program
                && !changes.iter().any(|c| c.path().starts_with("themes/")) =>
        {
            Some((before, changes))
        }
        _ => None,
    };
    let history = history::SiteHistory::new_with(site, options.today, history_memo);
    let plan_options = PlanOptions {
        today: options.today,
        base_url: options.base_url.clone(),
        drafts: options.drafts,
        program: program.to_owned(),
        previous: previous.map(|p| p.fingerprints.clone()).unwrap_or_default(),
    };
    let plan = Plan::new(site, &history, &plan_options);
    phases.lap("history and plan");
    let (rendered, footprint, pages, indexes) = if let Some((before, changes)) = incremental {
        render_changes(&plan, before, changes, (theme, kept), (phases, memo), sink)?
    } else {
        let stats = render::render_with(&plan, theme, sink, kept)?;
        phases.lap("render");
        crate::search::write_with(&plan, &plan.indexes(), sink, memo)
            .map_err(RenderFailure::Write)?;
        phases.lap("search");
        let footprint = plan.footprint();
        phases.lap("footprint");
        let reused = plan.reuse.dirs.clone();
        let indexes = plan.indexes().len();
        (Rendered::Full { reused }, footprint, stats.pages, indexes)
    };
    let counts = [pages, plan.pages.len(), indexes];
    Ok((rendered, plan.reuse.fingerprints.clone(), footprint, counts))
}

/// Renders what `changes` affect, given the build before them.
fn render_changes(
    plan: &Plan<'_>,
    before: &Preview,
    changes: &[Change],
    (theme, kept): (&Theme, &render::Memo),
    (phases, memo): (&mut Phases, &mut crate::search::Memo),
    sink: &render::Sink<'_>,
) -> Result<(Rendered, Footprint, usize, usize), RenderFailure> {
    let (again, footprint) = plan.rebuild_since(&before.footprint, changes);
    let mut pages: BTreeMap<String, &PlannedPage<'_>> = again
        .into_iter()
        .map(|page| (plan.output_file(page), page))
        .collect();
    let indexes = plan.indexes_between(&before.footprint, &footprint, changes);
    // Frozen pages are carried over while their register's fingerprint holds;
    // when it changed, render them all, as `build` would.
    let refingerprinted: BTreeSet<&str> = plan
        .reuse
        .fingerprints
        .iter()
        .filter(|(key, f)| before.fingerprints.get(*key) != Some(*f))
        .map(|(key, _)| key.as_str())
        .collect();
    // (Most rebuilds change no fingerprint: no pass over every page then.)
    let candidates = if refingerprinted.is_empty() {
        &[][..]
    } else {
        &plan.pages[..]
    };
    for page in candidates.iter().filter(|p| !p.reused) {
        if let PageId::Edition { register, .. } | PageId::Frozen { register, .. } = page.id
            && refingerprinted.contains(register)
        {
            pages.insert(plan.output_file(page), page);
        }
    }
    let chosen: Vec<&PlannedPage<'_>> = pages.into_values().collect();
    phases.lap("choose");
    let stats = render::render_pages_with(plan, theme, &chosen, sink, kept)?;
    phases.lap("render");
    crate::search::write_since(plan, &indexes, sink, memo, Some(changes))
        .map_err(RenderFailure::Write)?;
    phases.lap("search");
    let mut cleared: Vec<String> = indexes.iter().map(IndexId::folder).collect();
    cleared.extend(plan.index_folders_removed_since(&before.footprint));
    let removed = Plan::outputs_removed_between(&before.footprint, &footprint);
    Ok((
        Rendered::Partial { removed, cleared },
        footprint,
        stats.pages,
        indexes.len(),
    ))
}

/// Turns changed paths (relative to the site root, with `/`) into the plan's
/// changes, or `None` when a folder appeared or vanished (or a path is not
/// one the previous build knew as a file while it is not a file now), which
/// the plan cannot answer file by file.
pub fn changes_since(root: &Path, previous: &Preview, paths: &[String]) -> Option<Vec<Change>> {
    let files = &previous.files;
    let known: BTreeSet<&str> = files.paths().collect();
    let mut out = Vec::new();
    for rel in paths {
        let now = std::fs::symlink_metadata(root.join(rel)).ok();
        let was = known.contains(rel.as_str());
        let folder_before = known
            .range(format!("{rel}/").as_str()..)
            .next()
            .is_some_and(|p| p.starts_with(&format!("{rel}/")));
        match now {
            Some(m) if m.is_dir() => return None,
            Some(_) if was => out.push(Change::Modified(rel.clone())),
            Some(_) => out.push(Change::Added(rel.clone())),
            None if folder_before => return None,
            None if was => out.push(Change::Removed(rel.clone())),
            // Never a file the build read, and gone: nothing to do.
            None => {}
        }
    }
    Some(out)
}
