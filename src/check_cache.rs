//! `check` with its cache: the same steps as [`crate::check()`], skipping what
//! the last check already established and nothing since has changed.
//!
//! Same layer as `lib.rs` (it runs the whole check). The cache file, beside
//! the default output folder, holds:
//!
//! - the load's cache ([`content::Cache`], in a file): every item file and
//!   frozen edition parsed, by the stamps (size, times, inode) its files had,
//!   so an unchanged file is neither read, hashed nor parsed again, and the
//!   stamps of every other file, which tell which files changed since;
//! - what the last check learned from rendering (`Known`): the inputs
//!   ([`Footprint`]) of every page known to render without a template error,
//!   for the date and theme it was rendered with; a page of the sample is
//!   rendered again only when one of its inputs changed (asked of the plans
//!   before and after, as `serve` asks after an edit), when it is new, or
//!   when the date or theme differ; and the fingerprints of the frozen
//!   edition folders known to render (what `build` carries pages over by).
//!
//! The file is versioned and keyed by the program that wrote it; a missing,
//! corrupt, stale or foreign file only means more work, never another
//! result. It is written whole to a temporary file and renamed into place.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use crate::content::{self, Cache, ChangedFiles};
use crate::plan::{Change, Footprint, Plan, PlanOptions};
use crate::render::{self, RenderFailure, Theme};
use crate::{CheckOptions, Phases, Report, Result, history, model, timed};

/// What the last check learned from rendering (see the module documentation).
#[derive(Debug, Default)]
struct Known {
    /// The date and theme the pages were rendered with.
    key: String,
    /// Frozen edition folders (register key → fingerprint) that rendered cleanly.
    rendered: BTreeMap<String, String>,
    /// The inputs of every page known to render cleanly.
    footprint: Footprint,
}

impl Known {
    fn to_bytes(&self) -> Vec<u8> {
        let none = HashMap::new();
        let mut w = content::codec::Writer::new(&none);
        w.str(&self.key);
        w.put(&self.rendered);
        w.bytes(&self.footprint.to_bytes());
        w.buf
    }

    fn from_bytes(bytes: &[u8]) -> Option<Known> {
        let mut r = content::codec::Reader::new(bytes, &[]);
        let known = Known {
            key: r.string()?,
            rendered: r.get()?,
            footprint: Footprint::from_bytes(r.bytes()?)?,
        };
        r.done().then_some(known)
    }
}

/// What one cached check reused, for the summary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reused {
    /// Content files whose parse came from the cache.
    pub files: usize,
    /// Pages of the check's sample not rendered again: known to render cleanly.
    pub pages: usize,
}

/// [`crate::check()`] through the cache file `cache_file` (read if it can be,
/// then written again).
pub(crate) fn run(options: &CheckOptions, cache_file: &Path) -> Result<(Report, Phases, Reused)> {
    let key = crate::program_fingerprint();
    let bytes = crate::site_files::read_regular(cache_file, u64::from(u32::MAX)).ok();
    let (mut cache, extra) = Cache::from_file(bytes, &key);
    let known = Known::from_bytes(&extra).unwrap_or_default();
    let mut phases = Phases::default();
    let root = &options.root;
    let (site, mut diagnostics) = timed(&mut phases.load, || {
        content::load_cached(root, &mut cache, None)
    })?;
    let changed = cache.changed_files(&site.files);
    timed(&mut phases.check, || {
        crate::check::check(&site, options.today, &mut diagnostics);
        diagnostics.sort(&site.files);
    });
    let theme = Theme::load(root, &site.config.theme)?;
    let mut reused = Reused {
        files: cache.last_load().0,
        pages: 0,
    };
    let (outcome, learned) = if diagnostics.has_errors() {
        let compiled = render::environment(&theme).map(|_| ());
        (compiled.map_err(RenderFailure::Templates), None)
    } else {
        let steps = (&mut phases, &mut reused);
        let (outcome, learned) = render_sample(&site, &theme, options, (&known, &changed), steps);
        (outcome, Some(learned))
    };
    let mut files = site.files.clone();
    match outcome {
        Ok(()) => {}
        Err(RenderFailure::Write(e)) => return Err(e),
        Err(RenderFailure::Templates(errors)) => {
            for e in errors {
                diagnostics.push(crate::template_diagnostic(&e, &theme, &mut files));
            }
        }
    }
    diagnostics.sort(&files);
    // Without a plan this check learned nothing of pages: what the last one
    // knew is kept only as far as it does not depend on this load's stamps.
    let learned = learned.unwrap_or_else(|| Known {
        rendered: known.rendered,
        ..Known::default()
    });
    let file = cache.to_file(&key, &learned.to_bytes());
    // Freeing a model of a hundred thousand items takes a while, and nothing
    // waits for it: it is freed on another thread (or by the process's exit).
    std::thread::spawn(move || drop((cache, site)));
    write_atomically(cache_file, &file);
    let report = Report {
        root: root.clone(),
        files,
        diagnostics,
    };
    Ok((report, phases, reused))
}

