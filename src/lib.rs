//! minglu (名录): a static site generator for public policy registers.
//!
//! ```text
//! content/ ──load──▶ model ──check──▶ history ──▶ plan ──▶ render ──▶ commit public/
//!                                                             └─ export (data files, schemas)
//!                                                      (search index: next)
//! ```
//!
//! - [`content`] reads `content/` into the [`model`], collecting diagnostics;
//! - [`mod@check`] adds the rules that look across files;
//! - [`history`] diffs consecutive editions once per build ([`history::SiteHistory`]);
//! - [`plan`] decides what is published, every page's identity, URL and inputs,
//!   and which frozen pages the previous output can keep ([`plan::Plan`]);
//! - [`render`] turns the plan's pages into files, through the theme, and hands
//!   the planned data files and schemas to [`export`] (JSON, CSV, JSON Schema);
//! - [`output`] writes them to a staging folder and swaps it into place.
//!
//! Layers, bottom to top; a module imports only from its own layer or below, and
//! there are no cycles (`tests/it/layers.rs` enforces it):
//!
//! 1. [`diagnostic`], [`error`], [`model`], [`i18n`], [`content`], [`site_files`]
//!    (confined, bounded reads), [`text_safety`] (neutralising text for terminals and CI)
//! 2. [`mod@check`], [`history`]
//! 3. [`plan`]
//! 4. [`render`], [`export`] (and the coming search index)
//! 5. [`output`]
//! 6. this file (`check`, `build`, `diff`), [`mod@preview`] (the build `serve` runs,
//!    incremental), [`mod@check_cache`] (a second `check` skipping what did not
//!    change), [`release`], [`init`], [`serve`]
//! 7. the CLI (`main.rs`, `cli.rs`)
//!
//! [`check()`] and [`build()`] are the entry points the CLI calls.

pub mod check;
pub mod check_cache;
pub mod content;
pub mod diagnostic;
pub mod error;
pub mod export;
pub mod history;
pub mod i18n;
pub mod init;
pub mod model;
pub mod output;
pub mod plan;
pub mod release;
pub mod render;
pub mod search;
pub mod serve;
pub mod site_files;
pub mod text_safety;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use jiff::civil::Date;

pub use check_cache::Reused;
pub use diagnostic::Report;
use diagnostic::{Code, Diagnostic, Diagnostics, Files, Span};
pub use error::{Error, Result};
use plan::{Plan, PlanOptions, Reuse};
use render::{Origin, RenderFailure, RenderStats, TemplateError, Theme};

/// Options for `check`.
#[derive(Clone, Debug)]
pub struct CheckOptions {
    /// The site root (holding `content/`).
    pub root: PathBuf,
    /// The date that decides which edition is in force.
    pub today: Date,
}

/// Options for `build`.
#[derive(Clone, Debug)]
pub struct BuildOptions {
    /// The site root (holding `content/`).
    pub root: PathBuf,
    /// The output folder (`<root>/public` by default).
    pub output: PathBuf,
    /// Overrides site.yaml's `base_url`.
    pub base_url: Option<String>,
    /// The date that decides which edition is in force.
    pub today: Date,
    /// Also build `/draft/` from the working copies (for preview deployments).
    pub drafts: bool,
    /// Replace an existing output folder even if minglu did not write it.
    pub force: bool,
    /// Write the search indexes. Always on for `minglu build`; the benchmark
    /// turns it off to measure what the indexes add to a build.
    pub search: bool,
}

/// What a successful build did.
#[derive(Debug)]
pub struct BuildSummary {
    /// Warnings (a build with errors does not succeed).
    pub report: Report,
    /// HTML pages written.
    pub pages: usize,
    /// All files written.
    pub files: usize,
    /// Pages of frozen editions carried over unchanged from the previous output.
    pub reused_pages: usize,
    /// Wall time.
    pub elapsed: Duration,
    /// Of which building and writing the search indexes.
    pub search_elapsed: Duration,
    /// Where the time went, step by step.
    pub phases: Phases,
}

