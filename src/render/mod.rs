//! RENDER: the model → HTML, XML and text files, in memory.
//!
//! Rendering never reads `content/` and never writes to disk: it returns the
//! files for [`crate::output`] to write. Templates come from the theme (the
//! embedded default plus a site's overrides) and are compiled up front, so a
//! syntax error in any of them is reported even if no page uses it.

mod history_views;
pub mod i18n;
pub mod markdown;
mod pages;
pub mod public;
mod scope;
pub mod theme;
pub mod url;
pub mod views;

use std::collections::BTreeMap;

use jiff::civil::Date;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use sha2::Digest as _;

use crate::model::Site;
pub use theme::{Origin, Theme};

/// Receives each rendered file: its path relative to the output folder (with `/`)
/// and its bytes. Called from several threads at once.
pub type Sink<'a> = dyn Fn(&str, &[u8]) -> Result<(), crate::Error> + Sync + 'a;

/// Why rendering stopped.
#[derive(Debug)]
pub enum RenderFailure {
    /// Templates that failed to compile or render (every distinct one).
    Templates(Vec<TemplateError>),
    /// The sink could not write a file.
    Write(crate::Error),
}

/// What rendering produced.
#[derive(Clone, Debug, Default)]
pub struct RenderStats {
    /// HTML pages rendered.
    pub pages: usize,
    /// All files written, static assets included.
    pub files: usize,
    /// Per register: a fingerprint of everything its frozen edition pages depend on.
    pub fingerprints: BTreeMap<String, String>,
    /// Edition folders (`stamp/editions/2015`) not rendered because the previous
    /// output has them with the same fingerprint; the writer must carry them over.
    pub reused: Vec<String>,
    /// Pages in those folders.
    pub reused_pages: usize,
    /// Every register's edition folders in the output.
    pub edition_dirs: BTreeMap<String, Vec<String>>,
    /// Time spent building and writing the search indexes.
    pub search_elapsed: std::time::Duration,
}

/// A template that failed to compile or render.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateError {
    /// The template's name (`item.html`).
    pub name: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// Byte range in the template source, when known.
    pub range: Option<std::ops::Range<usize>>,
    /// What went wrong.
    pub message: String,
    /// The page being rendered, if any.
    pub page: Option<String>,
}

impl TemplateError {
    fn from_minijinja(e: &minijinja::Error, fallback: &str, page: Option<&str>) -> Self {
        let mut message = e
            .detail()
            .map_or_else(|| e.kind().to_string(), |d| format!("{}: {d}", e.kind()));
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            message.push_str(&format!(" ({s})"));
            source = s.source();
        }
        TemplateError {
            name: e.name().unwrap_or(fallback).to_owned(),
            line: e.line(),
            range: e.range(),
            message,
            page: page.map(str::to_owned),
        }
    }
}

/// What rendering needs besides the model.
#[derive(Clone, Debug)]
pub struct RenderOptions {
    /// The date that decides which edition is in force.
    pub today: Date,
    /// Overrides site.yaml's `base_url` (for preview deployments).
    pub base_url: Option<String>,
    /// Also render the working copies under `/draft/`.
    pub drafts: bool,
    /// Fingerprints of registers whose edition folders the previous output still
    /// has (see [`RenderStats::fingerprints`]); matching ones are not rendered again.
    pub previous: BTreeMap<String, String>,
    /// Build the search indexes too (`build` does; `check` has nothing to write).
    pub search: bool,
}

impl Theme {
    /// A fingerprint of every template and static file.
    pub fn fingerprint(&self) -> String {
        let mut h = sha2::Sha256::new();
        for (name, t) in &self.templates {
            h.update(name.as_bytes());
            h.update([0]);
            h.update(t.source.as_bytes());
            h.update([0]);
        }
        for (path, bytes) in &self.statics {
            h.update(path.as_bytes());
            h.update([0]);
            h.update(bytes);
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// Compiles every template of the theme.
pub fn environment(theme: &Theme) -> Result<Environment<'static>, Vec<TemplateError>> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_debug(true);
    env.set_formatter(|out, state, value| {
        // minijinja's HTML escaping also escapes `/`, which turns every URL
        // into `..&#x2f;`; escape only what HTML requires.
        if matches!(state.auto_escape(), AutoEscape::Html)
            && !value.is_safe()
            && !value.is_undefined()
            && !value.is_none()
        {
            return out
                .write_str(&escape_html(&value.to_string()))
                .map_err(minijinja::Error::from);
        }
        minijinja::escape_formatter(out, state, value)
    });
    let mut errors = Vec::new();
    for (name, template) in &theme.templates {
        if let Err(e) = env.add_template_owned(name.clone(), template.source.clone()) {
            errors.push(TemplateError::from_minijinja(&e, name, None));
        }
    }
    if errors.is_empty() {
        Ok(env)
    } else {
        Err(errors)
    }
}

/// Escapes text for HTML content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Renders every page of the site (and of `/draft/` with `options.drafts`), plus
/// the theme's static files, into `sink`.
pub fn render(
    site: &Site,
    theme: &Theme,
    options: &RenderOptions,
    sink: &Sink<'_>,
) -> Result<RenderStats, RenderFailure> {
    let env = environment(theme).map_err(RenderFailure::Templates)?;
    let mut stats = pages::render_all(site, &env, theme, options, sink)?;
    for (path, bytes) in &theme.statics {
        sink(path, bytes).map_err(RenderFailure::Write)?;
        stats.files += 1;
    }
    // The search indexes, built from the model (the one call site of `search`).
    if options.search {
        let start = std::time::Instant::now();
        let written = crate::search::write(site, options.today, options.drafts, sink)
            .map_err(RenderFailure::Write)?;
        stats.files += written.files;
        stats.search_elapsed = start.elapsed();
    }
    Ok(stats)
}