/// History, plan, and the pages of the check sample that are not known to
/// render cleanly; returns what the next check may know.
fn render_sample(
    site: &Arc<model::Site>,
    theme: &Theme,
    options: &CheckOptions,
    (known, changed): (&Known, &ChangedFiles),
    (phases, reused): (&mut Phases, &mut Reused),
) -> (Result<(), RenderFailure>, Known) {
    let history = timed(&mut phases.history, || {
        history::SiteHistory::new(site, options.today)
    });
    let program = format!("{} {}", crate::program_fingerprint(), theme.fingerprint());
    let plan_options = PlanOptions {
        today: options.today,
        base_url: None,
        drafts: true,
        program,
        previous: known.rendered.clone(),
    };
    let plan = timed(&mut phases.plan, || {
        Plan::new(site, &history, &plan_options)
    });
    let key = format!("{} {}", options.today, theme.fingerprint());
    let empty = Footprint::default();
    let before = if known.key == key {
        &known.footprint
    } else {
        &empty
    };
    let edits = changes(changed);
    let start = std::time::Instant::now();
    let (again, mut footprint) = plan.rebuild_since(before, &edits);
    let again: HashSet<String> = again.iter().map(|p| plan.site_path(p)).collect();
    let mut sample = render::check_sample(&plan, theme);
    let all = sample.len();
    sample.retain(|p| again.contains(&plan.site_path(p)));
    reused.pages = all - sample.len();
    let files: HashMap<String, String> = sample
        .iter()
        .map(|p| (plan.output_file(p), plan.site_path(p)))
        .collect();
    let clean = Mutex::new(HashSet::new());
    let sink = |file: &str, _: &[u8]| {
        if let Some(path) = files.get(file) {
            clean
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(path.clone());
        }
        Ok(())
    };
    let outcome = render::check_pages(&plan, theme, &sample, &sink);
    phases.render = start.elapsed();
    phases.rendered = outcome.as_ref().map_or(0, |stats| stats.pages);
    let clean = clean.into_inner().unwrap_or_else(PoisonError::into_inner);
    footprint.retain(|path| !again.contains(path) || clean.contains(path));
    let rendered = match &outcome {
        Ok(_) => plan.reuse.fingerprints.clone(),
        Err(_) => known.rendered.clone(),
    };
    let learned = Known {
        key,
        rendered,
        footprint,
    };
    (outcome.map(|_| ()), learned)
}

/// The plan's changes for the files that changed.
fn changes(changed: &ChangedFiles) -> Vec<Change> {
    let modified = changed.modified.iter().cloned().map(Change::Modified);
    let added = changed.added.iter().cloned().map(Change::Added);
    let removed = changed.removed.iter().cloned().map(Change::Removed);
    modified.chain(added).chain(removed).collect()
}

/// Writes `bytes` to `path` through a temporary file beside it, renamed into
/// place; a failure leaves no temporary file and is not an error (the cache
/// is an optimisation).
fn write_atomically(path: &Path, bytes: &[u8]) {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".tmp-{}", std::process::id()));
    let temp = path.with_file_name(name);
    let written = std::fs::write(&temp, bytes).and_then(|()| std::fs::rename(&temp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
}