/// Where a build's (or a check's) wall time went, step by step.
///
/// Render and search run at the same time, and both write through the sink
/// while they run: `write` is the time spent inside the sink summed over
/// threads, so it is part of `render` and `search`, not added to them.
#[derive(Clone, Copy, Debug, Default)]
pub struct Phases {
    /// Walking `content/`, reading, hashing (SHA256SUMS), parsing and lowering
    /// every file (done together, file by file, in parallel).
    pub load: Duration,
    /// The rules that look across files.
    pub check: Duration,
    /// Diffing consecutive editions.
    pub history: Duration,
    /// The build plan.
    pub plan: Duration,
    /// Rendering pages (and handing them to the sink), wall time.
    pub render: Duration,
    /// Building the search indexes (and handing them to the sink), wall time.
    pub search: Duration,
    /// Inside the sink (creating folders, writing files), summed over threads.
    pub write: Duration,
    /// Creating the pages' folders in the staging folder, before rendering.
    pub dirs: Duration,
    /// Swapping the staging folder into place.
    pub commit: Duration,
    /// Pages rendered (all of them in a build; a sample in a check).
    pub rendered: usize,
}

/// Validates the site under `options.root` and renders it in memory (so template
/// errors surface too) without writing anything.
pub fn check(options: &CheckOptions) -> Result<Report> {
    check_inner(options, None).map(|(report, _)| report)
}

/// [`check()`] (or [`check_with_cache`] when given a cache file), also saying
/// where the time went.
pub fn check_timed(options: &CheckOptions, cache_file: Option<&Path>) -> Result<(Report, Phases)> {
    check_inner(options, cache_file)
}

/// [`check()`] through the cache file `cache_file` (see [`mod@check_cache`]):
/// files unchanged since the last check are not read again, and pages of the
/// sample whose inputs did not change are known to render cleanly. The cache
/// is an optimisation: a missing, stale or unreadable one is ignored, and the
/// report is always the one [`check()`] gives. Also says what it reused.
pub fn check_with_cache(options: &CheckOptions, cache_file: &Path) -> Result<(Report, Reused)> {
    check_cache::run(options, cache_file).map(|(report, _, reused)| (report, reused))
}

fn check_inner(options: &CheckOptions, cache_file: Option<&Path>) -> Result<(Report, Phases)> {
    if let Some(cache_file) = cache_file {
        return check_cache::run(options, cache_file).map(|(report, phases, _)| (report, phases));
    }
    let plan = PlanOptions {
        today: options.today,
        base_url: None,
        drafts: true,
        program: program_fingerprint(),
        previous: std::collections::BTreeMap::new(),
    };
    let (report, built) = analyse(&options.root, plan, Outputs::Pages, &|_: &str, _: &[u8]| {
        Ok(())
    })?;
    let phases = built.as_ref().map_or_else(Phases::default, |b| b.phases);
    Ok((report, phases))
}

/// Checks the site, and if it has no errors renders it and swaps the result into
/// `options.output`. With errors, nothing is written and [`Error::Content`] carries them.
pub fn build(options: &BuildOptions) -> Result<BuildSummary> {
    let start = Instant::now();
    let out = output::resolve(&options.root, &options.output, options.force)?;
    let cache = output::ReuseCache::for_output(&out);
    let previous = cache.take(&out);
    let staging = output::Staging::new(&out)?;
    let plan = PlanOptions {
        today: options.today,
        base_url: options.base_url.clone(),
        drafts: options.drafts,
        program: program_fingerprint(),
        previous,
    };
    let sink = |path: &str, bytes: &[u8]| staging.write(path, bytes);
    let (report, built) = analyse(
        &options.root,
        plan,
        Outputs::Site(&staging, options.search),
        &sink,
    )?;
    let Some(built) = built.filter(|_| !report.diagnostics.has_errors()) else {
        return Err(Error::Content(Box::new(report)));
    };
    let Built {
        stats,
        reuse,
        search,
        mut phases,
    } = built;
    let commit = Instant::now();
    staging.commit(&reuse.dirs)?;
    phases.commit = commit.elapsed();
    cache.store(&reuse.fingerprints, &reuse.edition_dirs);
    Ok(BuildSummary {
        pages: stats.pages + reuse.pages,
        files: stats.files + reuse.pages + search.files,
        reused_pages: reuse.pages,
        search_elapsed: search.elapsed,
        phases,
        report,
        elapsed: start.elapsed(),
    })
}

