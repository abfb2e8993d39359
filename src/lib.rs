//! minglu (名录): a static site generator for public policy registers.
//!
//! ```text
//! content/ ──load──▶ model ──check──▶ render (templates) ──▶ write public/
//! ```
//!
//! - [`content`] reads `content/` into the [`model`], collecting diagnostics;
//! - [`mod@check`] adds the rules that look across files;
//! - [`render`] turns the model into files in memory, through the theme;
//! - [`output`] writes them to a staging folder and swaps it into place.
//!
//! [`check()`] and [`build()`] are the entry points the CLI calls.

pub mod check;
pub mod content;
pub mod diagnostic;
pub mod error;
pub mod history;
pub mod init;
pub mod model;
pub mod output;
pub mod release;
pub mod render;
pub mod serve;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use jiff::civil::Date;

use diagnostic::{Code, Diagnostic, Diagnostics, Files, Span};
pub use error::{Error, Result};
use render::{Origin, RenderFailure, RenderOptions, RenderStats, TemplateError, Theme};

/// Diagnostics together with the file table they point into.
#[derive(Debug)]
pub struct Report {
    /// The site root, to read source excerpts from.
    pub root: PathBuf,
    /// Files the diagnostics refer to.
    pub files: Files,
    /// Every diagnostic, sorted.
    pub diagnostics: Diagnostics,
}

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
}

/// Validates the site under `options.root` and renders it in memory (so template
/// errors surface too) without writing anything.
pub fn check(options: &CheckOptions) -> Result<Report> {
    let render = RenderOptions {
        today: options.today,
        base_url: None,
        drafts: true,
        previous: std::collections::BTreeMap::new(),
    };
    analyse(&options.root, &render, &|_: &str, _: &[u8]| Ok(())).map(|(report, _)| report)
}

/// Checks the site, and if it has no errors renders it and swaps the result into
/// `options.output`. With errors, nothing is written and [`Error::Content`] carries them.
pub fn build(options: &BuildOptions) -> Result<BuildSummary> {
    let start = Instant::now();
    refuse_bad_output(&options.root, &options.output)?;
    let cache = output::ReuseCache::for_output(&options.output);
    let previous = cache.take(&options.output);
    let staging = output::Staging::new(&options.output)?;
    let render = RenderOptions {
        today: options.today,
        base_url: options.base_url.clone(),
        drafts: options.drafts,
        previous,
    };
    let (report, stats) = analyse(&options.root, &render, &|path: &str, bytes: &[u8]| {
        staging.write(path, bytes)
    })?;
    let Some(stats) = stats.filter(|_| !report.diagnostics.has_errors()) else {
        return Err(Error::Content(Box::new(report)));
    };
    staging.commit(&stats.reused)?;
    cache.store(&stats.fingerprints, &stats.edition_dirs);
    Ok(BuildSummary {
        pages: stats.pages + stats.reused_pages,
        files: stats.files + stats.reused_pages,
        reused_pages: stats.reused_pages,
        report,
        elapsed: start.elapsed(),
    })
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
    let (site, mut diagnostics) = content::load(root)?;
    check::check(&site, today, &mut diagnostics);
    diagnostics.sort(&site.files);
    if diagnostics.has_errors() {
        return Err(Error::Content(Box::new(Report {
            root: root.to_path_buf(),
            files: site.files,
            diagnostics,
        })));
    }
    Ok((site, diagnostics))
}

/// Load, check, render into `sink`. Rendering is skipped when loading or checking
/// found errors (the templates are still compiled, so their syntax errors show).
fn analyse(
    root: &Path,
    options: &RenderOptions,
    sink: &render::Sink<'_>,
) -> Result<(Report, Option<RenderStats>)> {
    let (site, mut diagnostics) = content::load(root)?;
    check::check(&site, options.today, &mut diagnostics);
    let theme = Theme::load(root, &site.config.theme)?;
    let rendered = if diagnostics.has_errors() {
        render::environment(&theme)
            .map(|_| None)
            .map_err(RenderFailure::Templates)
    } else {
        render::render(&site, &theme, options, sink).map(Some)
    };
    let mut files = site.files;
    let stats = match rendered {
        Ok(stats) => stats,
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
        stats,
    ))
}

fn template_diagnostic(e: &TemplateError, theme: &Theme, files: &mut Files) -> Diagnostic {
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
    let mut message = format!("template `{}`: {}", e.name, e.message);
    if let Some(page) = &e.page {
        message.push_str(&format!(" (while rendering /{page})"));
    }
    Diagnostic::error(Code::Template, span, message).with_help("fix the template at this line; `minglu check` renders every page so it finds these before a build")
}

fn refuse_bad_output(root: &Path, output: &Path) -> Result<()> {
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let (root, out) = (abs(root), abs(output));
    let reason = if root.starts_with(&out) {
        Some("it contains the site root, which would be replaced")
    } else if out.starts_with(root.join("content")) {
        Some("it is inside content/")
    } else if out.starts_with(root.join("themes")) {
        Some("it is inside themes/")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(Error::BadOutput {
            path: output.to_path_buf(),
            reason,
        }),
        None => Ok(()),
    }
}

/// "Today" for deciding which edition is in force: `SOURCE_DATE_EPOCH` when set
/// (for reproducible builds), else the current time; both read in China time (UTC+8).
pub fn today_from_env() -> Result<Date, String> {
    let seconds = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => v.trim().parse::<i64>().map_err(|_| {
            format!("SOURCE_DATE_EPOCH must be whole seconds since 1970, got `{v}`")
        })?,
        Err(_) => jiff::Timestamp::now().as_second(),
    };
    let ts = jiff::Timestamp::from_second(seconds)
        .map_err(|e| format!("SOURCE_DATE_EPOCH is out of range: {e}"))?;
    let offset = jiff::tz::Offset::constant(8);
    Ok(offset.to_datetime(ts).date())
}

/// Checks the site and, when it has no errors, renders it into `sink` (which
/// receives each output file's path, relative with `/`, and bytes, from several
/// threads). `serve` builds its in-memory site through this; nothing is written
/// to the output folder. With content or template errors the stats are `None`
/// and the report says why (files already given to `sink` must then be dropped).
/// `options.previous` works as for `build`: matching edition folders are not
/// rendered, and `stats.reused` names them for the caller to carry over.
pub fn build_into(
    root: &Path,
    options: &RenderOptions,
    sink: &render::Sink<'_>,
) -> Result<(Report, Option<RenderStats>)> {
    let (report, stats) = analyse(root, options, sink)?;
    let stats = stats.filter(|_| !report.diagnostics.has_errors());
    Ok((report, stats))
}