/// Identifies the program that renders pages: its version and the executable's
/// size and modification time (a rebuilt binary renders frozen pages again).
pub(crate) fn program_fingerprint() -> String {
    let mut out = env!("CARGO_PKG_VERSION").to_owned();
    if let Some(meta) = std::env::current_exe().ok().and_then(|p| p.metadata().ok()) {
        out.push_str(&format!(" {}", meta.len()));
        if let Ok(modified) = meta.modified() {
            out.push_str(&format!(" {modified:?}"));
        }
    }
    out
}

/// Options for `diff`.
#[derive(Clone, Debug)]
pub struct DiffOptions {
    /// The site root.
    pub root: PathBuf,
    /// Which states to compare.
    pub selection: history::select::Selection,
    /// The date that decides which edition is in force.
    pub today: Date,
}

/// The result of `diff`: the diffs and the language to show them in.
#[derive(Debug)]
pub struct DiffReport {
    /// One entry per selected register.
    pub lists: Vec<history::format::ListDiff>,
    /// The site's language.
    pub language: model::Language,
    /// Warnings from checking the content.
    pub report: Report,
}

/// Compares two states of the registers. Refuses (with [`Error::Content`]) when the
/// content has errors, since a broken item would show as removed.
pub fn diff(options: &DiffOptions) -> Result<DiffReport> {
    let (site, diagnostics) = load_valid(&options.root, options.today)?;
    let lists = history::select::select(&site, &options.selection)?;
    Ok(DiffReport {
        lists,
        language: site.config.language,
        report: Report {
            root: options.root.clone(),
            files: site.files,
            diagnostics,
        },
    })
}

/// Loads and checks the site; refuses with [`Error::Content`] when it has errors.
/// Returns the site and its (warning) diagnostics, sorted.
pub fn load_valid(root: &Path, today: Date) -> Result<(model::Site, Diagnostics)> {
    let (site, diagnostics) = load_checked(root, today)?;
    if diagnostics.has_errors() {
        return Err(Error::Content(Box::new(Report {
            root: root.to_path_buf(),
            files: site.files,
            diagnostics,
        })));
    }
    Ok((site, diagnostics))
}

/// Loads and checks the site; returns it with every diagnostic, sorted.
fn load_checked(root: &Path, today: Date) -> Result<(model::Site, Diagnostics)> {
    let (site, mut diagnostics) = content::load(root)?;
    check::check(&site, today, &mut diagnostics);
    diagnostics.sort(&site.files);
    Ok((site, diagnostics))
}

/// What [`analyse`] writes besides checking.
#[derive(Clone, Copy)]
enum Outputs<'s> {
    /// The pages only (`check` renders them to surface template errors).
    Pages,
    /// The whole site: pages, static files and (when the flag is set) search
    /// indexes, written into this staging folder (through the sink; its
    /// folders made up front).
    Site(&'s output::Staging, bool),
}

/// What a successful [`analyse`] produced.
struct Built {
    stats: RenderStats,
    reuse: Reuse,
    search: SearchStats,
    phases: Phases,
}

/// The search step's share of a build.
#[derive(Debug, Default)]
struct SearchStats {
    files: usize,
    elapsed: Duration,
}

/// The build's steps: load → check → history → plan → render into `sink`.
/// Rendering is skipped when loading or checking found errors (the templates
/// are still compiled, so their syntax errors show).
fn analyse(
    root: &Path,
    mut options: PlanOptions,
    outputs: Outputs<'_>,
    sink: &render::Sink<'_>,
) -> Result<(Report, Option<Built>)> {
    let mut phases = Phases::default();
    let (site, mut diagnostics) = timed(&mut phases.load, || content::load(root))?;
    timed(&mut phases.check, || {
        check::check(&site, options.today, &mut diagnostics);
        diagnostics.sort(&site.files);
    });
    let theme = Theme::load(root, &site.config.theme)?;
    let written = std::sync::atomic::AtomicU64::new(0);
    let timed_sink = |path: &str, bytes: &[u8]| {
        let start = Instant::now();
        let result = sink(path, bytes);
        let nanos = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
        written.fetch_add(nanos, std::sync::atomic::Ordering::Relaxed);
        result
    };
    let rendered = if diagnostics.has_errors() {
        render::environment(&theme)
            .map(|_| None)
            .map_err(RenderFailure::Templates)
    } else {
        produce(
            &site,
            &theme,
            &mut options,
            outputs,
            &timed_sink,
            &mut phases,
        )
        .map(Some)
    };
    let mut site = site;
    let mut files = std::mem::take(&mut site.files);
    drop_aside(site);
    let built = match rendered {
        Ok(built) => built.map(|mut built| {
            built.phases.write = Duration::from_nanos(written.into_inner());
            built
        }),
        Err(RenderFailure::Write(e)) => return Err(e),
        Err(RenderFailure::Templates(errors)) => {
            for e in errors {
                diagnostics.push(template_diagnostic(&e, &theme, &mut files));
            }
            None
        }
    };
    diagnostics.sort(&files);
    Ok((
        Report {
            root: root.to_path_buf(),
            files,
            diagnostics,
        },
        built,
    ))
}

/// Drops `value` on another thread: freeing a whole model takes tens of
/// milliseconds on one core, which the build's caller need not wait for (a
/// one-off build's process may well exit first, and the system frees it all).
fn drop_aside<T: Send + 'static>(value: T) {
    // Without a thread to spare, `spawn` drops the closure, and the value, here.
    let _ = std::thread::Builder::new()
        .name("minglu-drop".into())
        .spawn(move || drop(value));
}

/// Runs `f`, adding its wall time to `into`.
fn timed<T>(into: &mut Duration, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    *into += start.elapsed();
    out
}

/// History, plan, then the outputs of a site without errors.
///
/// A build renders every page and builds the search indexes at the same time
/// (they read the same plan and write disjoint files). A check renders only
/// [`render::check_sample`]: every template, every kind of page, and (with
/// templates a site overrides) every distinct item once, which is what
/// template errors can depend on.
fn produce(
    site: &model::Site,
    theme: &Theme,
    options: &mut PlanOptions,
    outputs: Outputs<'_>,
    sink: &render::Sink<'_>,
    phases: &mut Phases,
) -> Result<Built, RenderFailure> {
    let history = timed(&mut phases.history, || {
        history::SiteHistory::new(site, options.today)
    });
    options.program = format!("{} {}", options.program, theme.fingerprint());
    let plan = timed(&mut phases.plan, || Plan::new(site, &history, options));
    let (mut render_time, mut search_time) = (Duration::ZERO, Duration::ZERO);
    let (rendered, search) = match outputs {
        Outputs::Pages => (
            timed(&mut render_time, || {
                render::check_pages(&plan, theme, &render::check_sample(&plan, theme), sink)
            }),
            Ok(SearchStats::default()),
        ),
        Outputs::Site(staging, search) => {
            // The search indexes make their own folders, so they start while
            // the pages' folders are made (one core makes folders).
            let dirs = &mut phases.dirs;
            rayon::join(
                || {
                    let files: Vec<String> = plan
                        .pages
                        .iter()
                        .filter(|p| !p.reused)
                        .map(|p| plan.output_file(p))
                        .collect();
                    timed(dirs, || staging.make_dirs(files.iter().map(String::as_str)))
                        .map_err(RenderFailure::Write)?;
                    timed(&mut render_time, || render::render(&plan, theme, sink))
                },
                || {
                    if search {
                        timed(&mut search_time, || write_search(&plan, sink))
                    } else {
                        Ok(SearchStats::default())
                    }
                },
            )
        }
    };
    let stats = rendered?;
    let search = search.map_err(RenderFailure::Write)?;
    phases.render = render_time;
    phases.search = search_time;
    phases.rendered = stats.pages;
    Ok(Built {
        stats,
        reuse: plan.reuse,
        search,
        phases: *phases,
    })
}

/// The search step: every index, from the plan and the model.
fn write_search(plan: &Plan<'_>, sink: &render::Sink<'_>) -> Result<SearchStats> {
    let start = Instant::now();
    let written = search::write(plan, &plan.indexes(), sink)?;
    Ok(SearchStats {
        files: written.files,
        elapsed: start.elapsed(),
    })
}

pub(crate) fn template_diagnostic(
    e: &TemplateError,
    theme: &Theme,
    files: &mut Files,
) -> Diagnostic {
    let path = match theme.templates.get(&e.name).map(|t| &t.origin) {
        Some(Origin::Site(path)) => path.clone(),
        _ => format!("themes/default/templates/{} (built into minglu)", e.name),
    };
    let file = files.add(path);
    let line = e.line.unwrap_or(1).max(1);
    // The excerpt is found by byte offset: point at the start of the reported line.
    let source = theme
        .templates
        .get(&e.name)
        .map_or("", |t| t.source.as_str());
    let line_start: usize = source
        .split_inclusive('\n')
        .take(line - 1)
        .map(str::len)
        .sum();
    let range = e.range.clone().filter(|r| {
        r.start >= line_start
            && r.end <= source.len()
            && source.is_char_boundary(r.start)
            && source.is_char_boundary(r.end)
    });
    let (start, end) = range.map_or((line_start, line_start), |r| (r.start, r.end));
    let col = source[line_start..start].chars().count() + 1;
    let to_u32 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let span = Span {
        file,
        line: to_u32(line),
        col: to_u32(col),
        start: to_u32(start),
        end: to_u32(end),
    };
    let (name, engine) = (&e.name, &e.message);
    // The template engine's own words are English: in Chinese they are quoted
    // as code, so a backtick inside them becomes a plain quote.
    let quoted = engine.replace('`', "'");
    let message = match &e.page {
        Some(page) => t!(
            en: "template `{name}`: {engine} (while rendering /{page})",
            zh: "模板 `{name}` 有误（生成 /{page} 时）；模板引擎的原文：`{quoted}`"
        ),
        None => t!(
            en: "template `{name}`: {engine}",
            zh: "模板 `{name}` 有误；模板引擎的原文：`{quoted}`"
        ),
    };
    Diagnostic::error(Code::Template, span, message).with_help(t!(
        en: "fix the template at this line; `minglu check` renders every kind of page and every distinct item, so it finds these before a build",
        zh: "请修改模板的这一行；`minglu check` 会试生成每类页面和每个不同的事项，在正式生成网站前发现这类错误"
    ))
}

/// "Today" for deciding which edition is in force: `SOURCE_DATE_EPOCH` when set
/// (for reproducible builds), else the current time; both read in China time (UTC+8).
pub fn today_from_env() -> Result<Date> {
    const VAR: &str = "SOURCE_DATE_EPOCH";
    let bad = |problem| Error::BadEnv { name: VAR, problem };
    let seconds = match std::env::var(VAR) {
        Ok(v) => v.trim().parse::<i64>().map_err(|_| {
            bad(crate::t!(
                en: "{VAR} must be whole seconds since 1970, got `{v}`",
                zh: "{VAR} 应为自 1970 年起的整数秒数，实际是 `{v}`"
            ))
        })?,
        Err(_) => jiff::Timestamp::now().as_second(),
    };
    let ts = jiff::Timestamp::from_second(seconds).map_err(|e| {
        bad(crate::t!(
            en: "{VAR} is out of range: {e}",
            zh: "{VAR} 超出可用范围：{e}"
        ))
    })?;
    let offset = jiff::tz::Offset::constant(8);
    Ok(offset.to_datetime(ts).date())
}

pub mod preview;
pub use preview::{Caches, Preview, PreviewBuilt, PreviewOptions, Rendered, preview};
